import fc from 'fast-check';
import type { ApprovalRequest } from '../../../functions/domain/model';
import { bucketMiddle, PERCENTILE_RELATIVE_ERROR, statsDeltasOf, timeBucket } from '../../../functions/domain/stats';
import { percentile, statsRange, statsReport } from '../../../functions/domain/stats-report';
import { pendingRequest } from '../../helpers/memory/requests';

const created = '2026-12-01T09:15:00.000Z';
const pending = (overrides: Partial<ApprovalRequest> = {}) => pendingRequest({ createdAt: created, ...overrides });
const counters = (deltas: Map<string, Record<string, number>>) => Object.fromEntries(deltas);

describe('what a stored change adds to the day buckets', () => {
  test('a new request: one more requested, and pending in the hour it was created', () => {
    expect(counters(statsDeltasOf(undefined, pending()))).toEqual({ '2026-12-01': { c_requested: 1, p_09: 1 } });
  });

  test('approved by a person a day later: moved to approved on its creation day; the decision and its time on the decision day', () => {
    const at = '2026-12-02T09:15:00.000Z';
    const approved = pending({
      state: 'approved',
      version: 2,
      approvals: [{ by: { id: 'carol' }, at }],
      decision: { decision: 'approved', by: { id: 'carol' }, at },
    });
    expect(counters(statsDeltasOf(pending(), approved))).toEqual({
      '2026-12-01': { c_requested: -1, p_09: -1, c_approved: 1 },
      // 86,400 s: bucket floor(4 · log2(86400)) = 65.
      '2026-12-02': { h_65: 1, d_approve: 1 },
    });
  });

  test('approved at once by policy: counted as approved, no decision and no time to decision', () => {
    const byPolicy = pending({ state: 'approved', decision: { decision: 'approved', by: { id: 'policy' }, at: created } });
    expect(counters(statsDeltasOf(undefined, byPolicy))).toEqual({ '2026-12-01': { c_approved: 1 } });
  });

  test('expired or deleted: moved out of pending, no decision', () => {
    const expired = pending({
      state: 'expired',
      version: 2,
      decision: { decision: 'expired', by: { id: 'workflow' }, at: '2026-12-03T09:15:00.000Z' },
    });
    expect(counters(statsDeltasOf(pending(), expired))).toEqual({ '2026-12-01': { c_requested: -1, p_09: -1, c_expired: 1 } });
  });

  test('an approval short of the quorum and a hold: decisions only', () => {
    const first = pending({ version: 2, approvals: [{ by: { id: 'carol' }, at: '2026-12-01T10:00:00.000Z' }] });
    expect(counters(statsDeltasOf(pending(), first))).toEqual({ '2026-12-01': { d_approve: 1 } });
    const held = pending({ version: 2, onHold: true, hold: { by: { id: 'dave' }, at: '2026-12-01T11:00:00.000Z' } });
    expect(counters(statsDeltasOf(pending(), held))).toEqual({ '2026-12-01': { d_hold: 1 } });
  });

  test('bookkeeping and a repeat of the same image: nothing', () => {
    expect(statsDeltasOf(pending(), pending()).size).toBe(0);
    expect(statsDeltasOf(pending(), undefined).size).toBe(0);
  });
});

describe('the /stats answer from the buckets', () => {
  test('counts, pending by age to the hour, decisions on every day of the range', () => {
    const report = statsReport(
      [
        { day: '2026-11-20', counters: { c_requested: 1, p_09: 1, c_rejected: 2 } },
        { day: '2026-12-04', counters: { c_requested: 2, p_08: 1, p_23: 1, d_approve: 3, d_reject: 1, h_40: 2, h_60: 1 } },
        { day: '2026-12-06', counters: { c_requested: 1, p_07: 1, d_hold: 1 } },
      ],
      { from: '2026-11-20', to: '2026-12-06' },
      undefined,
      '2026-12-06T10:00:00.000Z',
    );
    expect(report.counts).toEqual({ requested: 4, approved: 0, rejected: 2, expired: 0, deleted: 0 });
    // 12-04 23:30 is 1 d 10.5 h old, 12-04 08:30 2 d 1.5 h, 12-06 07:30 2.5 h, 11-20 09:30 16 d.
    expect(report.pendingByAge).toEqual({ under1Day: 1, from1To3Days: 2, from3To7Days: 0, over7Days: 1 });
    expect(report.decisionsPerDay).toHaveLength(17);
    expect(report.decisionsPerDay.find((day) => day.date === '2026-12-04')).toEqual({ date: '2026-12-04', approve: 3, reject: 1, hold: 0 });
    expect(report.decisionsPerDay.at(-1)).toEqual({ date: '2026-12-06', approve: 0, reject: 0, hold: 1 });
    expect(report.timeToDecision.decided).toBe(3);
    expect(report.timeToDecision.p50Seconds).toBeCloseTo(bucketMiddle(40), 2);
    expect(report.timeToDecision.p90Seconds).toBeCloseTo(bucketMiddle(60), 2);
  });

  test('the range: days or times, 30 days to today by default, 400 naming the field when wrong', () => {
    expect(statsRange({}, '2026-12-06T10:00:00.000Z')).toEqual({ from: '2026-11-07', to: '2026-12-06' });
    expect(statsRange({ from: '2026-12-01T23:00:00-02:00', to: '2026-12-03' }, '2026-12-06T10:00:00.000Z')).toEqual({
      from: '2026-12-02',
      to: '2026-12-03',
    });
    expect(() => statsRange({ from: 'last week' }, '2026-12-06T10:00:00.000Z')).toThrow(
      expect.objectContaining({ details: [expect.objectContaining({ field: 'from' })] }),
    );
    expect(() => statsRange({ from: '2026-12-05', to: '2026-12-01' }, '2026-12-06T10:00:00.000Z')).toThrow('from is after to');
    expect(() => statsRange({ from: '2025-01-01', to: '2026-12-01' }, '2026-12-06T10:00:00.000Z')).toThrow('range too long');
  });

  test('property: a percentile from the histogram is within PERCENTILE_RELATIVE_ERROR of the exact nearest-rank value', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 2, max: 360 * 86_400 }), { minLength: 1, maxLength: 200 }),
        fc.constantFrom(0.5, 0.9),
        (times, p) => {
          const histogram = new Map<number, number>();
          for (const seconds of times) histogram.set(timeBucket(seconds), (histogram.get(timeBucket(seconds)) ?? 0) + 1);
          const sorted = [...times].sort((a, b) => a - b);
          const exact = sorted[Math.ceil(p * sorted.length) - 1] as number;
          const reported = percentile(histogram, p) as number;
          expect(Math.abs(reported - exact) / exact).toBeLessThanOrEqual(PERCENTILE_RELATIVE_ERROR + 1e-6);
        },
      ),
    );
  });
});
