/**
 * GET /stats and the counters behind it. The outbox counts each stored change of a request into the
 * day buckets (domain/stats.ts) once per request version: the stats store applies a change's counter
 * changes together with the request's "counted up to version" mark, on the condition that the mark
 * is older, so a record the stream delivers again (after a failure further on, or a replayed batch)
 * is not counted twice. The stream gives one request's changes in order, so versions only grow.
 * An answer reads one bucket per day of the range (a Query of one partition), whatever the number
 * of requests.
 */
import { forbidden } from '../domain/errors';
import { type Identity, isAdmin, isApprover } from '../domain/model';
import { type StatsDeltas, statsDeltasOf } from '../domain/stats';
import { type StatsDay, type StatsReport, statsRange, statsReport } from '../domain/stats-report';
import type { RequestChange } from './outbox';
import type { Clock } from './ports';

/** The counter store: day buckets per profile and for all profiles, and each request's counted version. */
export interface StatsStore {
  /**
   * Adds `deltas` to the day buckets of `profileId` and of all profiles, and marks the request
   * counted up to `version`, in one transaction; `repeat` (nothing written) when that version or a
   * later one was counted already.
   */
  apply(requestId: string, version: number, profileId: string, deltas: StatsDeltas): Promise<'applied' | 'repeat'>;
  /** The day buckets from `from` to `to` (days, inclusive) of one profile, or of all when undefined. */
  days(profileId: string | undefined, from: string, to: string): Promise<StatsDay[]>;
}

/** Counts one stored change: `none` when it changes no counter. */
export async function countChange(stats: Pick<StatsStore, 'apply'>, change: RequestChange): Promise<'applied' | 'repeat' | 'none'> {
  const after = change.after?.request;
  if (!after) return 'none';
  const deltas = statsDeltasOf(change.before?.request, after);
  if (deltas.size === 0) return 'none';
  return stats.apply(after.id, after.version, after.profileId, deltas);
}

export interface StatsQuery {
  from?: string;
  to?: string;
  profileId?: string;
}

/** GET /stats: approvers and admins only. */
export async function readStats(
  deps: { stats: Pick<StatsStore, 'days'>; now: Clock },
  who: Identity,
  query: StatsQuery,
): Promise<StatsReport> {
  if (!isApprover(who) && !isAdmin(who)) throw forbidden('only approvers and admins may read the statistics');
  const now = deps.now();
  const range = statsRange(query, now);
  const days = await deps.stats.days(query.profileId, range.from, range.to);
  return statsReport(days, range, query.profileId, now);
}
