/**
 * A delegate (out of office) reads the requests they may act on: those whose profile lets delegates
 * decide and that list an approver whose active delegation names them, as the requester, approvers
 * and admins read them (domain/rules.ts canRead). Asked only when canRead says no, so it costs other
 * readers nothing. The read routes do not ask the directory whether the delegator is still an
 * approver (the decision does): a delegation ends at its `until`, at most 90 days on.
 */
import { allowsDelegation, isActive } from '../domain/delegation';
import type { ApprovalRequest, Identity } from '../domain/model';
import { emailIfCounted } from '../domain/rules';
import type { Deps } from './ports';

export async function delegateMayRead(deps: Pick<Deps, 'repository' | 'now'>, who: Identity, request: ApprovalRequest): Promise<boolean> {
  const email = emailIfCounted(who);
  if (!email || !allowsDelegation(request)) return false;
  const now = deps.now();
  const delegations = await deps.repository.delegationsTo(who.id);
  return delegations.some(
    (delegation) => isActive(delegation, now) && delegation.to.email === email && request.approvers.includes(delegation.delegator.email),
  );
}
