/**
 * The request and what it is made of: its states and outcomes, ids, actors, approvals, decision,
 * history and the identity of a caller. A profile's settings are in profile.ts, what the API
 * accepts in bodies.ts and subject.ts.
 */
import * as z from './zod';
import type * as schemas from './request-schema';

/** How a request ends. */
export const OUTCOMES = ['approved', 'rejected', 'expired', 'deleted'] as const;
export type Outcome = (typeof OUTCOMES)[number];
export const STATES = ['requested', ...OUTCOMES] as const;
export type State = (typeof STATES)[number];
export const stateSchema = z.enum(STATES);

export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const idSchema = z.string().check(z.regex(ID_PATTERN, 'must be 1-64 letters, digits, dots, dashes or underscores'));
export const requestIdSchema = z.uuid('must be a request id (a UUID)');
/** Printable ASCII only: lower-casing a look-alike letter (the Kelvin sign U+212A) could otherwise turn it into ASCII. */
export const isAsciiEmail = (value: string) => /^[\x21-\x7e]+$/.test(value);
/**
 * An email address as the service compares them: ASCII only (checked before anything else, so
 * nothing outside ASCII is ever lower-cased into a listed address), then lower-cased.
 */
export const emailSchema = z.pipe(
  z.pipe(
    z.string().check(z.refine(isAsciiEmail, 'must be an ASCII email address (no spaces, no characters outside ASCII)')),
    z.email('must be an email address').check(z.maxLength(254)),
  ),
  z.transform((value) => value.toLowerCase()),
);

/**
 * The workflow's limits (docs/architecture.md: The workflow). A Standard execution lives at most a year,
 * and the outcome email and the callback's retries follow the expiry, so a request expires within
 * 360 days. Reminders stop after `maxReminders`; with the first approval email sent once, an
 * approver gets at most 1 + MAX_REMINDERS emails per request.
 */
export const MAX_EXPIRE_SECONDS = 360 * 86400;
export const MAX_REMINDERS = 20;
/** The most emails one request sends one approver: the first approval email and every reminder (the closing email counts too). */
export const MAX_EMAILS_PER_APPROVER = 1 + MAX_REMINDERS;
export const DEFAULT_MAX_REMINDERS = 5;

/** Who did something: a signed-in user, or the service itself (`policy`, `workflow`). */
export type Actor = z.infer<typeof schemas.actorSchema>;

export const POLICY: Actor = { id: 'policy' };
/** The actor of what the approval workflow does by itself (reminders, expiry, outcome emails, callbacks). */
export const WORKFLOW_ACTOR: Actor = { id: 'workflow' };

export const STAGE_STATUSES = ['waiting', 'active', 'approved', 'rejected'] as const;
export type StageStatus = (typeof STAGE_STATUSES)[number];

/** The request and its parts, as request-schema.ts defines them (the types only: no schema is built here). */
export type Approval = z.infer<typeof schemas.approvalSchema>;
export type RequestStage = z.infer<typeof schemas.requestStageSchema>;
export type OutcomeRecord = z.infer<typeof schemas.outcomeRecordSchema>;
export type CsrSummary = z.infer<typeof schemas.csrSummarySchema>;
export type ExecutionReport = z.infer<typeof schemas.executionReportSchema>;
export type ApprovalRequest = z.infer<typeof schemas.approvalRequestSchema>;

/** The request's fields in request-schema.ts's order (a unit test keeps the two the same). */
export const REQUEST_FIELDS: ReadonlyArray<keyof ApprovalRequest> = [
  'id',
  'kind',
  'profileId',
  'state',
  'subject',
  'csr',
  'findings',
  'justification',
  'callbackUrl',
  'client',
  'requester',
  'holder',
  'approvers',
  'requiredApprovals',
  'approvals',
  'stages',
  'currentStage',
  'awaiting',
  'onHold',
  'hold',
  'timedHolds',
  'decision',
  'remindAfter',
  'expireAfter',
  'maxReminders',
  'requireCommentOn',
  'allowDelegation',
  'approvalValidFor',
  'execution',
  'createdAt',
  'updatedAt',
  'expiresAt',
  'version',
];

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
  | 'hold-ended'
  | 'hold-released'
  | 'delegated'
  | 'expired'
  | 'deleted'
  | 'notified'
  | 'reminded'
  | 'notification-failed'
  | 'notification-delayed'
  | 'callback-delivered'
  | 'callback-failed'
  | 'stage-started'
  | 'escalated'
  | 'executed'
  | 'execution-failed'
  /** One delivery of the callback that failed (the workflow retries it); `callback-failed` when it gives up. */
  | 'callback-attempt-failed';

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
