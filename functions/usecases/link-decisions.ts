/**
 * Decisions through a signed link. The link (verified at the edge) names one approver and one
 * request; these use cases say what that approver may do with it, like the API's use cases do
 * for a signed-in user.
 */
import { DomainError, notFound } from '../domain/errors';
import type { ApprovalRequest, DecisionBody } from '../domain/model';
import { assertListedApprover, decide, isOpenFor } from '../domain/rules';
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
}

type LinkDeps = ChangeDeps;

/**
 * What a link shows, changing nothing:
 * 1. the request (not_found);
 * 2. the link's approver must be listed on it and not be its requester (forbidden);
 * 3. open while it is pending and this approver has not approved it.
 */
export async function showLinkDecision(deps: Pick<LinkDeps, 'repository'>, link: LinkHolder): Promise<LinkView> {
  const stored = await deps.repository.getRequest(link.requestId);
  if (!stored) throw notFound('this request does not exist');
  assertListedApprover(stored.request, undefined, link.approver);
  return { request: stored.request, open: isOpenFor(stored.request, link.approver) };
}

export type LinkDecision =
  | { decided: true; request: ApprovalRequest }
  | { decided: false; request: ApprovalRequest | undefined; reason: DomainError };

/**
 * The link's approver decides, recorded as `email:<address>`. When the request can no longer take
 * this decision (no longer pending, already approved by them), the answer is the request as it is
 * now and why, instead of an error.
 */
export async function decideByLink(deps: LinkDeps, link: LinkHolder, body: DecisionBody): Promise<LinkDecision> {
  try {
    const request = await changeRequest(deps, link.requestId, (current, now) => {
      assertListedApprover(current, undefined, link.approver);
      return decide(current, { id: `email:${link.approver}`, email: link.approver }, body, now);
    });
    deps.meter.decided(body.decision);
    return { decided: true, request };
  } catch (error) {
    if (!(error instanceof DomainError) || error.code !== 'conflict') throw error;
    const stored = await deps.repository.getRequest(link.requestId);
    return { decided: false, request: stored?.request, reason: error };
  }
}
