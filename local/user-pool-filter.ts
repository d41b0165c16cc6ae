/**
 * ListUsers' `Filter` and the pagination tokens of the local user pool, as Cognito documents them:
 * `AttributeName Filter-Type "AttributeValue"`, one attribute, `=` (exact) or `^=` (starts with),
 * quotation marks and backslashes inside the value escaped with a backslash; an empty filter lists
 * every user. Searchable: username, email, phone_number, name, given_name, family_name,
 * preferred_username, cognito:user_status, status (Enabled / Disabled) and sub; nothing else (no
 * custom attributes). `username`, `status` and `sub` compare case-sensitively, the others not.
 */
import { AwsServiceError } from './aws-json-server';
import type { StoredUser } from './user-pool-store';

export interface UserFilter {
  attribute: string;
  type: '=' | '^=';
  value: string;
}

const SEARCHABLE = new Set([
  'username',
  'email',
  'phone_number',
  'name',
  'given_name',
  'family_name',
  'preferred_username',
  'cognito:user_status',
  'status',
  'sub',
]);
const CASE_SENSITIVE = new Set(['username', 'status', 'sub']);

/** The attribute name (bare or quoted), the type, then the quoted value with `\"` and `\\` escapes. */
const FILTER = /^\s*("?)([\w:]+)\1\s*(\^?=)\s*"((?:[^"\\]|\\.)*)"\s*$/s;

/** Undefined for an empty filter (every user); InvalidParameterException for anything malformed. */
export function parseUserFilter(filter: string | undefined): UserFilter | undefined {
  if (filter === undefined || filter.trim() === '') return undefined;
  const match = FILTER.exec(filter);
  if (!match) throw new AwsServiceError('InvalidParameterException', 'Error while parsing filter.');
  const [, , attribute = '', type, raw = ''] = match;
  if (!SEARCHABLE.has(attribute)) throw new AwsServiceError('InvalidParameterException', `Invalid search attribute: ${attribute}`);
  return { attribute, type: type as UserFilter['type'], value: raw.replace(/\\(.)/gs, '$1') };
}

/** The value a filter compares for this user (undefined: the user has no such attribute). */
function searched(user: StoredUser, attribute: string): string | undefined {
  if (attribute === 'username') return user.username;
  if (attribute === 'status') return user.enabled ? 'Enabled' : 'Disabled';
  if (attribute === 'cognito:user_status') return user.status;
  return user.attributes[attribute];
}

export function matchesFilter(user: StoredUser, filter: UserFilter | undefined): boolean {
  if (!filter) return true;
  const found = searched(user, filter.attribute);
  if (found === undefined) return false;
  const fold = (text: string) => (CASE_SENSITIVE.has(filter.attribute) ? text : text.toLowerCase());
  return filter.type === '=' ? fold(found) === fold(filter.value) : fold(found).startsWith(fold(filter.value));
}

/**
 * One page of `items` (sorted by `keyOf`), after the item a token names. A token is opaque to
 * clients and names the last key returned, so an item added or removed between pages neither
 * repeats nor hides another. `tokenField` names the request's field in errors.
 */
export function pageOf<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  limit: number,
  token: string | undefined,
  tokenField: string,
): { items: T[]; next?: string } {
  const sorted = [...items].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
  let start = 0;
  if (token !== undefined) {
    let after: unknown;
    try {
      after = (JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { after?: unknown }).after;
    } catch {
      after = undefined;
    }
    if (typeof after !== 'string') throw new AwsServiceError('InvalidParameterException', `Invalid ${tokenField}.`);
    start = sorted.findIndex((item) => keyOf(item) > after);
    if (start < 0) start = sorted.length;
  }
  const page = sorted.slice(start, start + limit);
  const last = page.at(-1);
  const more = start + limit < sorted.length && last !== undefined;
  return { items: page, ...(more ? { next: Buffer.from(JSON.stringify({ after: keyOf(last) })).toString('base64url') } : {}) };
}
