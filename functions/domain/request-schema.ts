/**
 * The request as the API answers it, as zod schemas: the one definition of its fields, from which
 * the TypeScript types (model.ts) and the OpenAPI response schema come. Only the OpenAPI document
 * builds them at run time: a function that imports model.ts for the types does not pay for them
 * at its start (a cold start builds every schema a module defines).
 */
import * as z from './zod';
import { findingSchema } from './csr-policy';
import { kindSchema } from './kinds';
import { MAX_REMINDERS, OUTCOMES, STAGE_STATUSES, stateSchema } from './model';

/** Who did something: a signed-in user, or the service itself (`policy`, `workflow`). */
export const actorSchema = z.object({ id: z.string(), email: z.optional(z.string()) });
const isoTime = z.iso.datetime();

export const approvalSchema = z.object({
  by: actorSchema.check(
    z.describe(
      "Who approved: `id` is the person's sub in the user directory, through the API and links alike, `email` the address they approved under.",
    ),
  ),
  at: isoTime,
  comment: z.optional(z.string()),
  stage: z
    .optional(z.int().check(z.minimum(0)))
    .check(z.describe('The stage (index, from 0) the approval counted in; absent on requests stored before stages: 0.')),
  for: z
    .optional(actorSchema)
    .check(z.describe('Set when a delegate approved for this approver (`by` is the delegate): their out-of-office delegation.')),
});
/** One stage of a request (domain/stages.ts): its approvers as resolved, its quorum and its approvals. */
export const requestStageSchema = z.object({
  name: z.string(),
  approvers: z
    .array(z.string())
    .check(
      z.describe(
        "The stage's addresses: listed ones and the members of its groups (resolved at the stage's start), less the requester's and the holder's.",
      ),
    ),
  requiredApprovals: z.int().check(z.minimum(1), z.maximum(10)),
  approvals: z.array(approvalSchema),
  status: z.enum(STAGE_STATUSES),
  entries: z
    .optional(z.array(z.string()))
    .check(z.describe("The profile's entries of the stage (addresses, group:<name>), with its escalation's once escalated.")),
  groups: z
    .optional(z.record(z.string(), z.array(z.string())))
    .check(z.describe('Per `group:` entry of the stage (and of its escalation once escalated), the addresses it resolved to.')),
  startedAt: z.optional(isoTime),
  endedAt: z.optional(isoTime),
  escalateAfter: z.optional(z.string()),
  escalateTo: z.optional(z.array(z.string())).check(z.describe("The profile's escalation entries (addresses, group:<name>).")),
  escalatedAt: z.optional(isoTime),
  heldSeconds: z
    .optional(z.number())
    .check(z.describe('How long the stage was held until a time (domain/hold.ts): its escalation comes that much later.')),
});
/** How the request ended and who ended it (its outcome; the API and the table call the field `decision`). */
export const outcomeRecordSchema = z.object({
  decision: z.enum(OUTCOMES),
  by: actorSchema,
  at: isoTime,
  reason: z.optional(z.string()),
  comment: z.optional(z.string()),
  for: z.optional(actorSchema).check(z.describe('Set when a delegate decided for this approver (`by` is the delegate).')),
});
/**
 * A request as the API answers it: the one definition of its fields. The TypeScript type, the
 * OpenAPI response schema and the order of the fields in every response all come from it.
 */
