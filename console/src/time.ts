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
