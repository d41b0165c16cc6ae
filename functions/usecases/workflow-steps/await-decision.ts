/**
 * The await-decision workflow step (waitForTaskToken): the wait of a round. DynamoDB holds the
 * truth: the step reads the request first, so a step that runs twice does no harm.
 */
import { durationSeconds } from '../../domain/duration';
import { dueAt } from '../../domain/hold';
import type { Outcome } from '../../domain/model';
import { CHECK_GRACE_SECONDS, earliest, plus } from '../checks';
import type { StepDeps } from '../deps';
import { sendApprovalEmails } from './approval-emails';
import { record, skippedDetail, subjectDetail } from './history';

/**
 * Stores the task token on the request while it is pending (with the time the reconciler looks
 * again if this wait does not end as planned) and emails the approvers once. If the request ended
 * before the task token could be stored, the wait is ended at once with that outcome: a decision
 * is never lost between two rounds. Likewise a stage's start the outbox could not tell this wait
 * about (it came before the token was stored) ends the wait at once (Approvals.Replan).
 */
export async function awaitDecision(deps: StepDeps, requestId: string, taskToken: string, waitSeconds?: number): Promise<void> {
  const stored = await deps.repository.getRequest(requestId);
  const started = deps.now();
  const checkAt = stored
    ? plus(waitSeconds ? earliest(plus(started, waitSeconds), dueAt(stored.request)) : dueAt(stored.request), CHECK_GRACE_SECONDS)
    : undefined;
  const pending = stored ? await deps.repository.setRoundBookkeeping(requestId, { taskToken, checkAt }, { whilePending: true }) : false;
  if (!pending) {
    const latest = await deps.repository.getRequest(requestId);
    const state = latest?.request.state;
    await deps.workflow.finish(taskToken, (state && state !== 'requested' ? state : 'deleted') as Outcome);
    return;
  }
  if (stored?.rounds.notifiedAt && (stored.request.stages?.length ?? 0) > 1 && (await stageMovedSincePlan(deps, requestId))) {
    // A stage started after this round was planned and before its task token was stored: the
    // outbox could not end this wait (it saw the token before), so it ends now and the next round plans.
    await deps.workflow.replan(taskToken);
    return;
  }
  if (stored && !stored.rounds.notifiedAt) {
    const results = await sendApprovalEmails(deps, stored.request);
    const now = deps.now();
    const nextReminderAt = stored.rounds.nextReminderAt ?? plus(stored.request.createdAt, durationSeconds(stored.request.remindAfter) ?? 0);
    // The stage emailed now (a decision may have started a later one before the workflow's first round).
    const notifiedStage = stored.request.currentStage ?? 0;
    await deps.repository.setRoundBookkeeping(requestId, { notifiedAt: now, nextReminderAt, notifiedStage });
    await record(deps, requestId, now, 'notified', {
      recipients: results.sent,
      ...skippedDetail(results.skipped),
      ...subjectDetail(results.subjects),
    });
  }
}

/** Whether the request's current stage is not the one the last round emailed (read again, after the task token is stored). */
async function stageMovedSincePlan(deps: StepDeps, requestId: string): Promise<boolean> {
  const latest = await deps.repository.getRequest(requestId);
  return latest?.request.state === 'requested' && (latest.request.currentStage ?? 0) !== (latest.rounds.notifiedStage ?? 0);
}
