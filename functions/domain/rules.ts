/**
 * The approval rules, free of any I/O: creating a request from a profile, deciding on it, deleting
 * and expiring it. Each returns the next request and the history entry to write, or throws a DomainError.
 */
import { durationSeconds } from './duration';
import { assertHoldUntil, dueAt, endHold, release } from './hold';
import { conflict, forbidden, invalid } from './errors';
import { SUBJECT_SCHEMAS } from './kinds';
import type { CreateRequestBody, DecisionBody } from './bodies';
import { type ApprovalRequest, type HistoryEntry, type Identity, isAdmin, isAsciiEmail, type Outcome, isApprover } from './model';
import { MAX_REMINDERS, POLICY, WORKFLOW_ACTOR } from './model';
import type { Profile } from './profile';
import { approvalOf, assertNotParty, partiesOf, type Voter } from './people';
import { isGroupEntry, profileStages } from './stage-rules';
import { assertKeepsQuorumsReachable, assertReachable, rejectIfOutOfReach } from './reachability';
import { approveInStage, assertInCurrentStage, buildStages, currentStageIndex, type GroupMembers, settle, stageDetails } from './stages';
import { parse } from './validation';

export type { Voter } from './people';

export interface Change {
  request: ApprovalRequest;
  history: HistoryEntry;
  /** Further history entries of the same change, after `history` (a stage's start). */
  more?: HistoryEntry[];
  /** Set when this change ended the request: the workflow must be told. */
  outcome?: Outcome;
}

const actorOf = (who: Identity) => ({ id: who.id, email: who.email });
const addSeconds = (iso: string, seconds: number) => new Date(Date.parse(iso) + seconds * 1000).toISOString();

/** What the directory says about a new request's people (resolved by the use case). */
export interface ResolvedPeople {
  /** The holder of the card or certificate, where the directory or the subject names them. */
  holder?: { id?: string; email?: string; name?: string };
  /** The subs of the directory users whose verified email is each listed approver address. */
  owners?: Readonly<Record<string, readonly string[]>>;
  /** The enabled members with a verified email of each `group:` entry of the profile's stages. */
  members?: GroupMembers;
}

/**
 * A new request under a profile:
 * 1. validate the subject against the kind's schema;
 * 2. take each stage's approvers (a flat profile is one stage; groups as the directory resolved
 *    them), less every address of the requester and of the holder (by mailbox, or held by them in
 *    the directory): nobody approves their own request (domain/stages.ts);
 * 3. approve at once when the profile does not require approval for this kind;
 * 4. otherwise refuse a request with a stage whose quorum the distinct people left cannot reach.
 */
export function createRequest(
  id: string,
  body: Omit<CreateRequestBody, 'onBehalfOf'>,
  profile: Profile,
  requester: Identity,
  now: string,
  people: ResolvedPeople = {},
): Change {
  const subject = parse(SUBJECT_SCHEMAS[body.kind], body.subject, 'subject') as Record<string, unknown>;
  const needsApproval = profile.requireApprovalFor.includes(body.kind);
  const holder = people.holder?.id || people.holder?.email ? { holder: { ...people.holder } } : {};
  const parties = partiesOf({ requester: { id: requester.id, email: requester.email }, subject, ...holder });
  const built = buildStages(profileStages(profile), parties, people, now);
  if (needsApproval) assertReachable(built, profile.id);
  const stages = built.map(({ stage }) => stage);
  const first = stages[0] as (typeof stages)[number];
  const base: ApprovalRequest = {
    id,
    kind: body.kind,
    profileId: profile.id,
    subject,
    ...(body.justification ? { justification: body.justification } : {}),
    ...(body.callbackUrl ? { callbackUrl: body.callbackUrl } : {}),
    state: 'requested',
    requester: { id: requester.id, email: requester.email.toLowerCase() },
    ...holder,
    approvers: first.approvers,
    requiredApprovals: first.requiredApprovals,
    approvals: [],
    stages,
    currentStage: 0,
    onHold: false,
    remindAfter: profile.remindAfter,
    expireAfter: profile.expireAfter,
    maxReminders: profile.maxReminders,
    ...(profile.requireCommentOn?.length ? { requireCommentOn: [...profile.requireCommentOn] } : {}),
    ...(profile.allowDelegation === false ? { allowDelegation: false as const } : {}),
    createdAt: now,
    updatedAt: now,
    expiresAt: addSeconds(now, durationSeconds(profile.expireAfter) ?? 0),
    version: 1,
  };
  if (needsApproval) {
    // The profile's addresses left out as the requester's or the holder's, on the record: a holder
    // the requester names is theirs to name, and the other approvers can see whom it left out.
    const listed = profileStages(profile).flatMap((stage) => stage.approvers.filter((entry) => !isGroupEntry(entry)));
    const leftOut = [...new Set(listed.filter((address) => !stages.some((stage) => stage.approvers.includes(address))))];
    const details = { kind: body.kind, profileId: profile.id, ...(leftOut.length ? { leftOut } : {}) };
    return { request: settle(base), history: { at: now, type: 'created', actor: actorOf(requester), details } };
  }
  const reason = `profile ${profile.id} does not require approval for ${body.kind}`;
  return {
    request: settle({ ...base, state: 'approved', decision: { decision: 'approved', by: POLICY, at: now, reason } }),
    history: { at: now, type: 'approved', actor: POLICY, details: { reason, requestedBy: actorOf(requester) } },
    outcome: 'approved',
  };
}

