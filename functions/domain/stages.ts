/**
 * Ordered stages of a request, free of any I/O (the use cases resolve `group:` entries in the
 * directory and hand the members over as data):
 * - stages run in order; only the current stage's approvers may decide and are awaited;
 * - a stage reaches its quorum when `requiredApprovals` distinct people approved in it; then the
 *   next starts (its groups resolved at that moment), and the last one's quorum approves the request;
 * - one person, one vote across all stages; the requester and the holder never count;
 * - an escalation adds the stage's `escalateTo` people to it once, `escalateAfter` after its start.
 * A request stored before stages reads as one stage made of its top-level approvers and quorum.
 */
import { forbidden } from './errors';
import { type Approval, type ApprovalRequest, type HistoryEntry, type Outcome, type RequestStage, WORKFLOW_ACTOR } from './model';
import { distinctPeople, keptApprovers, mailbox, partiesOf, type Voter } from './people';
import { FLAT_STAGE_NAME, groupName, isGroupEntry, type StageRule } from './stage-rules';

/** A directory group's enabled members with a verified email, by group name. */
export type GroupMembers = Readonly<Record<string, ReadonlyArray<{ sub: string; email: string }>>>;

/** What the directory says about the people of a stage's entries. */
export interface StagePeople {
  /** The subs of the directory users whose email is each listed address. */
  owners?: Readonly<Record<string, readonly string[]>>;
  members?: GroupMembers;
}

type Parties = ReturnType<typeof partiesOf>;

export const stageOfApproval = (approval: Approval) => approval.stage ?? 0;

/** The request's stages; one stored before stages reads as one stage. */
export function stagesOf(request: ApprovalRequest): RequestStage[] {
  if (request.stages?.length) return request.stages;
  const status = request.state === 'approved' ? 'approved' : request.state === 'rejected' ? 'rejected' : 'active';
  return [
    {
      name: FLAT_STAGE_NAME,
      approvers: request.approvers,
      requiredApprovals: request.requiredApprovals,
      approvals: request.approvals,
      status,
    },
  ];
}

/** The index of the running stage, or null once the request ended. */
export function currentStageIndex(request: ApprovalRequest): number | null {
  if (request.state !== 'requested') return null;
  return request.stages?.length ? (request.currentStage ?? 0) : 0;
}

/** The stage shown for the request: the running one, or the last one that ran. */
export function shownStageIndex(request: ApprovalRequest): number {
  const current = currentStageIndex(request);
  if (current !== null) return current;
  const stages = stagesOf(request);
  const ran = stages.map((stage, index) => (stage.status === 'waiting' ? -1 : index)).filter((index) => index >= 0);
  return ran.at(-1) ?? 0;
}

/** "Stage 2 of 3 · PKI officers", or undefined for a request of one stage (nothing to tell apart). */
export function stageLabel(request: ApprovalRequest, index = shownStageIndex(request)): string | undefined {
  const stages = stagesOf(request);
  const stage = stages[index];
  if (stages.length < 2 || !stage) return undefined;
  return `Stage ${index + 1} of ${stages.length} · ${stage.name}`;
}

/** The mailboxes that gave these approvals, themselves or by a delegate for them. */
export const approvedMailboxes = (approvals: readonly Approval[]) =>
  new Set(approvals.flatMap((approval) => [approval.by.email, approval.for?.email].flatMap((email) => (email ? [mailbox(email)] : []))));

/** The shown stage's addresses whose mailbox has not approved the request (in any stage). */
export function undecidedInStage(request: ApprovalRequest): string[] {
  const approved = approvedMailboxes(request.approvals);
  return (stagesOf(request)[shownStageIndex(request)]?.approvers ?? []).filter((address) => !approved.has(mailbox(address)));
}

/** `awaiting`: the current stage's approvers who may still decide; none once the request ended. */
export function awaitingApprovers(request: ApprovalRequest): string[] {
  return currentStageIndex(request) === null ? [] : undecidedInStage(request);
}

/** Every address of every stage (each once): who may have been emailed about the request. */
export function allStageApprovers(request: ApprovalRequest): string[] {
  return [...new Set(stagesOf(request).flatMap((stage) => stage.approvers))];
}

/**
 * A stage's addresses: its listed addresses less the requester's and the holder's (domain/people.ts
 * keptApprovers), and the members of its groups less the requester and the holder (by sub and mailbox).
 */
