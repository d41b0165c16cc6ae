/**
 * Which actions the signed-in user sees. The console asks the service's own rules (the same
 * functions the API runs), so nobody sees a button the API would refuse.
 */
import { assertMayDecide, decide, deleteRequest } from '../../functions/domain/rules';
import { undecidedApprovers } from '../../functions/domain/tasks';
import type { ApprovalRequest, Identity } from '../../functions/domain/model';
import { allowsDelegation, isOpenForDelegate } from '../../functions/domain/delegation';
import { assertNotParty } from '../../functions/domain/people';

export type { Identity };

const allowed = (check: () => unknown) => {
  try {
    check();
    return true;
  } catch {
    return false;
  }
};

/** A listed approver (in the approvers group, not the requester) who may still decide. */
export function mayDecide(request: ApprovalRequest, who: Identity, now = new Date().toISOString()): boolean {
  return allowed(() => {
    assertMayDecide(request, who);
    decide(request, who, { decision: 'hold', comment: 'check' }, now);
  });
}

/** A listed approver (in the approvers group) may release a hold, whether or not they approved. */
export function mayRelease(request: ApprovalRequest, who: Identity, now = new Date().toISOString()): boolean {
  return allowed(() => {
    assertMayDecide(request, who);
    decide(request, who, { decision: 'release' }, now);
  });
}

/**
 * A delegate (out of office) for `delegator`, listed on the request, where the profile allows it:
 * the API checks the delegation itself; the console shows the buttons from a delegated task.
 */
export function mayDecideFor(request: ApprovalRequest, who: Identity, delegator: string): boolean {
  if (!who.email || !allowsDelegation(request) || !request.approvers.includes(delegator.toLowerCase())) return false;
  const delegate = { id: who.id, email: who.email };
  return allowed(() => assertNotParty(request, delegate)) && isOpenForDelegate(request, delegate, { id: '', email: delegator });
}

/** Admins and the requester, while pending (an ended request stays ended). */
export function mayDelete(request: ApprovalRequest, who: Identity, now = new Date().toISOString()): boolean {
  return allowed(() => deleteRequest(request, who, now));
}

export const isAdmin = (who: Identity) => who.groups.includes('admins');
export const isApprover = (who: Identity) => who.groups.includes('approvers');

/** Listed approvers who have not approved yet, while the request is pending. */
export function awaitedApprovers(request: ApprovalRequest): string[] {
  return request.state === 'requested' ? undecidedApprovers(request) : [];
}
