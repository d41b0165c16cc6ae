import * as z from 'zod';
import { durationSeconds, MAX_DURATION_SECONDS } from './duration';
import { KINDS, kindSchema } from './kinds';

/** How a request ends. */
export const OUTCOMES = ['approved', 'rejected', 'expired', 'deleted'] as const;
export type Outcome = (typeof OUTCOMES)[number];
export const STATES = ['requested', ...OUTCOMES] as const;
export type State = (typeof STATES)[number];
export const stateSchema = z.enum(STATES);

export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const idSchema = z.string().regex(ID_PATTERN, 'must be 1-64 letters, digits, dots, dashes or underscores');
export const requestIdSchema = z.uuid('must be a request id (a UUID)');
/** Printable ASCII only: lower-casing a look-alike letter (the Kelvin sign U+212A) could otherwise turn it into ASCII. */
export const isAsciiEmail = (value: string) => /^[\x21-\x7e]+$/.test(value);
/**
 * An email address as the service compares them: ASCII only (checked before anything else, so
 * nothing outside ASCII is ever lower-cased into a listed address), then lower-cased.
 */
export const emailSchema = z
  .string()
  .refine(isAsciiEmail, 'must be an ASCII email address (no spaces, no characters outside ASCII)')
  .pipe(z.email('must be an email address').max(254))
  .transform((value) => value.toLowerCase());
const email = emailSchema;

const duration = z
  .string()
  .refine(
    (value) => durationSeconds(value) !== undefined,
    'must be an ISO-8601 duration such as PT1H or P2D (days, hours, minutes, seconds)',
  )
  .refine((value) => (durationSeconds(value) ?? 0) <= MAX_DURATION_SECONDS, 'must be at most one year');

/**
 * The workflow's limits (README: The workflow, limits). A Standard execution lives at most a year,
 * and the outcome email and the callback's retries follow the expiry, so a request expires within
 * 360 days. Reminders stop after `maxReminders`; with the first approval email sent once, an
 * approver gets at most 1 + MAX_REMINDERS emails per request.
 */
export const MAX_EXPIRE_SECONDS = 360 * 86400;
export const MAX_REMINDERS = 20;
/** The most emails one request sends one approver: the first approval email and every reminder (the closing email counts too). */
export const MAX_EMAILS_PER_APPROVER = 1 + MAX_REMINDERS;
export const DEFAULT_MAX_REMINDERS = 5;

export const profileBodySchema = z
  .strictObject({
    name: z.string().trim().min(1, 'must not be empty').max(200),
    requireApprovalFor: z
      .array(kindSchema)
      .max(KINDS.length)
      .transform((kinds) => [...new Set(kinds)]),
    approvers: z
      .array(email)
      .max(50, 'must list at most 50 approvers')
      .transform((list) => [...new Set(list)]),
    requiredApprovals: z.number().int('must be an integer').min(1).max(10),
    remindAfter: duration,
    expireAfter: duration.refine((value) => (durationSeconds(value) ?? 0) <= MAX_EXPIRE_SECONDS, 'must be at most P360D'),
    maxReminders: z.number().int('must be an integer').min(0).max(MAX_REMINDERS).default(DEFAULT_MAX_REMINDERS),
  })
  .superRefine((profile, ctx) => {
    const remind = durationSeconds(profile.remindAfter) ?? 0;
    const expire = durationSeconds(profile.expireAfter) ?? 0;
    if (remind && expire && remind >= expire) {
      ctx.addIssue({ code: 'custom', path: ['remindAfter'], message: 'must be shorter than expireAfter' });
    }
    if (profile.requireApprovalFor.length > 0 && profile.approvers.length < profile.requiredApprovals) {
      ctx.addIssue({
        code: 'custom',
        path: ['requiredApprovals'],
        message: `is ${profile.requiredApprovals} but only ${profile.approvers.length} approver(s) are listed`,
      });
    }
  });
export type ProfileBody = z.infer<typeof profileBodySchema>;

