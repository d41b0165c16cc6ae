/**
 * Delegation (out of office): an approver (the delegator) hands their decisions over to a delegate
 * for a time. While it is active the delegate gets the delegator's approval emails (with their own
 * links) and may decide once for the delegator where the delegator may: the approval records `by`
 * (the delegate) and `for` (the delegator). Free of any I/O: the use cases resolve both people in
 * the directory and read the delegation from the store.
 * - Never on a request whose profile says `allowDelegation: false` (copied onto the request).
 * - Never on the delegate's own request or one they hold (as for any voter).
 * - One hop: only the listed approver's own delegation counts; a delegate's delegation is not followed.
 * - One person, one vote: the delegator's vote counts once, whoever cast it, and a person's
 *   approvals count once per request, their own or one for someone (the quorum is of distinct people).
 */
import * as z from './zod';
import { conflict, forbidden, invalid } from './errors';
import type { Actor, ApprovalRequest } from './model';
import { emailSchema } from './model';
import { assertNotParty, mailbox, type Voter } from './people';
import type { DecisionBody } from './bodies';
import { assertListedApprover, type Change, decide, hasApproved } from './rules';
import { assertKeepsQuorumsReachable, rejectIfOutOfReach } from './reachability';
import { currentStageIndex, type GroupMembers, settle } from './stages';

/** A delegation lasts at most this long (from its start, or from now when it started earlier). */
export const MAX_DELEGATION_DAYS = 90;
/** A delegation starts at most this far ahead. */
export const MAX_DELEGATION_START_DAYS = 365;
const DAY_MS = 86_400_000;

const isoTime = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date and time such as 2030-01-31T09:00:00Z' });

/** `PUT /me/delegation`: the delegate's email and the time span (the rule checks the times against now). */
export const delegationBodySchema = z.strictObject({
  to: emailSchema,
  until: isoTime,
  from: z.optional(isoTime),
});
export type DelegationBody = z.infer<typeof delegationBodySchema>;

/** A stored delegation: who hands over to whom, from when until when. */
export interface Delegation {
  /** The approver handing over: their sub and verified email. */
  delegator: { id: string; email: string };
  /** The delegate: their sub and verified email in the directory. */
  to: { id: string; email: string };
  from: string;
  until: string;
  createdAt: string;
}

/** What the API answers for a delegation. */
export interface DelegationView {
  to: string;
  from: string;
  until: string;
  createdAt: string;
  /** Whether it is in effect now (from ≤ now < until). */
  active: boolean;
}

const at = (iso: string) => Date.parse(iso);
const toIso = (iso: string) => new Date(iso).toISOString();

/**
 * A new delegation from `delegator` to the directory user `to`, checked against `now`: not to
 * yourself (by sub or mailbox), `until` after `from` and in the future, `from` at most a year
 * ahead, at most MAX_DELEGATION_DAYS long. Every refusal is a 400 naming the field.
 */
export function newDelegation(
  delegator: { id: string; email: string },
  to: { id: string; email: string },
  body: DelegationBody,
  now: string,
): Delegation {
  assertNotYourself(delegator, to);
  const from = body.from ? toIso(body.from) : now;
  const until = toIso(body.until);
  const field = (name: string, message: string) => invalid(`${name} ${message}`, [{ field: name, message }]);
  if (at(until) <= at(from)) throw field('until', 'must be after from');
  if (at(until) <= at(now)) throw field('until', 'must be in the future');
  if (at(from) > at(now) + MAX_DELEGATION_START_DAYS * DAY_MS)
    throw field('from', `must be at most ${MAX_DELEGATION_START_DAYS} days ahead`);
  if (at(until) - Math.max(at(from), at(now)) > MAX_DELEGATION_DAYS * DAY_MS) {
    throw field('until', `must be at most ${MAX_DELEGATION_DAYS} days after from`);
  }
  return { delegator: { ...delegator }, to: { ...to }, from, until, createdAt: now };
}

/** A delegation to yourself (by sub, or by mailbox: `name+tag@domain` is `name@domain`) is a 400 naming `to`. */
export function assertNotYourself(delegator: { id: string; email: string }, to: { id?: string; email: string }): void {
  if (to.id === delegator.id || mailbox(to.email) === mailbox(delegator.email)) {
    throw invalid('to must be someone other than yourself', [{ field: 'to', message: 'must be someone other than yourself' }]);
  }
}

