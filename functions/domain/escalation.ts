/**
 * A stage's escalation, free of any I/O: `escalateAfter` after the stage's start without its quorum,
 * its `escalateTo` people (addresses, `group:` members resolved by the use case) join its approvers,
 * once. The workflow applies it in a round (usecases/workflow-steps/stage-rounds.ts).
 */
import { durationSeconds } from './duration';
import { conflict } from './errors';
import { holdEnd, stageHeldMs } from './hold';
import { type ApprovalRequest, type RequestStage, WORKFLOW_ACTOR } from './model';
import { partiesOf } from './people';
import { groupName, isGroupEntry } from './stage-rules';
import { currentStageIndex, resolveEntries, type StagePeople, type StageStep, settle, stageLabel } from './stages';

/**
 * When the current stage escalates, if it has an escalation that has not happened: `escalateAfter`
 * after the stage's start, later by the time the stage was held until a time (and, while such a
 * hold runs, by the whole of it), as a held request's expiry is.
 */
export function escalationDueAt(request: ApprovalRequest): string | undefined {
  const current = currentStageIndex(request);
  const stage = current === null ? undefined : request.stages?.[current];
  if (!stage?.escalateAfter || !stage.escalateTo?.length || stage.escalatedAt || !stage.startedAt) return undefined;
  const until = holdEnd(request);
  const heldMs = (stage.heldSeconds ?? 0) * 1000 + (until ? stageHeldMs(request, stage, Date.parse(until)) : 0);
  return new Date(Date.parse(stage.startedAt) + (durationSeconds(stage.escalateAfter) ?? 0) * 1000 + heldMs).toISOString();
}

/** The addresses a stage's escalation brought (its `escalateTo` addresses and groups as resolved), once it escalated. */
export function escalatedAddresses(stage: RequestStage | undefined): Set<string> {
  if (!stage?.escalatedAt) return new Set();
  const entries = stage.escalateTo ?? [];
  const groups = entries.filter(isGroupEntry).flatMap((entry) => stage.groups?.[groupName(entry)] ?? []);
  return new Set([...entries.filter((entry) => !isGroupEntry(entry)), ...groups]);
}

/** The `group:` names of the current stage's escalation. */
export function escalationGroups(request: ApprovalRequest): string[] {
  const current = currentStageIndex(request);
  const stage = current === null ? undefined : request.stages?.[current];
  return (stage?.escalateTo ?? []).filter(isGroupEntry).map(groupName);
}

/**
 * The current stage escalates (a workflow round, `escalateAfter` after its start without its
 * quorum): its `escalateTo` people (less the requester and the holder) join its approvers, once.
 */
export function escalate(request: ApprovalRequest, now: string, people: StagePeople): StageStep {
  const due = escalationDueAt(request);
  if (request.state !== 'requested' || !due) throw conflict('the current stage has no escalation pending');
  if (Date.parse(now) < Date.parse(due)) throw conflict('the escalation is not due yet');
  const index = currentStageIndex(request) as number;
  const stages = (request.stages ?? []).map((stage) => ({ ...stage }));
  const stage = stages[index] as RequestStage;
  const resolved = resolveEntries(stage.escalateTo ?? [], partiesOf(request), people);
  const added = resolved.approvers.filter((address) => !stage.approvers.includes(address));
  stage.approvers = [...stage.approvers, ...added];
  stage.entries = [...new Set([...(stage.entries ?? []), ...(stage.escalateTo ?? [])])];
  // A group the stage lists already keeps the members it had: one who left it since is still known
  // as its member, so the decision-time check (still in the group?) refuses them (domain/stages.ts).
  const groups: Record<string, string[]> = { ...stage.groups };
  for (const [name, addresses] of Object.entries(resolved.groups)) groups[name] = [...new Set([...(groups[name] ?? []), ...addresses])];
  if (Object.keys(groups).length) stage.groups = groups;
  stage.escalatedAt = now;
  const next = settle({ ...request, stages, updatedAt: now, version: request.version + 1 });
  const label = stageLabel(next, index);
  return {
    request: next,
    history: {
      at: now,
      type: 'escalated',
      actor: WORKFLOW_ACTOR,
      details: { stage: index, ...(label ? { stageName: label } : {}), escalateAfter: stage.escalateAfter, added },
    },
  };
}
