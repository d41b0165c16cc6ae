/**
 * The approvers' task lists ("What do you want to do"): a request is a task of each listed
 * approver who has not approved it yet, for as long as it is pending (on hold included). The
 * store keeps one task entry per approver and request, written in the same transaction as the
 * request changes that open or close it; these rules say which entries a change opens and closes.
 */
import type { ApprovalRequest } from './model';
import { undecidedInStage } from './stages';

/**
 * The current stage's addresses whose mailbox has not approved yet (in any stage, themselves or by a delegate for them; domain/stages.ts):
 * their task entries stay open, and they get reminders (the use case also leaves out addresses
 * whose directory user approved under another).
 */
export function undecidedApprovers(request: ApprovalRequest): string[] {
  return undecidedInStage(request);
}

/** The approvers (emails) for whom the request is a task now. */
export function openTaskApprovers(request: ApprovalRequest): string[] {
  return request.state === 'requested' ? undecidedApprovers(request) : [];
}

/** The task entries a change from `before` (none for a new request) to `after` opens and closes. */
export function taskChanges(before: ApprovalRequest | undefined, after: ApprovalRequest): { opened: string[]; closed: string[] } {
  const was = new Set(before ? openTaskApprovers(before) : []);
  const now = new Set(openTaskApprovers(after));
  return { opened: [...now].filter((email) => !was.has(email)), closed: [...was].filter((email) => !now.has(email)) };
}