/** Whether the delegation is in effect at `now`. */
export function isActive(delegation: Pick<Delegation, 'from' | 'until'>, now: string): boolean {
  return at(delegation.from) <= at(now) && at(now) < at(delegation.until);
}

export function viewOf(delegation: Delegation, now: string): DelegationView {
  const { from, until, createdAt } = delegation;
  return { to: delegation.to.email, from, until, createdAt, active: isActive(delegation, now) };
}

/** Whether the request's profile lets delegates decide (default true). */
export const allowsDelegation = (request: Pick<ApprovalRequest, 'allowDelegation'>) => request.allowDelegation !== false;

/**
 * Whether the delegate could decide for the delegator on this request now (changing nothing): the
 * same checks as decideFor, without the decision's own (pending, comment, ...).
 */
export function assertMayActFor(request: ApprovalRequest, delegate: Voter, delegator: Voter, delegation: Delegation, now: string): void {
  if (!allowsDelegation(request)) throw forbidden("this request's profile does not allow delegates to decide (allowDelegation is false)");
  if (!isActive(delegation, now) || delegation.to.id !== delegate.id || delegation.delegator.id !== delegator.id) {
    throw forbidden(`you have no active delegation from ${delegator.email}`);
  }
  assertNotParty(request, delegate);
  assertListedApprover(request, delegator);
}

/** Whether this delegate may still cast the delegator's vote (pending, neither voted yet). */
export function isOpenForDelegate(request: ApprovalRequest, delegate: Voter, delegator: Voter): boolean {
  return request.state === 'requested' && !hasApproved(request, delegator) && !hasApproved(request, delegate);
}

/**
 * A decision by the delegate for the delegator (both already resolved in the directory), under
 * the delegation read from the store: refused (403) where the profile forbids delegation, where the
 * delegation is not active or not from this delegator to this delegate, where the delegate is the
 * requester or holder, and where the delegator may not decide; 409 once the delegator's vote was
 * cast (by them or a delegate) or the delegate approved (themselves or for someone). Then it is
 * the delegator's decision (domain/rules.ts decide), recorded `by` the delegate `for` the delegator.
 */
export function decideFor(
  request: ApprovalRequest,
  delegate: Voter,
  delegator: Voter,
  delegation: Delegation,
  body: DecisionBody,
  now: string,
  /** The next stage's groups, when this approval may start it (domain/stages.ts). */
  members?: GroupMembers,
): Change {
  assertMayActFor(request, delegate, delegator, delegation, now);
  if (request.state === 'requested' && body.decision !== 'release' && hasApproved(request, delegator)) {
    throw conflict(`${delegator.email} has already approved this request`);
  }
  const actingFor = { id: delegator.id, email: delegator.email.toLowerCase() };
  const change = decide(request, delegate, body, now, members);
  if (body.decision === 'approve') {
    // The approval is the delegate's vote and the delegator's (domain/reachability.ts).
    const by = { id: delegate.id, email: delegate.email.toLowerCase() };
    assertKeepsQuorumsReachable(request, { by, for: actingFor, at: now, stage: currentStageIndex(request) ?? 0 });
  }
  // Counted with the delegator's vote too: a stage this approval started may be out of reach.
  return rejectIfOutOfReach(recordedFor(request, change, actingFor), now);
}

/** The change with `for` on what the delegate recorded: the new approval, the outcome or hold, and the history entry. */
function recordedFor(before: ApprovalRequest, change: Change, delegator: Actor): Change {
  const request = { ...change.request };
  const { approvals } = change.request;
  const last = approvals[approvals.length - 1];
  if (last && approvals.length > before.approvals.length) {
    const counted = { ...last, for: delegator };
    request.approvals = [...approvals.slice(0, -1), counted];
    request.stages = request.stages?.map((stage) => ({
      ...stage,
      approvals: stage.approvals.map((one) => (one === last ? counted : one)),
    }));
  }
  // The delegate's own decision (not the service's rejection of a stage started out of reach).
  if (request.decision?.at === change.history.at && request.decision.by.id === change.history.actor.id) {
    request.decision = { ...request.decision, for: delegator };
  }
  if (change.history.type === 'held' && request.hold) request.hold = { ...request.hold, for: delegator };
  // `awaiting` again, now that the delegator's vote is counted too.
  return { ...change, request: settle(request), history: { ...change.history, details: { ...change.history.details, for: delegator } } };
}
