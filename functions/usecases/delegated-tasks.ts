/**
 * GET /tasks with delegated work: besides the caller's own tasks (usecases/requests.ts listTasks),
 * the first page carries the tasks of each approver who handed over to the caller (an active
 * delegation, one hop), where the caller could decide for them now, each marked `delegatedFor`.
 */
import { allowsDelegation, isOpenForDelegate } from '../domain/delegation';
import type { ApprovalRequest, Identity } from '../domain/model';
import { assertNotParty } from '../domain/people';
import { emailIfCounted } from '../domain/rules';
import { actingFor } from '../lifecycle/delegate';
import type { Deps, SearchPage } from './ports';
import { listTasks } from './requests';

/** A task of someone the caller stands in for. */
export type DelegatedTask = ApprovalRequest & { delegatedFor: { id: string; email: string } };

const mayActOn = (request: ApprovalRequest, delegate: { id: string; email: string }, delegator: { id: string; email: string }) => {
  try {
    assertNotParty(request, delegate);
  } catch {
    return false;
  }
  // A delegate listed on the request has it as their own task (the API decides as them there).
  const listed = request.approvers.includes(delegate.email);
  return (
    allowsDelegation(request) && !listed && request.approvers.includes(delegator.email) && isOpenForDelegate(request, delegate, delegator)
  );
};

export async function listTasksWithDelegated(
  deps: Deps,
  who: Identity,
  query: { limit: number; cursor?: string },
): Promise<{ items: Array<ApprovalRequest | DelegatedTask>; nextCursor: string | null }> {
  const own: SearchPage = await listTasks(deps, who, query);
  const email = emailIfCounted(who);
  if (query.cursor !== undefined || !email) return own;
  const delegate = { id: who.id, email };
  const delegated: DelegatedTask[] = [];
  for (const { delegator } of await actingFor(deps, who.id, deps.now())) {
    const page = await deps.repository.tasksOf(delegator.email, { limit: query.limit });
    for (const request of page.items) {
      if (mayActOn(request, delegate, delegator))
        delegated.push({ ...request, delegatedFor: { id: delegator.id, email: delegator.email } });
    }
  }
  delegated.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  return { items: [...own.items, ...delegated], nextCursor: own.nextCursor };
}
