/**
 * Decisions through a signed link. The link (verified at the edge) names one approver and one
 * request; these use cases say what that approver may do with it, like the API's use cases do
 * for a signed-in user.
 */
import { DomainError, notFound } from '../domain/errors';
import type { DecisionBody } from '../domain/bodies';
import type { ApprovalRequest } from '../domain/model';
import { assertListedApprover, decide, isOpenFor, type Voter } from '../domain/rules';
import { resolveLinkVoter } from './people';
import type { Directory } from './ports';
import { type ChangeDeps, changeRequest } from './requests';

/** A verified link's holder: the approver it names, for one request. */
export interface LinkHolder {
  requestId: string;
  approver: string;
}

/** The request as the link's approver sees it; `open` when they can still decide on it. */
export interface LinkView {
  request: ApprovalRequest;
  open: boolean;
  /** The person the directory resolved the link's approver to. */
  voter: Voter;
}

type LinkDeps = ChangeDeps & { directory: Directory };

/**
 * What a link shows, changing nothing:
 * 1. the request (not_found);
 * 2. the link's address must belong, in the directory, to an enabled member of `approvers`, who
 *    is neither the requester nor the holder (by sub or mailbox), and be listed on it (forbidden);
 * 3. open while it is pending and this person has not approved it (under any address).
 */
export async function showLinkDecision(deps: Pick<LinkDeps, 'repository' | 'directory'>, link: LinkHolder): Promise<LinkView> {
  const stored = await deps.repository.getRequest(link.requestId);
  if (!stored) throw notFound('this request does not exist');
  const voter = await resolveLinkVoter(deps.directory, link.approver);
  assertListedApprover(stored.request, voter);
  return { request: stored.request, open: isOpenFor(stored.request, voter), voter };
}

export type LinkDecision =
  | { decided: true; request: ApprovalRequest; voter: Voter }
  | { decided: false; request: ApprovalRequest | undefined; reason: DomainError; voter: Voter };

/**
 * The link's approver decides, recorded as the person the directory resolves the address to (their
 * sub), under the same checks as showLinkDecision. When the request can no longer take this
 * decision (no longer pending, already approved by this person), the answer is the request as it
 * is now and why, instead of an error.
 */
export async function decideByLink(deps: LinkDeps, link: LinkHolder, body: DecisionBody): Promise<LinkDecision> {
  const voter = await resolveLinkVoter(deps.directory, link.approver);
  try {
    const request = await changeRequest(deps, link.requestId, (current, now) => {
      assertListedApprover(current, voter);
      return decide(current, voter, body, now);
    });
    deps.meter.decided(body.decision);
    return { decided: true, request, voter };
  } catch (error) {
    if (!(error instanceof DomainError) || error.code !== 'conflict') throw error;
    const stored = await deps.repository.getRequest(link.requestId);
    return { decided: false, request: stored?.request, reason: error, voter };
  }
}
