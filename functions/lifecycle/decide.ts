/**
 * Decisions (approve, reject, hold) on a request, through the API or a signed link (lifecycle):
 * each is one change through changeRequest.
 */
import { DomainError } from '../domain/errors';
import type { DecisionBody } from '../domain/bodies';
import type { ApprovalRequest, Identity } from '../domain/model';
import { assertListedApprover, decide, type Voter } from '../domain/rules';
import { type GroupMembers, groupsAtNextStart } from '../domain/stages';
import { groupMembers, resolveCaller, resolveLinkVoter } from '../usecases/people';
import type { DelegationStore } from '../usecases/delegation-store';
import type { Deps, Directory } from '../usecases/ports';
import { type ChangeDeps, changeRequest } from './change';

/**
 * A decision through the API: the caller must be, in the directory, an enabled member of
 * `approvers` whose verified email is the token's; then listed on the request, and neither its
 * requester nor its holder.
 */
export async function decideAsUser(deps: Deps, who: Identity, id: string, body: DecisionBody): Promise<ApprovalRequest> {
  const voter = await resolveCaller(deps.directory, who);
  const request = await changeRequest(
    deps,
    id,
    (current, now, members) => {
      assertListedApprover(current, voter);
      return decide(current, voter, body, now, members);
    },
    nextStageGroups(deps.directory, body),
  );
  deps.meter.decided(body.decision);
  return request;
}

/**
 * An approval may reach the current stage's quorum: the next stage's `group:` entries are resolved
 * in the directory then, at the stage's start (nothing to look up for other decisions).
 */
export function nextStageGroups(directory: Directory, body: DecisionBody) {
  return async (request: ApprovalRequest): Promise<GroupMembers | undefined> => {
    const names = body.decision === 'approve' ? groupsAtNextStart(request) : [];
    return names.length > 0 ? groupMembers(directory, names) : undefined;
  };
}

/** A verified link's holder: the approver it names, for one request. */
export interface LinkHolder {
  requestId: string;
  approver: string;
  /** A delegate's link: the approver the delegate decides for (lifecycle/delegate.ts). */
  for?: string;
}

export type LinkDeps = ChangeDeps & { directory: Directory; repository: Pick<DelegationStore, 'getDelegation'> };

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
    const request = await changeRequest(
      deps,
      link.requestId,
      (current, now, members) => {
        assertListedApprover(current, voter);
        return decide(current, voter, body, now, members);
      },
      nextStageGroups(deps.directory, body),
    );
    deps.meter.decided(body.decision);
    return { decided: true, request, voter };
  } catch (error) {
    if (!(error instanceof DomainError) || error.code !== 'conflict') throw error;
    const stored = await deps.repository.getRequest(link.requestId);
    return { decided: false, request: stored?.request, reason: error, voter };
  }
}
