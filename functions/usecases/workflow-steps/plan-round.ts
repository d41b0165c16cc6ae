/**
 * The plan-round workflow step. DynamoDB holds the truth: the step reads the request first, so
 * a step that runs twice (a retry, a restarted execution) does no harm.
 */
import { durationSeconds } from '../../domain/duration';
import { dueAt, holdEnd, holdEnded, waitBasis } from '../../domain/hold';
import { type ApprovalRequest, MAX_REMINDERS } from '../../domain/model';
import { reminderLimit } from '../../domain/rules';
import { undecidedApprovers } from '../../domain/tasks';
import { expireRequest } from '../../lifecycle/end';
import { endHoldInTime } from '../../lifecycle/hold';
import { plus } from '../checks';
import type { StepDeps } from '../deps';
import { emailableApprovers } from '../people';
import type { RoundBookkeeping } from '../ports';
import { sendReminders } from './approval-emails';
import { record, skippedDetail, subjectDetail, workflowEntry } from './history';
import { escalationWait, stageRound } from './stage-rounds';

export interface Plan {
  done: boolean;
  waitSeconds: number;
  /** What the wait's length was planned from (domain/hold.ts waitBasis; empty once the request ended): the wait replans if it changed since (await-decision.ts). */
  basis: string;
}

const epoch = (iso: string) => Date.parse(iso);
const waitUntil = (until: number, now: string, request: ApprovalRequest): Plan => ({
  done: false,
  waitSeconds: Math.max(1, Math.ceil((until - epoch(now)) / 1000)),
  basis: waitBasis(request),
});
const DONE: Plan = { done: true, waitSeconds: 1, basis: '' };

/**
 * A round of the workflow:
 * 1. an ended request (or a missing one) ends the workflow;
 * 2. one past its expiry (domain/hold.ts dueAt: while held until a time, the expiry waits) is expired now;
 * 3. one held until a time that has not come waits until then (no reminders meanwhile);
 * 4. one whose hold's time has come: the approvers who have not decided get the approval email
 *    again (claimed and counted like a reminder, within the 21 emails), then the hold ends
 *    (`expiresAt` moves, history `hold-ended`) and the next reminder is a remindAfter later;
 * 5. the stages (stage-rounds.ts): a stage's escalation when due, then the approval email to the
 *    current stage's approvers not emailed yet (a stage started since the last round, the escalated);
 * 5b. when a reminder is due (and fewer than the request's maxReminders were sent), the approvers
 *    who have not approved and may still decide (directory) get one, each claimed first (a retry of
 *    this round after its bookkeeping write failed sends nobody that reminder again); not those
 *    step 5 just sent their approval email, and none while a hold placed meanwhile runs;
 * 6. otherwise wait until the next reminder, the stage's escalation, the end of a hold placed
 *    during the round, or the expiry, whichever comes first (no reminder once they are used up).
 */