/** A P10 CSR decoded at create: what it asks to be issued, as approvers see it. */
export const csrSummarySchema = z.object({
  subject: z.string().check(z.describe('The subject, first RDN first (CN=web.example.com, O=Example).')),
  key: z.string().check(z.describe('The key algorithm and size (RSA 3072 bits, EC P-384 (384 bits), Ed25519).')),
  subjectAlternativeNames: z.array(z.string()).check(z.describe('DNS:…, IP:…, email:…, URI:…')),
});
/** What the calling system (or an admin) reported doing with an approved request (domain/execution.ts). */
export const executionReportSchema = z.object({
  status: z.enum(['succeeded', 'failed']),
  reference: z.optional(z.string()),
  details: z.optional(z.union([z.string(), z.record(z.string(), z.unknown())])),
  by: actorSchema,
  at: isoTime,
});
export const approvalRequestSchema = z.object({
  id: z.uuid(),
  kind: kindSchema,
  profileId: z.string(),
  state: stateSchema,
  subject: z.record(z.string(), z.unknown()).check(z.describe('As sent, validated against the schema of its kind.')),
  csr: z.optional(csrSummarySchema).check(z.describe("A P10 enrollment's CSR decoded at create (its subjectDn names the same subject).")),
  findings: z
    .optional(z.array(findingSchema))
    .check(
      z.describe("A P10 enrollment's CSR checked against its profile's csrPolicy at create (most severe first; empty when it meets it)."),
    ),
  justification: z.optional(z.string()),
  callbackUrl: z.optional(z.url()),
  client: z
    .optional(z.string())
    .check(z.describe('The calling system (client id) that created the request; its callback events are signed with its own key.')),
  requester: z
    .extend(actorSchema, { email: z.string() })
    .check(
      z.describe(
        "The requester: `id` is their sub in the user directory, `email` their verified email (the token's, or the directory's for onBehalfOf).",
      ),
    ),
  holder: z
    .optional(
      z.object({
        id: z.optional(z.string()),
        email: z.optional(z.string()),
        name: z
          .optional(z.string())
          .check(z.describe("The holder's name in the directory (its `name` attribute) at create, when they are a user there.")),
      }),
    )
    .check(
      z.describe(
        "The holder of the card or certificate as the directory resolved them at create (`subject.holderId` as a user's sub, or `subject.holderEmail`); like the requester, they never approve this request.",
      ),
    ),
  approvers: z
    .array(z.email())
    .check(
      z.describe(
        "The profile's approvers, less every address of the requester or the holder (by mailbox, `name+tag@domain` as `name@domain`, or held by them in the directory).",
      ),
    ),
  requiredApprovals: z.int().check(z.minimum(1), z.maximum(10)),
  approvals: z.array(approvalSchema),
  stages: z
    .optional(z.array(requestStageSchema))
    .check(
      z.describe(
        'The ordered stages of the approval policy (a flat profile is one stage); absent on requests stored before stages (one stage).',
      ),
    ),
  currentStage: z
    .optional(z.nullable(z.int().check(z.minimum(0))))
    .check(z.describe('The index of the running stage; null once the request ended.')),
  awaiting: z.optional(z.array(z.string())).check(z.describe("The current stage's approvers who may still decide (have not approved).")),
  onHold: z.boolean(),
  hold: z
    .optional(
      z.object({
        by: actorSchema,
        at: isoTime,
        until: z.optional(isoTime).check(z.describe('When the hold ends by itself; while it lasts, reminders and the expiry wait.')),
        comment: z.optional(z.string()),
        for: z.optional(actorSchema).check(z.describe('Set when a delegate placed the hold for this approver.')),
      }),
    )
    .check(z.describe('The last hold; it lasts while `onHold` is true.')),
  timedHolds: z.optional(z.int()).check(z.describe('How many holds with `until` the request took (at most 20).')),
  decision: z.optional(outcomeRecordSchema).check(z.describe('Set once the request has ended.')),
  remindAfter: z.string(),
  expireAfter: z.string(),
  maxReminders: z
    .int()
    .check(z.minimum(0), z.maximum(MAX_REMINDERS), z.describe('Copied from the profile; reminders stop after this many.')),
  requireCommentOn: z
    .optional(z.array(z.enum(['approve', 'hold'])))
    .check(z.describe('Copied from the profile: the decisions that need a non-blank `comment`.')),
  allowDelegation: z
    .optional(z.literal(false))
    .check(z.describe("Copied from the profile when false: approvers' delegates may not decide on this request.")),
  approvalValidFor: z
    .optional(z.string())
    .check(
      z.describe("Copied from the profile (default P7D): how long the approval may be acted on, the receipt's `exp` after `approvedAt`."),
    ),
  execution: z
    .optional(executionReportSchema)
    .check(z.describe('The last execution report of the calling system that acted on the approval.')),
  createdAt: isoTime,
  updatedAt: isoTime,
  expiresAt: isoTime,
  version: z.int(),
});
export type ApprovalRequest = z.infer<typeof approvalRequestSchema>;
