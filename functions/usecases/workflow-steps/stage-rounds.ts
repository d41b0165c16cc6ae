/**
 * The stages' part of a workflow round: a stage that started since the last round (its approvers
 * emailed, its reminders planned from its start) and a stage's escalation when its time has come
 * (the people it adds emailed). Both are rounds of the one state machine: a stage's start ends the
 * running wait through the outbox (Approvals.Replan), an escalation is one of the times a round
 * waits until (usecases/workflow-steps/plan-round.ts).
 */
import { durationSeconds } from '../../domain/duration';
import type { ApprovalRequest } from '../../domain/model';
import { escalatedAddresses, escalationDueAt } from '../../domain/escalation';
import { currentStageIndex, stageLabel } from '../../domain/stages';
import { escalateStage } from '../../lifecycle/stages';
import { plus } from '../checks';
import type { StepDeps } from '../deps';
import type { RoundBookkeeping } from '../ports';
import { sendApprovalEmails } from './approval-emails';
import { skippedDetail, workflowEntry } from './history';

const epoch = (iso: string) => Date.parse(iso);

/**
 * 1. When the current stage escalates now (not while held until a time: the round waits for the
 *    hold's end first), its `escalateTo` people join it (lifecycle, history `escalated`).
 * 2. The current stage's approvers never emailed about the request get the approval email (each
 *    claimed once per request, so a retried round, or an approver of two stages, gets it once):
 *    a new stage's approvers and the escalated people. At a new stage, the next reminder is a
 *    remindAfter after the stage's start.
 * 3. A stage started meanwhile (a decision while this round emailed) is emailed by this round too.
 * The first approval email of the request is the await-decision step's (rounds.notifiedAt).
 */
export async function stageRound(deps: StepDeps, request: ApprovalRequest, rounds: RoundBookkeeping, now: string): Promise<StageRound> {
  if (!rounds.notifiedAt || !request.stages?.length) return { request, rounds, emailed: [] };
  const due = escalationDueAt(request);
  let current = request;
  if (due && epoch(now) >= epoch(due)) current = (await escalateStage(deps, request.id)) ?? current;
  const index = currentStageIndex(current) ?? 0;
  const fresh = current.approvers.filter((address) => !rounds.approvalEmails?.[address]);
  const started = index !== (rounds.notifiedStage ?? 0);
  if (fresh.length === 0 && !started && current === request) return { request, rounds, emailed: [] };
  // The people the stage's escalation added get an email that says they were added (this round's, or a retried one's).
  const stage = current.stages?.[index];
  const escalated = escalatedAddresses(stage);
  const added = fresh.filter((address) => escalated.has(address));
  const results = await sendApprovalEmails(deps, current, fresh, added);
  const next: RoundBookkeeping = {
    notifiedStage: index,
    ...(started && stage?.startedAt ? { nextReminderAt: plus(stage.startedAt, durationSeconds(current.remindAfter) ?? 0) } : {}),
    // The requester's reminder waits a remindAfter after these emails too (usecases/reminders.ts).
    ...(results.sent.length > 0 ? { lastEmailAt: now } : {}),
  };
  const purpose = current !== request || added.length > 0 ? 'escalation' : started ? 'stage' : 'approval';
  const entry =
    results.sent.length > 0 || started || current !== request
      ? workflowEntry(deps.now(), 'notified', {
          recipients: results.sent,
          purpose,
          stage: index,
          ...(stageLabel(current, index) ? { stageName: stageLabel(current, index) } : {}),
          ...skippedDetail(results.skipped),
        })
      : undefined;
  await deps.repository.setRoundBookkeeping(current.id, next, { whilePending: true, history: entry });
  const latest = await deps.repository.getRequest(current.id);
  const after = { request: latest?.request ?? current, rounds: { ...(latest?.rounds ?? rounds), ...next }, emailed: results.sent };
  // A decision started the next stage while this round emailed: the outbox could only end the wait
  // before this round's, so this round emails that stage too (stages only move forward).
  const moved = after.request.state === 'requested' && (currentStageIndex(after.request) ?? 0) !== index;
  if (!moved) return after;
  const later = await stageRound(deps, after.request, after.rounds, now);
  return { ...later, emailed: [...after.emailed, ...later.emailed] };
}

/** The request and bookkeeping after the stages' part of a round, and whom it emailed (their approval email). */
export interface StageRound {
  request: ApprovalRequest;
  rounds: RoundBookkeeping;
  emailed: string[];
}

/** When the round waits until at the latest for the current stage's escalation (undefined: none due). */
export function escalationWait(request: ApprovalRequest): number | undefined {
  const due = escalationDueAt(request);
  return due ? epoch(due) : undefined;
}
