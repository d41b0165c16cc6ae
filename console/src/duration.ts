/**
 * Profile durations in words and as a number with a unit. The API keeps ISO-8601 (`PT4H`, `P3D`):
 * the console shows "4 hours" and "3 days", and its editor turns a number and a unit back into ISO-8601.
 */
import { durationSeconds } from '../../functions/domain/duration';

export const DURATION_UNITS = ['days', 'hours', 'minutes', 'seconds'] as const;
export type DurationUnit = (typeof DURATION_UNITS)[number];

const UNIT_SECONDS: Record<DurationUnit, number> = { days: 86400, hours: 3600, minutes: 60, seconds: 1 };
const SINGULAR: Record<DurationUnit, string> = { days: 'day', hours: 'hour', minutes: 'minute', seconds: 'second' };

const counted = (count: number, unit: DurationUnit) => `${count} ${count === 1 ? SINGULAR[unit] : unit}`;

/** `PT4H` → "4 hours", `P2DT12H` → "2 days 12 hours"; anything the API would refuse is shown as it is. */
export function formatDuration(iso: string): string {
  let rest = durationSeconds(iso);
  if (rest === undefined) return iso;
  const parts: string[] = [];
  for (const unit of DURATION_UNITS) {
    const count = Math.floor(rest / UNIT_SECONDS[unit]);
    rest -= count * UNIT_SECONDS[unit];
    if (count > 0) parts.push(counted(count, unit));
  }
  return parts.join(' ');
}

export interface DurationParts {
  amount: number;
  unit: DurationUnit;
}

/** The largest unit that holds the duration whole: `PT36H` → 36 hours, `P2D` → 2 days, `PT90M` → 90 minutes. */
export function durationParts(iso: string): DurationParts | undefined {
  const seconds = durationSeconds(iso);
  if (seconds === undefined) return undefined;
  const unit = DURATION_UNITS.find((candidate) => seconds % UNIT_SECONDS[candidate] === 0) ?? 'seconds';
  return { amount: seconds / UNIT_SECONDS[unit], unit };
}

/** 4 hours → `PT4H`, 3 days → `P3D`; undefined unless the amount is a whole number above zero. */
export function isoDuration(amount: number, unit: DurationUnit): string | undefined {
  if (!Number.isSafeInteger(amount) || amount < 1) return undefined;
  switch (unit) {
    case 'days':
      return `P${amount}D`;
    case 'hours':
      return `PT${amount}H`;
    case 'minutes':
      return `PT${amount}M`;
    default:
      return `PT${amount}S`;
  }
}

/** The API's messages name durations in ISO-8601 and fields by their JSON names: say them as the form does. */
export const durationsInWords = (message: string) =>
  message
    .replace(/\bP(?=[\dT])[\dDTHMS]+\b/g, (iso) => formatDuration(iso))
    .replace(/\bremindAfter\b/g, 'Remind after')
    .replace(/\bexpireAfter\b/g, 'Expire after');
