/**
 * Times as a viewer reads them: their own local time (the UTC time, as the audit trail and the emails
 * write it, on hover), and how far away a time is ("in 5 h").
 */

/** `2026-11-26 10:45 UTC`: the same for every viewer, as in the audit trail and the emails. */
export function formatUtc(iso: string | undefined): string {
  if (!iso) return '-';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** The viewer's local date and time, in their locale and time zone (both overridable for tests). */
export function formatLocal(iso: string | undefined, options: { locale?: string; timeZone?: string } = {}): string {
  if (!iso) return '-';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(options.locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: options.timeZone }).format(date);
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * How far `iso` is from `now`, rounded to one unit: "in 5 h", "in 3 d", "12 min ago",
 * "in less than a minute". Minutes below an hour, hours below a day and a half ("in 30 h", not "in 1 d").
 */
export function relativeTime(iso: string, now: Date | number = Date.now()): string {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return iso;
  const delta = at - (typeof now === 'number' ? now : now.getTime());
  const span = Math.abs(delta);
  let amount: string;
  if (span < MINUTE) return delta >= 0 ? 'in less than a minute' : 'less than a minute ago';
  if (span < HOUR) amount = `${Math.round(span / MINUTE)} min`;
  else if (span < 36 * HOUR) amount = `${Math.round(span / HOUR)} h`;
  else amount = `${Math.round(span / DAY)} d`;
  return delta >= 0 ? `in ${amount}` : `${amount} ago`;
}

/**
 * The date range of the Requests page: whole days in the browser's time zone, both ends included,
 * as the API's created-at range (`from` at the start of the first day, `to` at the start of the
 * day after the last). The page's address keeps the days (`from=2026-12-01&to=2026-12-06`).
 */
export function dayRange(first: string | null, last: string | null): { from?: string; to?: string } {
  const startOf = (day: string, plusDays = 0) => {
    const [year, month, date] = day.split('-').map(Number);
    const time = new Date(year as number, (month as number) - 1, (date as number) + plusDays);
    return Number.isNaN(time.getTime()) ? undefined : time.toISOString();
  };
  const isDay = (day: string | null): day is string => Boolean(day && /^\d{4}-\d{2}-\d{2}$/.test(day));
  return { from: isDay(first) ? startOf(first) : undefined, to: isDay(last) ? startOf(last, 1) : undefined };
}

/** The local date (YYYY-MM-DD) and time (HH:mm) as an ISO time; undefined when incomplete or not a time. */
export function localUntil(day: string, time: string): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || !/^\d{2}:\d{2}(:\d{2})?$/.test(time)) return undefined;
  const date = new Date(`${day}T${time.length === 5 ? `${time}:00` : time}`);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
