/**
 * The counters behind GET /stats: what one stored change of a request adds to the day buckets
 * (per profile and for all profiles; the adapter keeps both), so that the answer reads one bucket
 * per day of the range whatever the number of requests. Pure rules; the outbox applies them once per
 * request version (usecases/stats.ts), stats-report.ts turns buckets into the answer.
 *
 * Counters, by the bucket of the day (UTC) they belong to:
 * - `c_<state>`: requests created that day, by their current state (a change of state moves one);
 * - `p_<HH>`: requests created that day in hour HH that are still pending (pending by age, to the hour);
 * - `h_<i>`: time to decision of requests decided that day by a person (approved or rejected),
 *   in log-scale bucket i (TIME_BUCKETS_PER_DOUBLING buckets per doubling of seconds);
 * - `d_approve`, `d_reject`, `d_hold`: decisions made that day (each approval, a rejection by a
 *   person, each hold placed).
 */
import type { ApprovalRequest } from './model';

/** Buckets per doubling of the time to decision: bucket i holds [2^(i/4), 2^((i+1)/4)) seconds. */
export const TIME_BUCKETS_PER_DOUBLING = 4;
/**
 * The largest relative error of a reported percentile: it is the geometric middle of its bucket, at
 * most 2^(1/8) - 1 (9.05 %) away from the nearest-rank percentile of the exact times.
 */
export const PERCENTILE_RELATIVE_ERROR = 2 ** (1 / (2 * TIME_BUCKETS_PER_DOUBLING)) - 1;

export type Counters = Record<string, number>;
/** Counter changes by day (`YYYY-MM-DD`, UTC). */
export type StatsDeltas = Map<string, Counters>;

/** The bucket of a time to decision in seconds (under 1 s: bucket 0). */
export function timeBucket(seconds: number): number {
  return seconds <= 1 ? 0 : Math.floor(TIME_BUCKETS_PER_DOUBLING * Math.log2(seconds));
}

/** The value reported for a bucket: the geometric middle of its bounds, in seconds. */
export function bucketMiddle(bucket: number): number {
  return 2 ** ((2 * bucket + 1) / (2 * TIME_BUCKETS_PER_DOUBLING));
}

export const dayOf = (iso: string) => iso.slice(0, 10);
const hourOf = (iso: string) => iso.slice(11, 13);
const isPerson = (id: string) => id !== 'policy' && id !== 'workflow';

function add(deltas: StatsDeltas, day: string, counter: string, by: number): void {
  const counters = deltas.get(day) ?? {};
  counters[counter] = (counters[counter] ?? 0) + by;
  if (counters[counter] === 0) delete counters[counter];
  if (Object.keys(counters).length === 0) deltas.delete(day);
  else deltas.set(day, counters);
}

/** What one stored change (the request before, undefined for a new one, and after) adds to the counters. */
export function statsDeltasOf(before: ApprovalRequest | undefined, after: ApprovalRequest | undefined): StatsDeltas {
  const deltas: StatsDeltas = new Map();
  if (!after) return deltas;
  const created = dayOf(after.createdAt);
  const pendingHour = `p_${hourOf(after.createdAt)}`;
  if (!before || before.state !== after.state) {
    if (before) add(deltas, created, `c_${before.state}`, -1);
    if (before?.state === 'requested') add(deltas, created, pendingHour, -1);
    add(deltas, created, `c_${after.state}`, 1);
    if (after.state === 'requested') add(deltas, created, pendingHour, 1);
    const decision = after.decision;
    if (decision && (decision.decision === 'approved' || decision.decision === 'rejected') && isPerson(decision.by.id)) {
      const seconds = Math.max(0, (Date.parse(decision.at) - Date.parse(after.createdAt)) / 1000);
      add(deltas, dayOf(decision.at), `h_${timeBucket(seconds)}`, 1);
      if (decision.decision === 'rejected') add(deltas, dayOf(decision.at), 'd_reject', 1);
    }
  }
  // Approvals are only ever appended: the new ones are those past the earlier list.
  for (const approval of after.approvals.slice(before?.approvals.length ?? 0)) {
    if (isPerson(approval.by.id)) add(deltas, dayOf(approval.at), 'd_approve', 1);
  }
  if (after.hold && after.hold.at !== before?.hold?.at && isPerson(after.hold.by.id)) add(deltas, dayOf(after.hold.at), 'd_hold', 1);
  return deltas;
}
