/**
 * ISO-8601 durations limited to what approval timing needs: days, hours,
 * minutes and seconds (`P1D`, `PT4H`, `P2DT12H`, `PT1S`). Years, months and
 * weeks are refused because their length in seconds is ambiguous.
 */
const PATTERN = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

/** Seconds in the duration, or undefined when it is not a supported ISO-8601 duration. */
export function durationSeconds(value: string): number | undefined {
  const match = PATTERN.exec(value);
  if (!match || value === 'P' || value.endsWith('T')) return undefined;
  const [, d, h, m, s] = match;
  const seconds = Number(d ?? 0) * 86400 + Number(h ?? 0) * 3600 + Number(m ?? 0) * 60 + Number(s ?? 0);
  return seconds > 0 ? seconds : undefined;
}

/** The longest wait Step Functions allows for a standard workflow (one year). */
export const MAX_DURATION_SECONDS = 365 * 86400;
