/**
 * The await-decision workflow step (waitForTaskToken): the wait of a round. DynamoDB holds the
 * truth: the step reads the request first, so a step that runs twice does no harm.
 */
import { durationSeconds } from '../../domain/duration';
import { dueAt, waitBasis } from '../../domain/hold';
import type { Outcome } from '../../domain/model';
import { CHECK_GRACE_SECONDS, earliest, plus } from '../checks';
import type { StepDeps } from '../deps';
import { sendApprovalEmails } from './approval-emails';
import { skippedDetail, subjectDetail, workflowEntry } from './history';

/**
 * Stores the task token on the request while it is pending (with the time the reconciler looks
 * again if this wait does not end as planned) and emails the approvers once. If the request ended
 * before the task token could be stored, the wait is ended at once with that outcome: a decision
 * is never lost between two rounds. Likewise a change since the round was planned of what its wait
 * depends on (`plannedBasis`, domain/hold.ts waitBasis: a stage's start, a hold placed, released or
 * ended), which the outbox could only tell the wait before this one, ends the wait at once
 * (Approvals.Replan) and the next round plans from it: otherwise the wait would run to the time
 * planned from the old request (a released hold's `until`, the old stage's reminders). So does a
 * stage whose start no round has emailed (`notifiedStage` behind the request's current stage).
 */
export async function awaitDecision(
  deps: StepDeps,
  requestId: string,
  taskToken: string,
  waitSeconds?: number,
  plannedBasis?: string,
): Promise<void> {
  const stored = await deps.repository.getRequest(requestId);
  const started = deps.now();
  const checkAt = stored
    ? plus(waitSeconds ? earliest(plus(started, waitSeconds), dueAt(stored.request)) : dueAt(stored.request), CHECK_GRACE_SECONDS)
    : undefined;
  const waitBasis = plannedBasis ? { waitBasis: plannedBasis } : {};
  const pending = stored
    ? await deps.repository.setRoundBookkeeping(requestId, { taskToken, checkAt, ...waitBasis }, { whilePending: true })
    : false;
  if (!pending) {
    const latest = await deps.repository.getRequest(requestId);
    const state = latest?.request.state;
    await deps.workflow.finish(taskToken, (state && state !== 'requested' ? state : 'deleted') as Outcome);
    return;
  }
  if (plannedBasis && (await changedSincePlan(deps, requestId, plannedBasis))) {
    await deps.workflow.replan(taskToken);
    return;
  }
  // A stage that started while the first approval emails went out, seen by no round: the outbox
  // ended that wait, and the round after it read the request before those emails were counted.
  // The next round emails the stage (stage-rounds.ts).
  if (stored?.rounds.notifiedAt && (stored.rounds.notifiedStage ?? 0) !== (stored.request.currentStage ?? 0)) {
    await deps.workflow.replan(taskToken);
    return;
  }
  if (stored && !stored.rounds.notifiedAt) {
    const results = await sendApprovalEmails(deps, stored.request);
    const now = deps.now();
    const nextReminderAt = stored.rounds.nextReminderAt ?? plus(stored.request.createdAt, durationSeconds(stored.request.remindAfter) ?? 0);
    // The stage emailed now (a decision may have started a later one before the workflow's first round).
    const notifiedStage = stored.request.currentStage ?? 0;
    const entry = workflowEntry(now, 'notified', {
      recipients: results.sent,
      ...skippedDetail(results.skipped),
      ...subjectDetail(results.subjects),
    });
    await deps.repository.setRoundBookkeeping(requestId, { notifiedAt: now, nextReminderAt, notifiedStage }, { history: entry });
  }
}

/** Whether what the wait depends on changed since the round was planned (read again, after the task token is stored). */
async function changedSincePlan(deps: StepDeps, requestId: string, plannedBasis: string): Promise<boolean> {
  const latest = await deps.repository.getRequest(requestId);
  return latest?.request.state === 'requested' && waitBasis(latest.request) !== plannedBasis;
}