export function resolveEntries(entries: readonly string[], parties: Parties, people: StagePeople) {
  const direct = keptApprovers(
    entries.filter((entry) => !isGroupEntry(entry)),
    parties,
    people.owners,
  );
  const groups: Record<string, string[]> = {};
  const owners: Record<string, string[]> = { ...(people.owners as Record<string, string[]>) };
  for (const entry of entries.filter(isGroupEntry)) {
    const name = groupName(entry);
    const members = (people.members?.[name] ?? []).filter(
      (member) => !parties.ids.has(member.sub) && !parties.mailboxes.has(mailbox(member.email)),
    );
    groups[name] = [...new Set(members.map((member) => member.email.toLowerCase()))];
    for (const member of members) owners[member.email.toLowerCase()] = [...(owners[member.email.toLowerCase()] ?? []), member.sub];
  }
  const approvers = [...new Set([...direct, ...Object.values(groups).flat()])];
  return { approvers, groups, owners, available: distinctPeople(approvers, owners) };
}

/** A new request's stages: the first one active, each resolved now (and the later ones again at their start). */
export function buildStages(rules: readonly StageRule[], parties: Parties, people: StagePeople, now: string) {
  return rules.map((rule, index) => {
    const { approvers, groups, owners, available } = resolveEntries(rule.approvers, parties, people);
    const stage: RequestStage = {
      name: rule.name,
      approvers,
      requiredApprovals: rule.requiredApprovals,
      approvals: [],
      status: index === 0 ? 'active' : 'waiting',
      entries: [...rule.approvers],
      ...(Object.keys(groups).length ? { groups } : {}),
      ...(index === 0 ? { startedAt: now } : {}),
      ...(rule.escalateAfter ? { escalateAfter: rule.escalateAfter, escalateTo: [...(rule.escalateTo ?? [])] } : {}),
    };
    return { stage, available, owners };
  });
}

/**
 * The top-level fields that follow the stages: `approvers` and `requiredApprovals` are the current
 * (or last) stage's, `currentStage` is null once ended (the stage current then marked rejected by a
 * rejection), and `awaiting` lists who may still decide. A request stored before stages is left as is.
 */
export function settle(request: ApprovalRequest): ApprovalRequest {
  if (!request.stages?.length) return request;
  let stages = request.stages;
  const was = request.currentStage;
  if (request.state === 'rejected' && typeof was === 'number') {
    stages = stages.map((stage, index) => (index === was ? { ...stage, status: 'rejected', endedAt: request.updatedAt } : stage));
  }
  const next = { ...request, stages, currentStage: request.state === 'requested' ? (was ?? 0) : null };
  const shown = (stages[shownStageIndex(next)] ?? stages[0]) as RequestStage;
  return { ...next, approvers: shown.approvers, requiredApprovals: shown.requiredApprovals, awaiting: awaitingApprovers(next) };
}

/**
 * Whether this person may decide in the current stage: listed in it under the address they decide
 * with, and for an address the stage has only through `group:` entries, still in one of those
 * groups. A later stage's approver: 403 until their stage starts. Once the request ended, anyone
 * listed in a stage passes (the decision then says it is no longer pending).
 */
export function assertInCurrentStage(request: ApprovalRequest, voter: Voter): void {
  const email = voter.email.toLowerCase();
  const stages = stagesOf(request);
  const current = currentStageIndex(request);
  if (current === null) {
    if (stages.some((stage) => stage.approvers.includes(email))) return;
    throw forbidden('you are not an approver of this request');
  }
  const stage = stages[current] as RequestStage;
  if (stage.approvers.includes(email)) {
    const direct = (stage.entries ?? stage.approvers).includes(email);
    const via = Object.entries(stage.groups ?? {}).filter(([, addresses]) => addresses.includes(email));
    if (direct || via.length === 0 || via.some(([group]) => voter.groups?.includes(group))) return;
    throw forbidden(`you are no longer in the directory group ${via.map(([group]) => group).join(' or ')} of this stage`);
  }
  const later = stages.findIndex((other, index) => index > current && other.approvers.includes(email));
  if (later >= 0) throw forbidden(`your stage (${stageLabel(request, later)}) has not started yet`);
  const earlier = stages.findIndex((other, index) => index < current && other.approvers.includes(email));
  if (earlier >= 0)
    throw forbidden(`your stage (${stageLabel(request, earlier)}) has ended; the request is at ${stageLabel(request, current)}`);
  throw forbidden('you are not an approver of this request');
}

export interface StageStep {
  request: ApprovalRequest;
  history: HistoryEntry;
  more?: HistoryEntry[];
  outcome?: Outcome;
}

