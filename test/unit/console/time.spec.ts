import { dayRange, formatLocal, formatUtc, localUntil, relativeTime } from '../../../console/src/time';

const now = Date.parse('2026-12-06T07:00:00.000Z');
const later = (ms: number) => new Date(now + ms).toISOString();
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe('times as the viewer reads them', () => {
  it.each([
    [5 * HOUR, 'in 5 h'],
    [5 * HOUR - 1000, 'in 5 h'],
    [5 * HOUR + 29 * MINUTE, 'in 5 h'],
    [5 * HOUR + 31 * MINUTE, 'in 6 h'],
    [45 * MINUTE, 'in 45 min'],
    [30 * 1000, 'in less than a minute'],
    [0, 'in less than a minute'],
    [30 * HOUR, 'in 30 h'],
    [36 * HOUR, 'in 2 d'],
    [48 * HOUR - 1000, 'in 2 d'],
    [2 * DAY, 'in 2 d'],
    [3 * DAY + 11 * HOUR, 'in 3 d'],
    [3 * DAY + 13 * HOUR, 'in 4 d'],
    [44 * MINUTE + 40 * 1000, 'in 45 min'],
    [-12 * MINUTE, '12 min ago'],
    [-3 * HOUR, '3 h ago'],
    [-10 * DAY, '10 d ago'],
    [-1000, 'less than a minute ago'],
  ])('says a time %d ms away is "%s"', (offset, text) => {
    expect(relativeTime(later(offset), now)).toBe(text);
    expect(relativeTime(later(offset), new Date(now))).toBe(text);
  });

  it('shows the viewer the time in their own zone, and the UTC time as the audit trail writes it', () => {
    const iso = '2026-12-06T07:15:30.000Z';
    expect(formatUtc(iso)).toBe('2026-12-06 07:15 UTC');
    expect(formatLocal(iso, { locale: 'en-GB', timeZone: 'Europe/Berlin' })).toBe('6 Dec 2026, 08:15');
    expect(formatLocal(iso, { locale: 'en-US', timeZone: 'America/New_York' })).toBe('Dec 6, 2026, 2:15 AM');
    expect(formatLocal(iso, { locale: 'en-GB', timeZone: 'UTC' })).toBe('6 Dec 2026, 07:15');
  });

  it.each([undefined, ''])('shows a missing time (%j) as a dash', (iso) => {
    expect(formatUtc(iso)).toBe('-');
    expect(formatLocal(iso)).toBe('-');
  });

  it('shows text that is no time as it is', () => {
    expect(formatUtc('soon')).toBe('soon');
    expect(formatLocal('soon')).toBe('soon');
    expect(relativeTime('soon', now)).toBe('soon');
  });
});

describe("the Requests page's date range: whole days in the viewer's time zone, both ends included", () => {
  const local = (iso: string | undefined) => {
    const date = new Date(iso as string);
    return [date.getFullYear(), date.getMonth() + 1, date.getDate(), date.getHours(), date.getMinutes()];
  };

  it('from is the start of the first day, to the start of the day after the last', () => {
    const { from, to } = dayRange('2026-12-01', '2026-12-06');
    expect(local(from)).toEqual([2026, 12, 1, 0, 0]);
    expect(local(to)).toEqual([2026, 12, 7, 0, 0]);
  });

  it('one day is a range of one day, across a year end too', () => {
    const { from, to } = dayRange('2026-12-31', '2026-12-31');
    expect(local(from)).toEqual([2026, 12, 31, 0, 0]);
    expect(local(to)).toEqual([2027, 1, 1, 0, 0]);
  });

  it('either end may be left out; what is not a day is ignored', () => {
    expect(dayRange(null, '2026-02-28').from).toBeUndefined();
    expect(local(dayRange(null, '2026-02-28').to)).toEqual([2026, 3, 1, 0, 0]);
    expect(dayRange('yesterday', '2026-13-45x')).toEqual({ from: undefined, to: undefined });
    expect(dayRange(null, null)).toEqual({ from: undefined, to: undefined });
  });
});

describe('a hold end picked as a local date and time', () => {
  it('is the ISO time of that local moment', () => {
    expect(localUntil('2026-12-08', '10:00')).toBe(new Date(2026, 11, 8, 10, 0, 0).toISOString());
    expect(localUntil('2026-12-08', '10:00:30')).toBe(new Date(2026, 11, 8, 10, 0, 30).toISOString());
  });
  it.each([
    ['2026-12', '10:00'],
    ['2026-12-08', '10'],
    ['', ''],
    ['2026-13-45', '10:00'],
  ])('is undefined for an incomplete or impossible %s %s', (day, time) => expect(localUntil(day, time)).toBeUndefined());
});