export async function planRound(deps: StepDeps, requestId: string): Promise<Plan> {
  const stored = await deps.repository.getRequest(requestId);
  if (stored?.request.state !== 'requested') return DONE;
  let { request, rounds } = stored;
  const now = deps.now();
  if (epoch(now) >= epoch(dueAt(request))) {
    await expireRequest(deps, requestId);
    return DONE;
  }
  const held = holdEnd(request);
  if (held && epoch(now) < epoch(held)) return waitUntil(epoch(held), now, request);
  if (held) {
    const ended = await endHoldRound(deps, request, rounds, now);
    if (!ended) return waitUntil(epoch(now) + 1000, now, request);
    ({ request, rounds } = ended);
  }
  const staged = await stageRound(deps, request, rounds, now);
  ({ request, rounds } = staged);
  if (request.state !== 'requested') return DONE;
  // A hold until a time placed while the stages' emails went out (read back with them): no reminder now.
  const holdUntil = holdEnd(request);
  const heldNow = holdUntil !== undefined && epoch(now) < epoch(holdUntil);
  const remindEvery = durationSeconds(request.remindAfter) ?? 0;
  const limit = reminderLimit(request);
  let reminders = rounds.reminders ?? 0;
  // Emails at a hold's end and the requester's reminders do not use up the profile's reminders.
  const extra = (rounds.holdEmails ?? 0) + (rounds.requesterReminders ?? 0);
  const mayRemind = () => reminders - extra < limit && reminders < MAX_REMINDERS;
  let nextReminderAt = rounds.nextReminderAt ?? plus(request.createdAt, remindEvery);
  if (rounds.notifiedAt && !heldNow && mayRemind() && epoch(now) >= epoch(nextReminderAt)) {
    // Those the stages' part just sent their approval email (the escalated) get no reminder with it.
    const undecided = undecidedApprovers(request).filter((approver) => !staged.emailed.includes(approver));
    const { recipients, skipped } = await emailableApprovers(deps.directory, request, undecided);
    const results = await sendReminders(deps, request, recipients, reminders + 1);
    while (epoch(nextReminderAt) <= epoch(now)) nextReminderAt = plus(nextReminderAt, remindEvery);
    reminders += 1;
    const entry = workflowEntry(now, 'reminded', {
      recipients: results.sent,
      ...(results.claimedBefore.length ? { claimedBefore: results.claimedBefore } : {}),
      reminder: reminders - extra,
      of: limit,
      ...skippedDetail(skipped),
      ...subjectDetail(results.subjects),
    });
    await deps.repository.setRoundBookkeeping(
      requestId,
      { nextReminderAt, reminders, lastEmailAt: now },
      { whilePending: true, history: entry },
    );
  }
  const expiry = epoch(request.expiresAt);
  // A hold placed while this round emailed: wait no longer than its end.
  const until = Math.min(
    mayRemind() && !heldNow ? epoch(nextReminderAt) : expiry,
    expiry,
    escalationWait(request) ?? expiry,
    holdUntil ? epoch(holdUntil) : expiry,
  );
  return waitUntil(until, now, request);
}

/**
 * The end of a hold with `until` (step 4 of a round). The emails go first, each claimed under the
 * round's reminder number, then they are counted (`reminders`, `holdEmails`, and `holdEndEmailed`:
 * which hold's end they were for), then the hold ends (history `hold-ended` with the recipients).
 * A retry of a round that died in between finds the hold still running and its emails counted: it
 * reuses their number, so its claims are taken and nobody gets the email twice. A decision that
 * came first (a release, an approval, a new hold) leaves the emails counted and recorded in a
 * `notified` entry (purpose `hold-ended`); the answer is then undefined.
 */
async function endHoldRound(deps: StepDeps, request: ApprovalRequest, rounds: RoundBookkeeping, now: string) {
  const until = holdEnd(request);
  // This hold, told apart from a later one with the same `until` by when it was placed.
  const hold = `${request.hold?.at}/${until}`;
  const after = holdEnded(request, now).request;
  const reminders = rounds.reminders ?? 0;
  const counted = rounds.holdEndEmailed === hold;
  const { recipients, skipped } = await emailableApprovers(deps.directory, request, undecidedApprovers(request));
  const slot = counted ? reminders : reminders < MAX_REMINDERS ? reminders + 1 : undefined;
  const results = slot ? await sendReminders(deps, after, recipients, slot, 'hold-ended') : { sent: [], claimedBefore: [], subjects: {} };
  const next: RoundBookkeeping = {
    nextReminderAt: plus(now, durationSeconds(request.remindAfter) ?? 0),
    ...(slot && !counted ? { reminders: slot, holdEmails: (rounds.holdEmails ?? 0) + 1, lastEmailAt: now, holdEndEmailed: hold } : {}),
  };
  await deps.repository.setRoundBookkeeping(request.id, next, { whilePending: true });
  const details = {
    recipients: results.sent,
    ...(results.claimedBefore.length ? { claimedBefore: results.claimedBefore } : {}),
    ...(slot ? {} : { overLimit: recipients }),
    ...skippedDetail(skipped),
    ...subjectDetail(results.subjects),
  };
  const ended = await endHoldInTime(deps, request.id, details);
  if (!ended) {
    if (results.sent.length > 0) await record(deps, request.id, now, 'notified', { purpose: 'hold-ended', until, ...details });
    return undefined;
  }
  return { request: ended, rounds: { ...rounds, ...next } };
}
