/**
 * Signed approve/reject links. A link names one request, one action and one approver,
 * expires at a fixed time, and carries an HMAC-SHA256 over all of that plus the id of the
 * key that signed it. It never carries a Step Functions task token.
 *
 *   /links/<requestId>/<approve|reject>?approver=<email>&exp=<epoch seconds>&kid=<key id>&sig=<base64url>
 *
 * A delegate's link (out of office) also carries `for=<the delegator's email>`, signed with the rest.
 *
 * Keys rotate by adding a new key, making it `currentKeyId`, and removing the old one once
 * every link it signed has expired: a link verifies while its `kid` is still in `keys`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import * as z from '../domain/zod';
import { forbidden, gone } from '../domain/errors';
import type { ApprovalRequest } from '../domain/model';

export const LINK_ACTIONS = ['approve', 'reject'] as const;
export type LinkAction = (typeof LINK_ACTIONS)[number];

/** Version tag inside the signed string: a future format cannot be confused with this one. */
const FORMAT = 'approvals-link/v1';
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const MIN_KEY_BYTES = 32;

const secret = z
  .base64('must be base64')
  .check(z.refine((value) => Buffer.from(value, 'base64').length >= MIN_KEY_BYTES, `must decode to at least ${MIN_KEY_BYTES} bytes`));

/** The signing keys as stored (JSON) in Secrets Manager. */
export const signingKeysSchema = z
  .object({
    currentKeyId: z.string().check(z.regex(KEY_ID, 'must be 1-64 letters, digits, dots, dashes or underscores')),
    keys: z.record(z.string().check(z.regex(KEY_ID, 'key ids must be 1-64 letters, digits, dots, dashes or underscores')), secret),
  })
  .check(z.refine((value) => Object.hasOwn(value.keys, value.currentKeyId), { path: ['currentKeyId'], message: 'must name one of keys' }));

export type SigningKeys = { currentKeyId: string; keys: Record<string, string> };

export interface LinkFields {
  requestId: string;
  /** The approver's email address, lowercased. */
  approver: string;
  action: LinkAction;
  /** Epoch seconds after which the link answers 410. */
  expiresAt: number;
  /** A delegate's link: the approver (lowercased) the delegate decides for (domain/delegation.ts). */
  for?: string;
}

export interface VerifiedLink extends LinkFields {
  kid: string;
}

/** The string the MAC covers: JSON of an array, so no field can run into the next. */
export function canonicalLinkString(fields: LinkFields, kid: string): string {
  const signed = [FORMAT, fields.requestId, fields.action, fields.approver, String(fields.expiresAt), kid];
  // A delegate's link signs one more item, so `for` can be neither dropped nor added.
  return JSON.stringify(fields.for === undefined ? signed : [...signed, fields.for]);
}

function mac(fields: LinkFields, kid: string, secretBase64: string): string {
  return createHmac('sha256', Buffer.from(secretBase64, 'base64')).update(canonicalLinkString(fields, kid), 'utf8').digest('base64url');
}

/** Path and query of a link, signed with the current key. */
export function linkPath(fields: LinkFields, keys: SigningKeys): string {
  const kid = keys.currentKeyId;
  const key = keys.keys[kid];
  if (!key) throw new Error(`signing key ${kid} is not among the keys`);
  if (!Number.isSafeInteger(fields.expiresAt) || fields.expiresAt <= 0)
    throw new Error('expiresAt must be a positive integer (epoch seconds)');
  if (!LINK_ACTIONS.includes(fields.action)) throw new Error(`action must be one of ${LINK_ACTIONS.join(', ')}`);
  const signed: LinkFields = {
    ...fields,
    approver: fields.approver.toLowerCase(),
    ...(fields.for === undefined ? {} : { for: fields.for.toLowerCase() }),
  };
  const query = new URLSearchParams({
    approver: signed.approver,
    ...(signed.for === undefined ? {} : { for: signed.for }),
    exp: String(signed.expiresAt),
    kid,
    sig: mac(signed, kid, key),
  });
  return `/links/${encodeURIComponent(signed.requestId)}/${signed.action}?${query.toString()}`;
}

/** Epoch seconds at which a request's links expire: the request's own expiry. */
export function linkExpiry(request: Pick<ApprovalRequest, 'expiresAt'>): number {
  return Math.floor(Date.parse(request.expiresAt) / 1000);
}

/** Both links of one approver (or a delegate, `forApprover` naming the delegator) for one request, as absolute URLs under `baseUrl`. */
export function approverLinks(
  baseUrl: string,
  request: Pick<ApprovalRequest, 'id' | 'expiresAt'>,
  approver: string,
  keys: SigningKeys,
  forApprover?: string,
): { approve: string; reject: string } {
  const base = baseUrl.replace(/\/+$/, '');
  const expiresAt = linkExpiry(request);
  const delegated = forApprover === undefined ? {} : { for: forApprover };
  const link = (action: LinkAction) => `${base}${linkPath({ requestId: request.id, approver, action, expiresAt, ...delegated }, keys)}`;
  return { approve: link('approve'), reject: link('reject') };
}

const linkShape = z.object({
  requestId: z.uuid(),
  action: z.enum(LINK_ACTIONS),
  approver: z.email().check(z.maxLength(254)),
  for: z.optional(z.email().check(z.maxLength(254))),
  exp: z.string().check(z.regex(/^[1-9]\d{0,11}$/)),
  kid: z.string().check(z.regex(KEY_ID)),
  sig: z.string().check(z.regex(/^[A-Za-z0-9_-]{43}$/)),
});

const QUERY_PARAMS = ['approver', 'for', 'exp', 'kid', 'sig'] as const;

/**
 * Checks a link and returns what it says:
 * 1. shape: every parameter present exactly once and well formed (403 otherwise);
 * 2. the key id is one of the keys (403);
 * 3. the signature, compared in constant time (403);
 * 4. only then the expiry (410), so an altered expiry is a 403, never a 410.
 * Parameters the link does not use (a mail program's tracking tags) are ignored: they are not signed.
 */
export function verifyLink(
  link: { requestId: string | undefined; action: string | undefined; query: string | URLSearchParams },
  keys: SigningKeys,
  nowEpochSeconds: number,
): VerifiedLink {
  const params = typeof link.query === 'string' ? new URLSearchParams(link.query) : link.query;
  const values: Record<string, string | undefined> = {};
  for (const name of QUERY_PARAMS) {
    const all = params.getAll(name);
    if (all.length > 1) throw forbidden(`this link is not valid: its ${name} appears more than once`);
    values[name] = all[0];
  }
  const parsed = linkShape.safeParse({ requestId: link.requestId, action: link.action, ...values });
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((issue) => String(issue.path[0] ?? 'link')))];
    throw forbidden(`this link is not valid: its ${fields.join(', ')} ${fields.length > 1 ? 'are' : 'is'} missing or malformed`);
  }
  const { requestId, action, approver, exp, kid, sig, for: forApprover } = parsed.data;
  const key = Object.hasOwn(keys.keys, kid) ? keys.keys[kid] : undefined;
  if (!key) throw forbidden('this link is not valid: it was signed with a key that is no longer in use');
  const fields: LinkFields = {
    requestId,
    action,
    approver,
    expiresAt: Number(exp),
    ...(forApprover === undefined ? {} : { for: forApprover }),
  };
  const expected = Buffer.from(mac(fields, kid, key), 'ascii');
  const given = Buffer.from(sig, 'ascii');
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    throw forbidden('this link is not valid: it was altered or is incomplete');
  }
  if (nowEpochSeconds >= fields.expiresAt) throw gone('this link has expired');
  return { ...fields, kid };
}
