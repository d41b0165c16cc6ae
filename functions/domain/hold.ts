/**
 * Hold until: a hold with an `until` pauses the request's clock. While it lasts, reminders wait
 * and the request does not expire; when it ends (at `until`, by a release, or by an approval or a
 * rejection) `expiresAt` moves later by the time the request was held, never past the hard limit
 * (createdAt + 360 days), and the current stage's escalation (domain/escalation.ts) comes later by the
 * time that stage was held. A hold without `until` pauses nothing (reminders continue).
 */
import { conflict, invalid } from './errors';
import { type ApprovalRequest, type HistoryEntry, MAX_EXPIRE_SECONDS, type RequestStage, WORKFLOW_ACTOR } from './model';
import { currentStageIndex } from './stages';

/** A hold's `until` is at most this far ahead. */
export const MAX_HOLD_SECONDS = 30 * 86400;
/**
 * A request takes at most this many holds with `until`: each may add up to two rounds to the
 * workflow (one that finds the hold, one at its end), so the execution's history stays bounded
 * (docs/architecture.md: History events per execution).
 */
export const MAX_TIMED_HOLDS = 20;

const epoch = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

/** The latest a request may ever expire: createdAt + 360 days. */
export function hardLimit(request: Pick<ApprovalRequest, 'createdAt'>): string {
  return iso(epoch(request.createdAt) + MAX_EXPIRE_SECONDS * 1000);
}

/** The time a running hold ends by itself, if it has one. */
export function holdEnd(request: Pick<ApprovalRequest, 'onHold' | 'hold'>): string | undefined {
  return request.onHold && request.hold?.until ? request.hold.until : undefined;
}

/**
 * When the request expires if nothing else happens: `expiresAt`, or while held until a time,
 * `expiresAt` moved by the whole hold (never past the hard limit).
 */
export function dueAt(request: Pick<ApprovalRequest, 'onHold' | 'hold' | 'expiresAt' | 'createdAt'>): string {
  const until = holdEnd(request);
  if (!until || !request.hold) return request.expiresAt;
  return movedExpiry(request, epoch(until) - epoch(request.hold.at));
}

function movedExpiry(request: Pick<ApprovalRequest, 'expiresAt' | 'createdAt'>, heldMs: number): string {
  return iso(Math.min(epoch(request.expiresAt) + Math.max(0, heldMs), epoch(hardLimit(request))));
}

/** A hold's `until`, when given: after now, at most 30 days ahead and before the hard limit (else 400 naming `until`). */
export function assertHoldUntil(request: ApprovalRequest, until: string, now: string): void {
  if ((request.timedHolds ?? 0) >= MAX_TIMED_HOLDS) {
    throw conflict(`this request was held until a time ${MAX_TIMED_HOLDS} times already; hold it without until`, {
      timedHolds: request.timedHolds,
    });
  }
  const problem =
    epoch(until) <= epoch(now)
      ? 'must be later than now'
      : epoch(until) - epoch(now) > MAX_HOLD_SECONDS * 1000
        ? 'must be at most 30 days ahead'
        : epoch(until) >= epoch(hardLimit(request))
          ? `must be before ${hardLimit(request)} (the request's creation + 360 days)`
          : undefined;
  if (problem) throw invalid(`until ${problem}`, [{ field: 'until', message: problem }]);
}

/**
 * The request with its hold ended at `at`: `onHold` false and, for a hold with `until`, `expiresAt`
 * moved by the time held (until `at`, or `until` if that came first). `heldSeconds` is that time.
 */
export function endHold(request: ApprovalRequest, at: string): { request: ApprovalRequest; heldSeconds: number } {
  const until = holdEnd(request);
  if (!request.onHold) return { request, heldSeconds: 0 };
  if (!until || !request.hold) return { request: { ...request, onHold: false }, heldSeconds: 0 };
  const heldMs = Math.max(0, Math.min(epoch(at), epoch(until)) - epoch(request.hold.at));
  const expiresAt = movedExpiry(request, heldMs);
  const stages = withStageHeld(request, Math.min(epoch(at), epoch(until)));
  return { request: { ...request, onHold: false, expiresAt, ...(stages ? { stages } : {}) }, heldSeconds: Math.round(heldMs) / 1000 };
}

/**
 * How long the current stage has been held until a time, up to `end` (ms): the running hold's part
 * that falls in the stage (a hold that began before the stage started counts from the start).
 */
export function stageHeldMs(request: Pick<ApprovalRequest, 'hold'>, stage: RequestStage, end: number): number {
  if (!request.hold?.until || !stage.startedAt) return 0;
  return Math.max(0, end - Math.max(epoch(request.hold.at), epoch(stage.startedAt)));
}

/** The stages with the current one's `heldSeconds` grown by the running hold up to `end`; undefined when nothing changes. */
function withStageHeld(request: ApprovalRequest, end: number): RequestStage[] | undefined {
  const index = currentStageIndex(request);
  const stage = index === null ? undefined : request.stages?.[index];
  const heldMs = stage ? stageHeldMs(request, stage, end) : 0;
  if (!stage || heldMs <= 0) return undefined;
  const stages = [...(request.stages ?? [])];
  stages[index as number] = { ...stage, heldSeconds: (stage.heldSeconds ?? 0) + Math.round(heldMs) / 1000 };
  return stages;
}

/** A release by a listed approver: the hold ends now, the request stays pending (409 when not on hold). */
export function release(request: ApprovalRequest, actor: { id: string; email: string }, now: string) {
  if (!request.onHold) throw conflict('request is not on hold', { state: request.state, onHold: false });
  const ended = endHold(request, now);
  const next = { ...ended.request, updatedAt: now, version: request.version + 1 };
  const history: HistoryEntry = {
    at: now,
    type: 'hold-released',
    actor,
    details: { heldSeconds: ended.heldSeconds, expiresAt: next.expiresAt, ...(request.hold?.until ? { until: request.hold.until } : {}) },
  };
  return { request: next, history };
}

/**
 * What a workflow round's wait depends on besides the reminders the round sends itself: the current
 * stage, the end of a hold with `until`, and the expiry. A decision that changes none of them (an
 * approval short of the stage's quorum) leaves a planned wait right.
 */
export const waitBasis = (request: Pick<ApprovalRequest, 'currentStage' | 'onHold' | 'hold' | 'expiresAt'>): string =>
  [request.currentStage ?? 0, holdEnd(request) ?? '', request.expiresAt].join('|');

/** The hold's time has come (a workflow round): the hold ends at `until` and the expiry moves. */
export function holdEnded(request: ApprovalRequest, now: string) {
  const until = holdEnd(request);
  if (request.state !== 'requested' || !until) throw conflict('request is not held until a time');
  if (epoch(now) < epoch(until)) throw conflict('the hold has not ended yet');
  const ended = endHold(request, until);
  const next = { ...ended.request, updatedAt: now, version: request.version + 1 };
  const history: HistoryEntry = {
    at: now,
    type: 'hold-ended',
    actor: WORKFLOW_ACTOR,
    details: { until, heldSeconds: ended.heldSeconds, expiresAt: next.expiresAt },
  };
  return { request: next, history };
}
