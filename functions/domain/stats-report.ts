/**
 * The answer of GET /stats from the day buckets of a range (stats.ts says what each counter holds):
 * counts by state and pending by age of the requests created in the range, time to decision and
 * decisions per day of the requests decided in it.
 */
import * as z from './zod';
import { invalid } from './errors';
import { STATES, type State } from './model';
import { bucketMiddle, type Counters, PERCENTILE_RELATIVE_ERROR } from './stats';

export const DAY_MS = 86_400_000;
/** The longest range one answer covers, in days (one bucket read per day). */
export const MAX_STATS_DAYS = 366;
/** The range when none is given: the last 30 days, today included. */
export const DEFAULT_STATS_DAYS = 30;

export interface StatsDay {
  day: string;
  counters: Counters;
}

export const statsReportSchema = z.object({
  from: z.string().check(z.describe('First day of the range (UTC, inclusive).')),
  to: z.string().check(z.describe('Last day of the range (UTC, inclusive).')),
  profileId: z.nullable(z.string()).check(z.describe('The profile counted; null: all profiles.')),
  counts: z
    .object(Object.fromEntries(STATES.map((state) => [state, z.int()])) as Record<State, z.ZodMiniInt>)
    .check(z.describe('Requests created in the range, by their state now.')),
  timeToDecision: z
    .object({
      decided: z.int().check(z.describe('Requests approved or rejected by a person in the range.')),
      p50Seconds: z.nullable(z.number()),
      p90Seconds: z.nullable(z.number()),
      relativeError: z
        .number()
        .check(z.describe('The most a percentile is off the exact nearest-rank value, as a fraction (0.0905: 9.05 %).')),
    })
    .check(z.describe('Time from creation to the decision that ended the request.')),
  pendingByAge: z
    .object({ under1Day: z.int(), from1To3Days: z.int(), from3To7Days: z.int(), over7Days: z.int() })
    .check(z.describe('Requests created in the range that are still pending, by age now (to the hour they were created in).')),
  decisionsPerDay: z
    .array(z.object({ date: z.string(), approve: z.int(), reject: z.int(), hold: z.int() }))
    .check(z.describe('Every day of the range, oldest first: approvers’ decisions made that day.')),
});
export type StatsReport = z.infer<typeof statsReportSchema>;

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const toDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The range asked for: `from`/`to` are days (YYYY-MM-DD) or ISO times (their UTC day); 400 naming the field otherwise. */
export function statsRange(query: { from?: string; to?: string }, now: string): { from: string; to: string } {
  const dayParam = (field: 'from' | 'to', value: string | undefined) => {
    if (value === undefined) return undefined;
    const ms = Date.parse(DAY.test(value) ? `${value}T00:00:00Z` : value);
    if (Number.isNaN(ms) || !(DAY.test(value) || /T/.test(value)))
      throw invalid(`${field} is not a day`, [{ field, message: 'must be a day (YYYY-MM-DD) or an ISO 8601 time' }]);
    return toDay(ms);
  };
  const to = dayParam('to', query.to) ?? toDay(Date.parse(now));
  const from = dayParam('from', query.from) ?? toDay(Date.parse(`${to}T00:00:00Z`) - (DEFAULT_STATS_DAYS - 1) * DAY_MS);
  if (from > to) throw invalid('from is after to', [{ field: 'from', message: 'must not be after to' }]);
  if (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`) >= MAX_STATS_DAYS * DAY_MS)
    throw invalid('range too long', [{ field: 'from', message: `must be at most ${MAX_STATS_DAYS} days before to` }]);
  return { from, to };
}

/** The nearest-rank percentile `p` (0..1] of a histogram of time buckets, as its bucket's middle; null when empty. */
export function percentile(histogram: Map<number, number>, p: number): number | null {
  const total = [...histogram.values()].reduce((sum, count) => sum + count, 0);
  if (total <= 0) return null;
  const rank = Math.max(1, Math.ceil(p * total));
  let seen = 0;
  for (const bucket of [...histogram.keys()].sort((a, b) => a - b)) {
    seen += histogram.get(bucket) ?? 0;
    if (seen >= rank) return Math.round(bucketMiddle(bucket) * 1000) / 1000;
  }
  return null;
}

export function statsReport(
  days: readonly StatsDay[],
  range: { from: string; to: string },
  profileId: string | undefined,
  now: string,
): StatsReport {
  const counts = Object.fromEntries(STATES.map((state) => [state, 0])) as Record<State, number>;
  const histogram = new Map<number, number>();
  const pendingByAge = { under1Day: 0, from1To3Days: 0, from3To7Days: 0, over7Days: 0 };
  const perDay = new Map<string, { approve: number; reject: number; hold: number }>();
  const nowMs = Date.parse(now);
  for (const { day, counters } of days) {
    if (day < range.from || day > range.to) continue;
    const decisions = { approve: 0, reject: 0, hold: 0 };
    for (const [name, value] of Object.entries(counters)) {
      const [kind, key = ''] = [name.slice(0, 1), name.slice(2)];
      if (kind === 'c' && key in counts) counts[key as State] += value;
      else if (kind === 'h') histogram.set(Number(key), (histogram.get(Number(key)) ?? 0) + value);
      else if (kind === 'd' && key in decisions) decisions[key as keyof typeof decisions] += value;
      else if (kind === 'p' && value > 0) {
        // The middle of the hour they were created in: ages are right to within half an hour.
        const ageDays = (nowMs - Date.parse(`${day}T${key}:30:00Z`)) / DAY_MS;
        const band = ageDays < 1 ? 'under1Day' : ageDays < 3 ? 'from1To3Days' : ageDays < 7 ? 'from3To7Days' : 'over7Days';
        pendingByAge[band] += value;
      }
    }
    perDay.set(day, decisions);
  }
  const decisionsPerDay: StatsReport['decisionsPerDay'] = [];
  for (let ms = Date.parse(`${range.from}T00:00:00Z`); ms <= Date.parse(`${range.to}T00:00:00Z`); ms += DAY_MS) {
    const date = toDay(ms);
    decisionsPerDay.push({ date, ...(perDay.get(date) ?? { approve: 0, reject: 0, hold: 0 }) });
  }
  return {
    from: range.from,
    to: range.to,
    profileId: profileId ?? null,
    counts,
    timeToDecision: {
      decided: [...histogram.values()].reduce((sum, count) => sum + count, 0),
      p50Seconds: percentile(histogram, 0.5),
      p90Seconds: percentile(histogram, 0.9),
      relativeError: Math.round(PERCENTILE_RELATIVE_ERROR * 10_000) / 10_000,
    },
    pendingByAge,
    decisionsPerDay,
  };
}
