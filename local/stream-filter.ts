/**
 * Lambda's event filtering, for the local stream poller: whether a stream record matches one of
 * the event source mapping's filter patterns (functions/adapters/dynamodb/stream.ts), so that
 * `npm start` hands the consumer the records Lambda would. Only the pattern forms the service uses
 * are understood (a list of exact strings or booleans, `anything-but` a list of strings); any other form
 * throws, so a filter the poller cannot apply is never silently ignored.
 */

type Pattern = { readonly [key: string]: Pattern | readonly unknown[] };

function matchesValue(value: unknown, rules: readonly unknown[]): boolean {
  return rules.some((rule) => {
    if (typeof rule === 'string' || typeof rule === 'boolean') return value === rule;
    if (rule && typeof rule === 'object' && 'anything-but' in rule) {
      const excluded = (rule as { 'anything-but': readonly string[] })['anything-but'];
      return typeof value === 'string' && !excluded.includes(value);
    }
    throw new Error(`local stream filter: unsupported rule ${JSON.stringify(rule)}`);
  });
}

/** Whether `record` (a Lambda stream record) matches the pattern: every key the pattern names must match. */
export function matchesPattern(record: unknown, pattern: Pattern): boolean {
  return Object.entries(pattern).every(([key, rule]) => {
    const value = record && typeof record === 'object' ? (record as Record<string, unknown>)[key] : undefined;
    if (Array.isArray(rule)) return matchesValue(value, rule);
    return value !== undefined && matchesPattern(value, rule as Pattern);
  });
}

/** Whether a record passes the mapping's filters (any one of them). */
export function passesFilters(record: unknown, filters: readonly Pattern[]): boolean {
  return filters.some((pattern) => matchesPattern(record, pattern));
}
