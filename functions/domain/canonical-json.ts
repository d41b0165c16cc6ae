/**
 * JSON canonicalization (RFC 8785, JCS) for JSON values: object members sorted by their names'
 * UTF-16 code units, no whitespace, strings and numbers as ECMAScript's JSON.stringify writes them
 * (which is what RFC 8785 prescribes). Members whose value is `undefined` are left out, as
 * JSON.stringify leaves them out. Used for idempotency hashes and receipts' `subjectDigest`.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