export interface Profile extends ProfileBody {
  id: string;
  createdAt: string;
  updatedAt: string;
  version: number;
}

/** Limits that keep a request item well inside DynamoDB's 400 KB item and 32-level nesting limits. */
const MAX_SUBJECT_BYTES = 32 * 1024;
const MAX_SUBJECT_DEPTH = 8;
export const MAX_SUBJECT_ARRAY_ITEMS = 1000;
/** Control characters (C0, DEL, C1) and the Unicode line and paragraph separators. */
export const CONTROL_CHARACTERS = /[\p{Cc}\u2028\u2029]/u;
/**
 * Keys that name an object's prototype machinery. JSON.parse makes `__proto__` an own key, zod's
 * record drops it silently, and the DynamoDB marshaller takes an object with a `constructor` key
 * for a class instance (and throws): such keys are refused at any depth, so none reaches a store.
 */
export const RESERVED_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);
export const RESERVED_KEY_MESSAGE = 'is a reserved key (__proto__, constructor and prototype are refused)';

/** The path of the first reserved key anywhere in a parsed JSON value, or undefined (walked without recursion). */
export function reservedKeyPath(value: unknown): Array<string | number> | undefined {
  const stack: Array<{ value: unknown; path: Array<string | number> }> = [{ value, path: [] }];
  while (stack.length > 0) {
    const next = stack.pop() as { value: unknown; path: Array<string | number> };
    if (next.value === null || typeof next.value !== 'object') continue;
    for (const [key, child] of Object.entries(next.value)) {
      const path = [...next.path, Array.isArray(next.value) ? Number(key) : key];
      if (!Array.isArray(next.value) && RESERVED_KEYS.has(key)) return path;
      stack.push({ value: child, path });
    }
  }
  return undefined;
}

/**
 * The first problem of a subject, or undefined: walked without recursion, and stopping at the
 * first problem, so a hostile subject (a huge array, deep nesting) costs little to refuse.
 * Numbers must be finite, and integers safe (JSON.parse turns 1e400 into Infinity and rounds
 * 10000000000000001); arrays hold at most MAX_SUBJECT_ARRAY_ITEMS; keys are not empty, have no
 * control characters and none is reserved (RESERVED_KEYS).
 */
export function subjectProblem(subject: Record<string, unknown>): { path: Array<string | number>; message: string } | undefined {
  type Entry = { value: unknown; path: Array<string | number>; depth: number };
  const stack: Entry[] = [{ value: subject, path: [], depth: 0 }];
  let values = 0;
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop() as Entry;
    // Each value takes at least two bytes of JSON: more than this cannot fit in the size limit.
    if (++values > MAX_SUBJECT_BYTES / 2) return { path: [], message: `must be at most ${MAX_SUBJECT_BYTES / 1024} KB of JSON` };
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) return { path, message: 'must be a finite number' };
      if (Number.isInteger(value) && !Number.isSafeInteger(value)) {
        return {
          path,
          message: `must be a safe integer (at most ${Number.MAX_SAFE_INTEGER} in size) or a plain decimal; send larger numbers as strings`,
        };
      }
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_SUBJECT_DEPTH) return { path: [], message: `must not nest deeper than ${MAX_SUBJECT_DEPTH} levels` };
    if (Array.isArray(value)) {
      if (value.length > MAX_SUBJECT_ARRAY_ITEMS) return { path, message: `must hold at most ${MAX_SUBJECT_ARRAY_ITEMS} items` };
      value.forEach((item, index) => {
        stack.push({ value: item, path: [...path, index], depth: depth + 1 });
      });
      continue;
    }
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      if (CONTROL_CHARACTERS.test(key)) return { path, message: 'must not have keys with control characters (line breaks, tabs)' };
      // DynamoDB refuses an empty attribute name in a map.
      if (key === '') return { path, message: 'must not have an empty key' };
      if (RESERVED_KEYS.has(key)) return { path: [...path, key], message: RESERVED_KEY_MESSAGE };
      stack.push({ value: child, path: [...path, key], depth: depth + 1 });
    }
  }
  return undefined;
}