export function canRead(request: ApprovalRequest, who: Identity): boolean {
  return request.requester.id === who.id || isApprover(who) || isAdmin(who);
}

/**
 * The caller's email as it counts: present, ASCII only and verified (`email_verified` true);
 * anything else is 403, so nobody poses as a listed approver with a look-alike or unverified address.
 */
export function countedEmail(who: Identity): string {
  if (!who.email) throw forbidden('the token carries no email address');
  if (!isAsciiEmail(who.email)) throw forbidden("the token's email address has characters outside ASCII");
  if (who.emailVerified !== true) throw forbidden("the token's email address is not verified (email_verified is not true)");
  return who.email.toLowerCase();
}

/** The caller's email if it counts (as countedEmail decides), or undefined: for reads keyed by email. */
export function emailIfCounted(who: Identity): string | undefined {
  return who.email && isAsciiEmail(who.email) && who.emailVerified === true ? who.email.toLowerCase() : undefined;
}

/**
 * What the token alone says about a decision through the API (the console shows its buttons by it):
 * in the `approvers` group, with an email that counts, listed, neither requester nor holder. The
 * API also asks the directory (usecases/people.ts resolveCaller).
 */
export function assertMayDecide(request: ApprovalRequest, who: Identity): void {
  if (!isApprover(who)) throw forbidden('only members of the approvers group may decide');
  assertListedApprover(request, { id: who.id, email: countedEmail(who), groups: who.groups });
}

/**
 * Who may decide at all (API or signed link), once the directory has said who the voter is (an
 * enabled member of `approvers`): neither the requester nor the holder, by sub or by mailbox, and
 * listed in the current stage under the address they decide with (domain/stages.ts).
 */
export function assertListedApprover(request: ApprovalRequest, voter: Voter): void {
  assertNotParty(request, voter);
  try {
    assertInCurrentStage(request, voter);
  } catch (error) {
    // Someone who approved an earlier stage is told that they approved (409), as in their own stage.
    if (request.state === 'requested' && hasApproved(request, voter)) throw conflict('you have already approved this request');
    throw error;
  }
}

/**
 * Whether this person has approved the request already: by one of their subs, or under any address
 * of their mailbox. A bare address (an approver's task entry) compares by mailbox.
 */
export function hasApproved(request: ApprovalRequest, voter: Voter | string): boolean {
  return approvalOf(request, voter) !== undefined;
}

/** Whether this person can decide now: the request is pending and they have not approved it. */
export function isOpenFor(request: ApprovalRequest, voter: Voter | string): boolean {
  return request.state === 'requested' && !hasApproved(request, voter);
}

function assertPending(request: ApprovalRequest): void {
  if (request.state !== 'requested') {
    throw conflict(`request is ${request.state}, no longer pending`, { state: request.state, decision: request.decision });
  }
}

/**
 * Past its expiry a request takes no decision, even before the workflow has marked it expired:
 * the expiry cannot lose a race against decisions (repeated holds) written after it was due.
 * While held until a time, the expiry waits (domain/hold.ts dueAt).
 */
function assertNotDue(request: ApprovalRequest, now: string): void {
  const due = dueAt(request);
  if (Date.parse(now) >= Date.parse(due)) {
    throw conflict(`request expired at ${due}`, { state: 'expired', expiresAt: due });
  }
}

/** The profile's requireCommentOn, copied onto the request: that decision needs a non-blank comment. */
function assertComment(request: ApprovalRequest, body: DecisionBody): void {
  const kind = body.decision;
  if ((kind === 'approve' || kind === 'hold') && request.requireCommentOn?.includes(kind) && !body.comment?.trim()) {
    throw invalid(`comment is required to ${kind} this request`, [{ field: 'comment', message: `is required to ${kind} this request` }]);
  }
}

