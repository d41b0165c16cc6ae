/** The bodies the API accepts to create a request and to decide on one. */
import * as z from './zod';
import { kindSchema } from './kinds';
import { emailSchema, idSchema } from './model';
import { MAX_SUBJECT_BYTES, subjectProblem } from './subject';

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
  subject: z.pipe(
    z.transform((subject, ctx) => {
      if (typeof subject !== 'object' || subject === null) return subject;
      const problem = subjectProblem(subject as Record<string, unknown>);
      if (problem) {
        ctx.issues.push({ code: 'custom', path: problem.path, message: problem.message, input: subject });
      } else if (JSON.stringify(subject).length > MAX_SUBJECT_BYTES) {
        ctx.issues.push({ code: 'custom', message: `must be at most ${MAX_SUBJECT_BYTES / 1024} KB of JSON`, input: subject });
      }
      return subject;
    }),
    z.record(z.string(), z.unknown()),
  ),
  justification: z.optional(z.string().check(z.trim(), z.maxLength(2000, 'must be at most 2000 characters'))),
  callbackUrl: z.optional(z.url({ protocol: /^https?$/, error: 'must be an http or https URL' }).check(z.maxLength(2048))),
  /** The requester, when a calling system with the on-behalf scope creates the request. */
  onBehalfOf: z.optional(
    z.strictObject({
      id: z.string().check(z.trim(), z.minLength(1), z.maxLength(256)),
      /** When given, it must be the user's verified email in the directory; when omitted it is taken from there. */
      email: z.optional(emailSchema),
    }),
  ),
});
export type CreateRequestBody = z.infer<typeof createRequestBodySchema>;

export const decisionBodySchema = z
  .strictObject({
    decision: z.enum(['approve', 'reject', 'hold', 'release']),
    reason: z.optional(z.string().check(z.trim(), z.minLength(1, 'must not be empty'), z.maxLength(2000))),
    comment: z.optional(z.string().check(z.trim(), z.maxLength(2000))),
    /** With `hold`: when the hold ends by itself (at most 30 days ahead; the rule checks the times). */
    until: z.optional(z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date and time such as 2030-01-31T09:00:00Z' })),
  })
  .check(
    z.superRefine((body, ctx) => {
      if (body.until !== undefined && body.decision !== 'hold') {
        ctx.addIssue({ code: 'custom', path: ['until'], message: 'is only for a hold' });
      }
      if (body.decision === 'reject' && !body.reason) {
        ctx.addIssue({ code: 'custom', path: ['reason'], message: 'is required to reject a request' });
      }
    }),
  );
export type DecisionBody = z.infer<typeof decisionBodySchema>;
export type DecisionKind = DecisionBody['decision'];