/**
 * The OAuth scope that lets a calling system, signed in with the client-credentials grant, create a
 * request for a named user. `ON_BEHALF_SCOPE` is the scope as tokens carry it; the resource server
 * declares it by its id and the scope's name within it.
 */
export const RESOURCE_SERVER_ID = 'approvals';
export const ON_BEHALF_SCOPE_NAME = 'requests.create-on-behalf';
export const ON_BEHALF_SCOPE = `${RESOURCE_SERVER_ID}/${ON_BEHALF_SCOPE_NAME}`;

export const createRequestBodySchema = z.strictObject({
  kind: kindSchema,
  profileId: idSchema,
  // Checked as it arrives, before the record copies it: the copy would drop an own `__proto__` key unseen.
  subject: z.preprocess(
    (subject, ctx) => {
      if (typeof subject !== 'object' || subject === null) return subject;
      const problem = subjectProblem(subject as Record<string, unknown>);
      if (problem) {
        ctx.addIssue({ code: 'custom', path: problem.path, message: problem.message, input: subject });
      } else if (JSON.stringify(subject).length > MAX_SUBJECT_BYTES) {
        ctx.addIssue({ code: 'custom', message: `must be at most ${MAX_SUBJECT_BYTES / 1024} KB of JSON`, input: subject });
      }
      return subject;
    },
    z.record(z.string(), z.unknown()),
  ),
  justification: z.string().trim().max(2000, 'must be at most 2000 characters').optional(),
  callbackUrl: z
    .url({ protocol: /^https?$/, error: 'must be an http or https URL' })
    .max(2048)
    .optional(),
  /** The requester, when a calling system with the on-behalf scope creates the request. */
  onBehalfOf: z
    .strictObject({
      id: z.string().trim().min(1).max(256),
      /** When given, it must be the user's verified email in the directory; when omitted it is taken from there. */
      email: emailSchema.optional(),
    })
    .optional(),
});
export type CreateRequestBody = z.infer<typeof createRequestBodySchema>;

export const decisionBodySchema = z
  .strictObject({
    decision: z.enum(['approve', 'reject', 'hold']),
    reason: z.string().trim().min(1, 'must not be empty').max(2000).optional(),
    comment: z.string().trim().max(2000).optional(),
  })
  .superRefine((body, ctx) => {
    if (body.decision === 'reject' && !body.reason) {
      ctx.addIssue({ code: 'custom', path: ['reason'], message: 'is required to reject a request' });
    }
  });
export type DecisionBody = z.infer<typeof decisionBodySchema>;
export type DecisionKind = DecisionBody['decision'];

/** Who did something: a signed-in user, or the service itself (`policy`, `workflow`). */
export const actorSchema = z.object({ id: z.string(), email: z.string().optional() });
export type Actor = z.infer<typeof actorSchema>;

export const POLICY: Actor = { id: 'policy' };
/** The actor of what the approval workflow does by itself (reminders, expiry, outcome emails, callbacks). */
export const WORKFLOW_ACTOR: Actor = { id: 'workflow' };

const isoTime = z.iso.datetime();

export const approvalSchema = z.object({
  by: actorSchema.describe(
    "Who approved: `id` is the person's sub in the user directory, through the API and links alike, `email` the address they approved under.",
  ),
  at: isoTime,
  comment: z.string().optional(),
});
export type Approval = z.infer<typeof approvalSchema>;

export const decisionSchema = z.object({
  decision: z.enum(OUTCOMES),
  by: actorSchema,
  at: isoTime,
  reason: z.string().optional(),
  comment: z.string().optional(),
});
export type Decision = z.infer<typeof decisionSchema>;

/**
 * A request as the API answers it: the one definition of its fields. The TypeScript type, the
 * OpenAPI response schema and the order of the fields in every response all come from it.
 */