/**
 * A decision by a listed approver (identity already checked):
 * - approve adds the approver to `approvals`; the N-th distinct person's approval approves the
 *   request; a person who approved already (by sub or mailbox) gets a conflict;
 * - reject (reason required) rejects it at once;
 * - hold sets `onHold` and keeps it pending; with `until` it pauses reminders and the expiry (domain/hold.ts);
 * - release ends a hold (409 when there is none); any listed approver may release.
 * Approve, reject and a new hold end a running hold (one with `until` moves `expiresAt` by the time held).
 */
export function decide(request: ApprovalRequest, who: Voter, body: DecisionBody, now: string, members?: GroupMembers): Change {
  assertPending(request);
  assertNotDue(request, now);
  const email = who.email.toLowerCase();
  const actor = { id: who.id, email };
  assertComment(request, body);
  if (body.decision === 'release') return release(request, actor, now);
  if (hasApproved(request, who)) {
    throw conflict('you have already approved this request');
  }
  if (body.until) assertHoldUntil(request, body.until, now);
  const comment = body.comment ? { comment: body.comment } : {};
  const { request: unheld, heldSeconds } = endHold(request, now);
  const ended = heldSeconds > 0 ? { heldSeconds, expiresAt: unheld.expiresAt } : {};
  const next = { ...unheld, updatedAt: now, version: request.version + 1 };
  if (body.decision === 'hold') {
    const until = body.until ? { until: new Date(body.until).toISOString() } : {};
    const counted = body.until ? { timedHolds: (request.timedHolds ?? 0) + 1 } : {};
    return {
      request: { ...next, ...counted, onHold: true, hold: { by: actor, at: now, ...until, ...comment } },
      history: {
        at: now,
        type: 'held',
        actor,
        details: { ...stageDetails(request), ...until, ...comment, ...(heldSeconds > 0 ? { previousHold: ended } : {}) },
      },
    };
  }
  if (body.decision === 'reject') {
    const reason = body.reason ?? '';
    return {
      request: settle({
        ...next,
        state: 'rejected',
        onHold: false,
        decision: { decision: 'rejected', by: actor, at: now, reason, ...comment },
      }),
      history: { at: now, type: 'rejected', actor, details: { ...stageDetails(request), reason, ...comment, ...ended } },
      outcome: 'rejected',
    };
  }
  // The quorum is the current stage's: its last approval starts the next stage or approves the request.
  assertKeepsQuorumsReachable(request, { by: actor, at: now, stage: currentStageIndex(request) ?? 0 });
  const step = approveInStage({ ...next, onHold: false }, { by: actor, at: now, ...comment }, { ...comment, ...ended }, members);
  return rejectIfOutOfReach(step, now);
}

/**
 * Admins or the requester delete a pending request: `deleted` is the ending of a pending request
 * only. An ended request (approved, rejected, expired, deleted) stays ended: 409 for everyone,
 * admins included, so its decision is never overwritten after the calling system acted on it. One
 * past its expiry has ended too, as for decisions, even before the workflow marks it expired: it
 * ends `expired`, never `deleted`.
 */
export function deleteRequest(request: ApprovalRequest, who: Identity, now: string, reason?: string): Change {
  if (!isAdmin(who) && request.requester.id !== who.id) throw forbidden('only admins or the requester may delete this request');
  assertPending(request);
  assertNotDue(request, now);
  const actor = actorOf(who);
  const extra = reason ? { reason } : {};
  return {
    request: settle({
      ...request,
      state: 'deleted',
      onHold: false,
      updatedAt: now,
      version: request.version + 1,
      decision: { decision: 'deleted', by: actor, at: now, ...extra },
    }),
    history: { at: now, type: 'deleted', actor, details: { previousState: request.state, ...extra } },
    outcome: 'deleted',
  };
}

/** Marks a pending request expired once its time has come. */
export function expire(request: ApprovalRequest, now: string): Change {
  assertPending(request);
  if (Date.parse(now) < Date.parse(dueAt(request))) throw conflict('request has not expired yet');
  return {
    request: settle({
      ...request,
      state: 'expired',
      onHold: false,
      updatedAt: now,
      version: request.version + 1,
      decision: { decision: 'expired', by: WORKFLOW_ACTOR, at: now, reason: `no decision within ${request.expireAfter}` },
    }),
    history: { at: now, type: 'expired', actor: WORKFLOW_ACTOR, details: { expireAfter: request.expireAfter } },
    outcome: 'expired',
  };
}

/** How many reminders this request may send. */
export function reminderLimit(request: ApprovalRequest): number {
  return Math.min(request.maxReminders, MAX_REMINDERS);
}
