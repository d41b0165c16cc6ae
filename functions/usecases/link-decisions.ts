/**
 * What a signed link shows. The link (verified at the edge) names one approver and one request;
 * the decision it makes is lifecycle/decide.ts's decideByLink.
 */
import { notFound } from '../domain/errors';
import type { ApprovalRequest } from '../domain/model';
import { assertListedApprover, isOpenFor, type Voter } from '../domain/rules';
import type { LinkDeps, LinkHolder } from '../lifecycle/decide';
import { assertMayActFor, isOpenForDelegate } from '../domain/delegation';
import { resolveDelegateLink } from '../lifecycle/delegate';
import { resolveLinkVoter } from './people';

/** The request as the link's approver sees it; `open` when they can still decide on it. */
export interface LinkView {
  request: ApprovalRequest;
  open: boolean;
  /** The person the directory resolved the link's approver to. */
  voter: Voter;
}

/**
 * What a link shows, changing nothing:
 * 1. the request (not_found);
 * 2. the link's address must belong, in the directory, to an enabled member of `approvers`, who
 *    is neither the requester nor the holder (by sub or mailbox), and be listed on it (forbidden);
 * 3. open while it is pending and this person has not approved it (under any address).
 */
export async function showLinkDecision(deps: Pick<LinkDeps, 'repository' | 'directory' | 'now'>, link: LinkHolder): Promise<LinkView> {
  const stored = await deps.repository.getRequest(link.requestId);
  if (!stored) throw notFound('this request does not exist');
  if (link.for) {
    // A delegate's link: the same checks as the delegate's decision (lifecycle/delegate.ts), changing nothing.
    const { delegate, delegator, delegation } = await resolveDelegateLink(deps, { ...link, for: link.for });
    assertMayActFor(stored.request, delegate, delegator, delegation, deps.now());
    return { request: stored.request, open: isOpenForDelegate(stored.request, delegate, delegator), voter: delegator };
  }
  const voter = await resolveLinkVoter(deps.directory, link.approver);
  assertListedApprover(stored.request, voter);
  return { request: stored.request, open: isOpenFor(stored.request, voter), voter };
}