/** A P10 CSR decoded at create: what it asks to be issued, as approvers see it. */
export const csrSummarySchema = z.object({
  subject: z.string().describe('The subject, first RDN first (CN=web.example.com, O=Example).'),
  key: z.string().describe('The key algorithm and size (RSA 3072 bits, EC P-384 (384 bits), Ed25519).'),
  subjectAlternativeNames: z.array(z.string()).describe('DNS:…, IP:…, email:…, URI:…'),
});
export type CsrSummary = z.infer<typeof csrSummarySchema>;

export const approvalRequestSchema = z.object({
  id: z.uuid(),
  kind: kindSchema,
  profileId: z.string(),
  state: stateSchema,
  subject: z.record(z.string(), z.unknown()).describe('As sent, validated against the schema of its kind.'),
  csr: csrSummarySchema.optional().describe("A P10 enrollment's CSR decoded at create (its subjectDn names the same subject)."),
  justification: z.string().optional(),
  callbackUrl: z.url().optional(),
  client: z
    .string()
    .optional()
    .describe('The calling system (client id) that created the request; its callback events are signed with its own key.'),
  requester: actorSchema
    .extend({ email: z.string() })
    .describe(
      "The requester: `id` is their sub in the user directory, `email` their verified email (the token's, or the directory's for onBehalfOf).",
    ),
  holder: z
    .object({ id: z.string().optional(), email: z.string().optional() })
    .optional()
    .describe(
      "The holder of the card or certificate as the directory resolved them at create (`subject.holderId` as a user's sub, or `subject.holderEmail`); like the requester, they never approve this request.",
    ),
  approvers: z
    .array(z.email())
    .describe(
      "The profile's approvers, less every address of the requester or the holder (by mailbox, `name+tag@domain` as `name@domain`, or held by them in the directory).",
    ),
  requiredApprovals: z.number().int().min(1).max(10),
  approvals: z.array(approvalSchema),
  onHold: z.boolean(),
  hold: z.object({ by: actorSchema, at: isoTime, comment: z.string().optional() }).optional(),
  decision: decisionSchema.optional().describe('Set once the request has ended.'),
  remindAfter: z.string(),
  expireAfter: z.string(),
  maxReminders: z.number().int().min(0).max(MAX_REMINDERS).describe('Copied from the profile; reminders stop after this many.'),
  createdAt: isoTime,
  updatedAt: isoTime,
  expiresAt: isoTime,
  version: z.number().int(),
});
export type ApprovalRequest = z.infer<typeof approvalRequestSchema>;

const REQUEST_FIELDS = Object.keys(approvalRequestSchema.shape) as Array<keyof ApprovalRequest>;

/** The request with its fields in the schema's order (unknown fields last): DynamoDB maps come back in any order. */
export function inFieldOrder(request: ApprovalRequest): ApprovalRequest {
  const ordered: Record<string, unknown> = {};
  for (const field of REQUEST_FIELDS) if (request[field] !== undefined) ordered[field] = request[field];
  for (const [field, value] of Object.entries(request)) if (!(field in ordered)) ordered[field] = value;
  return ordered as ApprovalRequest;
}

export type HistoryType =
  | 'created'
  | 'approval'
  | 'approved'
  | 'rejected'
  | 'held'
  | 'expired'
  | 'deleted'
  | 'notified'
  | 'reminded'
  | 'notification-failed'
  | 'notification-delayed'
  | 'callback-delivered'
  | 'callback-failed';

export interface HistoryEntry {
  at: string;
  type: HistoryType;
  actor: Actor;
  details?: Record<string, unknown>;
}

export interface Identity {
  id: string;
  /** As the token says, lower-cased only when it is ASCII (see `emailSchema`); '' when absent. */
  email: string;
  /** The token's `email_verified` claim is true: the email counts only then. */
  emailVerified?: boolean;
  groups: string[];
  /** OAuth scopes of a client-credentials token (calling systems); empty for users. */
  scopes?: string[];
}

export const isApprover = (who: Identity) => who.groups.includes('approvers');
export const isAdmin = (who: Identity) => who.groups.includes('admins');
