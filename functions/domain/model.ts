import { z } from 'zod';
import { durationSeconds, MAX_DURATION_SECONDS } from './duration';
import { type Kind, KINDS, kindSchema } from './kinds';

export const STATES = ['requested', 'approved', 'rejected', 'expired', 'deleted'] as const;
export type State = (typeof STATES)[number];
export const stateSchema = z.enum(STATES);

export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const idSchema = z.string().regex(ID_PATTERN, 'must be 1-64 letters, digits, dots, dashes or underscores');
export const requestIdSchema = z.uuid('must be a request id (a UUID)');
const email = z.email('must be an email address').max(254).transform((value) => value.toLowerCase());

const duration = z
  .string()
  .refine((value) => durationSeconds(value) !== undefined, 'must be an ISO-8601 duration such as PT1H or P2D (days, hours, minutes, seconds)')
  .refine((value) => (durationSeconds(value) ?? 0) <= MAX_DURATION_SECONDS, 'must be at most one year');

export const profileBodySchema = z
  .strictObject({
    name: z.string().trim().min(1, 'must not be empty').max(200),
    requireApprovalFor: z.array(kindSchema).max(KINDS.length).transform((kinds) => [...new Set(kinds)]),
    approvers: z
      .array(email)
      .max(50, 'must list at most 50 approvers')
      .transform((list) => [...new Set(list)]),
    requiredApprovals: z.number().int('must be an integer').min(1).max(10),
    remindAfter: duration,
    expireAfter: duration,
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

function depthOf(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  const children = Object.values(value as Record<string, unknown>);
  return 1 + (children.length ? Math.max(...children.map(depthOf)) : 0);
}

/**
 * The OAuth scope (resource server `approvals`, scope `requests.create-on-behalf`) that lets a
 * calling system, signed in with the client-credentials grant, create a request for a named user.
 */
export const RESOURCE_SERVER_ID = 'approvals';
export const ON_BEHALF_SCOPE_NAME = 'requests.create-on-behalf';
export const ON_BEHALF_SCOPE = `${RESOURCE_SERVER_ID}/${ON_BEHALF_SCOPE_NAME}`;

export const createRequestBodySchema = z.strictObject({
  kind: kindSchema,
  profileId: idSchema,
  subject: z
    .record(z.string(), z.unknown())
    .refine((subject) => depthOf(subject) <= MAX_SUBJECT_DEPTH, `must not nest deeper than ${MAX_SUBJECT_DEPTH} levels`)
    .refine((subject) => JSON.stringify(subject).length <= MAX_SUBJECT_BYTES, `must be at most ${MAX_SUBJECT_BYTES / 1024} KB of JSON`),
  justification: z.string().trim().max(2000, 'must be at most 2000 characters').optional(),
  callbackUrl: z
    .url({ protocol: /^https?$/, error: 'must be an http or https URL' })
    .max(2048)
    .optional(),
  /** The requester, when a calling system with the on-behalf scope creates the request. */
  onBehalfOf: z
    .strictObject({
      id: z.string().trim().min(1).max(256),
      email: z.email('must be an email address').max(254).transform((value) => value.toLowerCase()),
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
export interface Actor {
  id: string;
  email?: string;
}

export const POLICY: Actor = { id: 'policy' };
export const WORKFLOW: Actor = { id: 'workflow' };

export interface Approval {
  by: Actor;
  at: string;
  comment?: string;
}

export interface Decision {
  decision: 'approved' | 'rejected' | 'expired' | 'deleted';
  by: Actor;
  at: string;
  reason?: string;
  comment?: string;
}

export interface ApprovalRequest {
  id: string;
  kind: Kind;
  profileId: string;
  subject: Record<string, unknown>;
  justification?: string;
  callbackUrl?: string;
  state: State;
  requester: Actor & { email: string };
  approvers: string[];
  requiredApprovals: number;
  approvals: Approval[];
  onHold: boolean;
  hold?: { by: Actor; at: string; comment?: string };
  decision?: Decision;
  remindAfter: string;
  expireAfter: string;
  createdAt: string;
  updatedAt: string;
  expiresAt: string;
  version: number;
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
  email: string;
  groups: string[];
  /** OAuth scopes of a client-credentials token (calling systems); empty for users. */
  scopes?: string[];
}

export const isApprover = (who: Identity) => who.groups.includes('approvers');
export const isAdmin = (who: Identity) => who.groups.includes('admins');
