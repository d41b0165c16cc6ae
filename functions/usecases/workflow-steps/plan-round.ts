/**
 * The plan-round workflow step. DynamoDB holds the truth: the step reads the request first, so
 * a step that runs twice (a retry, a restarted execution) does no harm.
 */
import { durationSeconds } from '../../domain/duration';
import { reminderLimit, undecidedApprovers } from '../../domain/rules';
import { expireRequest } from '../../lifecycle/end';
import { plus } from '../checks';
import type { StepDeps } from '../deps';
import { emailableApprovers } from '../people';
import { sendReminders } from './approval-emails';
import { record, skippedDetail } from './history';

export interface Plan {
  done: boolean;
  waitSeconds: number;
}

const epoch = (iso: string) => Date.parse(iso);

/**
 * A round of the workflow:
 * 1. an ended request (or a missing one) ends the workflow;
 * 2. one past its expiry is expired now;
 * 3. when a reminder is due (and fewer than the request's maxReminders were sent), the approvers
 *    who have not approved and may still decide (directory) get one, each claimed first (a retry of
 *    this round after its bookkeeping write failed sends nobody that reminder again);
 * 4. otherwise wait until the next reminder or the expiry, whichever comes first (only the expiry
 *    once the reminders are used up).
 */
export async function planRound(deps: StepDeps, requestId: string): Promise<Plan> {
  const stored = await deps.repository.getRequest(requestId);
  if (stored?.request.state !== 'requested') return { done: true, waitSeconds: 1 };
  const { request, rounds } = stored;
  const now = deps.now();
  if (epoch(now) >= epoch(request.expiresAt)) {
    await expireRequest(deps, requestId);
    return { done: true, waitSeconds: 1 };
  }
  const remindEvery = durationSeconds(request.remindAfter) ?? 0;
  const limit = reminderLimit(request);
  let reminders = rounds.reminders ?? 0;
  let nextReminderAt = rounds.nextReminderAt ?? plus(request.createdAt, remindEvery);
  if (rounds.notifiedAt && reminders < limit && epoch(now) >= epoch(nextReminderAt)) {
    const { recipients, skipped } = await emailableApprovers(deps.directory, request, undecidedApprovers(request));
    const results = await sendReminders(deps, request, recipients, reminders + 1);
    while (epoch(nextReminderAt) <= epoch(now)) nextReminderAt = plus(nextReminderAt, remindEvery);
    reminders += 1;
    await deps.repository.setRoundBookkeeping(requestId, { nextReminderAt, reminders }, { whilePending: true });
    await record(deps, requestId, now, 'reminded', {
      recipients: results.sent,
      ...(results.claimedBefore.length ? { claimedBefore: results.claimedBefore } : {}),
      reminder: reminders,
      of: limit,
      ...skippedDetail(skipped),
    });
  }
  const until = reminders < limit ? Math.min(epoch(nextReminderAt), epoch(request.expiresAt)) : epoch(request.expiresAt);
  return { done: false, waitSeconds: Math.max(1, Math.ceil((until - epoch(now)) / 1000)) };
}
