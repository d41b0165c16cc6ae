/**
 * Whether a request's stages can reach their quorums, free of any I/O. One person approves once per
 * request, across all stages, so a stage that lists enough people can still be out of reach: some
 * of them may be needed by, or have approved in, another stage. The stages can all reach their
 * quorums when every approval they still need can be given by a distinct person of its stage at
 * once: a matching of people to missing approvals (augmenting paths; at most 5 stages of 10).
 * - A new request is refused (400) when a stage cannot reach its quorum;
 * - an approval is refused (409) when it would leave a later stage (or its own) out of reach that
 *   was within reach before it: the approver is needed there. One that was out of reach already
 *   (a directory change) refuses no one;
 * - a stage that starts out of reach (its groups, resolved again, lost people since the create) ends
 *   the request, rejected by the service with the reason, rather than leaving it to expire.
 */
import { conflict, invalid } from './errors';
import { type Approval, type ApprovalRequest, type RequestStage, WORKFLOW_ACTOR } from './model';
import { mailbox, personKeys } from './people';
import { isGroupEntry } from './stage-rules';
import { approvedMailboxes, currentStageIndex, type StageStep, settle, stageLabel, stageOfApproval, stagesOf } from './stages';

export interface StageNeed {
  /** Who may still approve in the stage, one key per person. */
  people: readonly string[];
  /** How many more approvals the stage needs. */
  need: number;
}

/** The first stage whose missing approvals cannot all be given along with those of the stages before it; -1 when every stage's can. */
export function firstUnreachable(stages: readonly StageNeed[]): number {
  const given = new Map<string, number>(); // person → the missing approval they give
  const stageOf: number[] = []; // missing approval → its stage
  const place = (slot: number, tried: Set<string>): boolean => {
    for (const person of stages[stageOf[slot] as number]?.people ?? []) {
      if (tried.has(person)) continue;
      tried.add(person);
      const taken = given.get(person);
      if (taken === undefined || place(taken, tried)) {
        given.set(person, slot);
        return true;
      }
    }
    return false;
  };
  for (const [index, stage] of stages.entries()) {
    for (let missing = 0; missing < stage.need; missing++) {
      stageOf.push(index);
      if (!place(stageOf.length - 1, new Set())) return index;
    }
  }
  return -1;
}

type Owners = Readonly<Record<string, readonly string[]>>;

/**
 * A new request is refused (400 naming profileId) when a stage cannot reach its quorum with the
 * people it has (the requester and the holder left out), alone or once the stages before it have
 * theirs. People are told apart as the directory knows them (`owners`: the subs holding each address).
 */
export function assertReachable(built: ReadonlyArray<{ stage: RequestStage; available: number; owners: Owners }>, profileId: string): void {
  const owners: Record<string, string[]> = {};
  for (const stage of built)
    for (const [address, subs] of Object.entries(stage.owners)) owners[address] = [...(owners[address] ?? []), ...subs];
  const person = personKeys(
    built.flatMap(({ stage }) => stage.approvers),
    owners,
  );
  const short = firstUnreachable(
    built.map(({ stage }) => ({ people: [...new Set(stage.approvers.map(person))], need: stage.requiredApprovals })),
  );
  const failing = built[short];
  if (!failing) return;
  const { requiredApprovals, name } = failing.stage;
  const where = built.length > 1 ? `stage ${short + 1} (${name}) of profileId ${profileId}` : `profileId ${profileId}`;
  throw invalid(
    failing.available < requiredApprovals
      ? `${where} needs ${requiredApprovals} approval(s) but lists only ${failing.available} approver(s) other than the requester and the holder`
      : `${where} needs ${requiredApprovals} approval(s) from people who do not approve an earlier stage, and too few of its approvers are left once the earlier stages have theirs (one person approves once per request)`,
    [{ field: 'profileId', message: 'has too few approvers for this requester and holder' }],
  );
}

/**
 * What each stage from the current one still needs, and who may still give it, by mailbox, given
 * these approvals. What cannot be known yet is taken as able to reach its quorum: a later stage
 * with `group:` entries (its groups are resolved again when it starts), and a stage whose
 * escalation, not yet happened, names a group. A stage whose escalation has not happened may also
 * gain its `escalateTo` addresses.
 */
function stillNeeded(request: ApprovalRequest, approvals: readonly Approval[]): StageNeed[] {
  const used = approvedMailboxes(approvals);
  const current = currentStageIndex(request) ?? 0;
  return stagesOf(request)
    .slice(current)
    .map((stage, offset) => {
      const pending = stage.escalatedAt ? [] : (stage.escalateTo ?? []);
      const regrouped = offset > 0 && (stage.entries ?? []).some(isGroupEntry);
      if (regrouped || pending.some(isGroupEntry)) return { people: [], need: 0 };
      const people = [...new Set([...stage.approvers, ...pending].map(mailbox))].filter((box) => !used.has(box));
      const given = approvals.filter((approval) => stageOfApproval(approval) === current + offset).length;
      return { people, need: Math.max(0, stage.requiredApprovals - given) };
    });
}

/**
 * An approval in the current stage (`approval`, not yet in `request.approvals`) is refused (409)
 * when the stages could all reach their quorums before it and not after: its approver is needed in
 * a later stage (or the same approver counts twice). Compared by mailbox, which never refuses more
 * than the directory's view of people would.
 */
export function assertKeepsQuorumsReachable(request: ApprovalRequest, approval: Approval): void {
  if (firstUnreachable(stillNeeded(request, request.approvals)) >= 0) return;
  const short = firstUnreachable(stillNeeded(request, [...request.approvals, approval]));
  if (short < 0) return;
  const at = (currentStageIndex(request) ?? 0) + short;
  const label = stageLabel(request, at) ?? 'this stage';
  throw conflict(
    `your approval is needed at ${label}: approving now would leave it too few approvers to reach its quorum (one person approves once per request)`,
    { stage: at },
  );
}

/**
 * An approval that started the next stage (its `group:` entries resolved again): when the stages
 * from it can no longer reach their quorums, its escalation included, nobody could finish the
 * request, so the service rejects it at once, saying which stage and why.
 */
export function rejectIfOutOfReach(step: StageStep, now: string): StageStep {
  if (!step.more?.length || step.request.state !== 'requested') return step;
  const short = firstUnreachable(stillNeeded(step.request, step.request.approvals));
  if (short < 0) return step;
  const at = (currentStageIndex(step.request) ?? 0) + short;
  const reason = `${stageLabel(step.request, at) ?? 'A stage'} cannot reach its quorum: too few of its approvers may still decide (the directory changed since the request was made, or they approved an earlier stage)`;
  const decision = { decision: 'rejected' as const, by: WORKFLOW_ACTOR, at: now, reason };
  return {
    request: settle({ ...step.request, state: 'rejected', onHold: false, decision }),
    history: step.history,
    more: [...step.more, { at: now, type: 'rejected', actor: WORKFLOW_ACTOR, details: { stage: at, reason } }],
    outcome: 'rejected',
  };
}