/**
 * An approval in the current stage (`next`: the request already moved on by the decision, without
 * the approval). Short of the stage's quorum it is one more approval; at the quorum of the last
 * stage the request is approved; at another stage's quorum the next stage starts (its groups
 * resolved again from `members` when given), with a `stage-started` history entry.
 */
export function approveInStage(
  next: ApprovalRequest,
  approval: Omit<Approval, 'stage'>,
  details: Record<string, unknown>,
  members?: GroupMembers,
): StageStep {
  const stages = stagesOf(next).map((stage) => ({ ...stage }));
  const index = currentStageIndex(next) ?? 0;
  const approvals = [...next.approvals, { ...approval, stage: index }];
  const stage = stages[index] as RequestStage;
  stage.approvals = approvals.filter((one) => stageOfApproval(one) === index);
  const label = stageLabel(next, index);
  const counts = {
    ...(next.stages?.length ? { stage: index } : {}),
    ...(label ? { stageName: label } : {}),
    approvals: stage.approvals.length,
    requiredApprovals: stage.requiredApprovals,
    ...details,
  };
  const actor = approval.by;
  const staged = (request: ApprovalRequest) => settle(next.stages?.length ? { ...request, stages } : request);
  if (stage.approvals.length < stage.requiredApprovals) {
    return { request: staged({ ...next, approvals }), history: { at: approval.at, type: 'approval', actor, details: counts } };
  }
  stage.status = 'approved';
  stage.endedAt = approval.at;
  if (index === stages.length - 1) {
    const decision = {
      decision: 'approved' as const,
      by: actor,
      at: approval.at,
      ...(approval.comment ? { comment: approval.comment } : {}),
    };
    return {
      request: staged({ ...next, approvals, state: 'approved', decision }),
      history: { at: approval.at, type: 'approved', actor, details: counts },
      outcome: 'approved',
    };
  }
  startStage(next, stages, index + 1, approval.at, members);
  const request = staged({ ...next, approvals, currentStage: index + 1 });
  const history: HistoryEntry = { at: approval.at, type: 'approval', actor, details: { ...counts, stageApproved: true } };
  return { request, history, more: [startedEntry(request, index + 1, approval.at)] };
}

function startStage(request: ApprovalRequest, stages: RequestStage[], index: number, now: string, members?: GroupMembers) {
  const stage = stages[index] as RequestStage;
  stage.status = 'active';
  stage.startedAt = now;
  if (members && stage.groups && stage.entries) {
    const direct = stage.approvers.filter((address) => stage.entries?.includes(address));
    const resolved = resolveEntries(stage.entries.filter(isGroupEntry), partiesOf(request), { members });
    stage.groups = resolved.groups;
    stage.approvers = [...new Set([...direct, ...resolved.approvers])];
  }
}

function startedEntry(request: ApprovalRequest, index: number, at: string): HistoryEntry {
  const stage = stagesOf(request)[index] as RequestStage;
  return {
    at,
    type: 'stage-started',
    actor: WORKFLOW_ACTOR,
    details: {
      stage: index,
      stageName: stageLabel(request, index),
      name: stage.name,
      approvers: stage.approvers,
      requiredApprovals: stage.requiredApprovals,
    },
  };
}

/** The `group:` names a stage's start would resolve: the next stage's, when the current one may reach its quorum now. */
export function groupsAtNextStart(request: ApprovalRequest): string[] {
  const current = currentStageIndex(request);
  const next = current === null ? undefined : request.stages?.[current + 1];
  return (next?.entries ?? []).filter(isGroupEntry).map(groupName);
}

/** The shown stage's count of approvals against its quorum, with its label ("Stage 2 of 3 · PKI officers") when there are stages to tell apart. */
export function stageProgress(request: ApprovalRequest): { label?: string; approvals: number; required: number } {
  const index = shownStageIndex(request);
  const stage = stagesOf(request)[index] as RequestStage;
  const approvals = request.approvals.filter((approval) => stageOfApproval(approval) === index).length;
  const label = stageLabel(request, index);
  return { ...(label ? { label } : {}), approvals, required: stage.requiredApprovals };
}

/** A history entry's stage details (`stage`, `stageName`) when the request has stages to tell apart. */
export function stageDetails(request: ApprovalRequest): Record<string, unknown> {
  const label = stageLabel(request);
  return label ? { stage: shownStageIndex(request), stageName: label } : {};
}
