import fc from 'fast-check';
import { durationSeconds } from '../../../functions/domain/duration';
import { DURATION_UNITS, durationParts, durationsInWords, formatDuration, isoDuration } from '../../../console/src/duration';

const UNIT_SECONDS = { days: 86400, hours: 3600, minutes: 60, seconds: 1 } as const;

describe('profile durations in words and as a number with a unit', () => {
  it.each([
    ['PT4H', '4 hours'],
    ['P3D', '3 days'],
    ['P1D', '1 day'],
    ['PT1H', '1 hour'],
    ['PT30M', '30 minutes'],
    ['PT1S', '1 second'],
    ['P2DT12H', '2 days 12 hours'],
    ['PT36H', '1 day 12 hours'],
    ['PT90M', '1 hour 30 minutes'],
    ['P1DT1H1M1S', '1 day 1 hour 1 minute 1 second'],
  ])('shows %s as "%s"', (iso, words) => {
    expect(formatDuration(iso)).toBe(words);
  });

  it.each(['three days', 'P1W', 'PT0H', 'P', ''])('shows %j, which the API refuses, as it is', (text) => {
    expect(formatDuration(text)).toBe(text);
  });

  it.each([
    ['PT4H', { amount: 4, unit: 'hours' }],
    ['P3D', { amount: 3, unit: 'days' }],
    ['PT48H', { amount: 2, unit: 'days' }],
    ['PT36H', { amount: 36, unit: 'hours' }],
    ['PT90M', { amount: 90, unit: 'minutes' }],
    ['P1DT1S', { amount: 86401, unit: 'seconds' }],
  ])('offers %s in the editor as %j', (iso, parts) => {
    expect(durationParts(iso)).toEqual(parts);
  });

  it('offers nothing for a duration the API refuses', () => {
    expect(durationParts('three days')).toBeUndefined();
  });

  it.each([
    [4, 'hours', 'PT4H'],
    [3, 'days', 'P3D'],
    [45, 'minutes', 'PT45M'],
    [30, 'seconds', 'PT30S'],
  ] as const)('sends %d %s to the API as %s', (amount, unit, iso) => {
    expect(isoDuration(amount, unit)).toBe(iso);
  });

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('refuses %d as an amount', (amount) => {
    expect(isoDuration(amount, 'hours')).toBeUndefined();
  });

  it.each([
    ['must be at most P360D', 'must be at most 360 days'],
    ['must be shorter than expireAfter', 'must be shorter than Expire after'],
    ['must be at most one year', 'must be at most one year'],
    [
      'must be an ISO-8601 duration such as PT1H or P2D (days, hours, minutes, seconds)',
      'must be an ISO-8601 duration such as 1 hour or 2 days (days, hours, minutes, seconds)',
    ],
  ])('words the API message %j as %j', (message, words) => {
    expect(durationsInWords(message)).toBe(words);
  });

  it('sends any whole amount of any unit as an ISO-8601 duration the API reads back as the same seconds, and offers it again as entered or larger', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), fc.constantFrom(...DURATION_UNITS), (amount, unit) => {
        const iso = isoDuration(amount, unit) as string;
        const seconds = amount * UNIT_SECONDS[unit];
        expect(durationSeconds(iso)).toBe(seconds);
        const parts = durationParts(iso);
        expect(parts && parts.amount * UNIT_SECONDS[parts.unit]).toBe(seconds);
        expect(UNIT_SECONDS[parts?.unit ?? 'seconds']).toBeGreaterThanOrEqual(UNIT_SECONDS[unit]);
        // The words add up to the same duration.
        const words = formatDuration(iso);
        const total = [...words.matchAll(/(\d+) (day|hour|minute|second)s?/g)].reduce(
          (sum, [, count, name]) => sum + Number(count) * UNIT_SECONDS[`${name}s` as keyof typeof UNIT_SECONDS],
          0,
        );
        expect(total).toBe(seconds);
      }),
    );
  });
});
