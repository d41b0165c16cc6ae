/** A profile: a request kind's approval settings, as the API accepts them and as stored. */
import * as z from './zod';
import { durationSeconds, MAX_DURATION_SECONDS } from './duration';
import { KINDS, kindSchema } from './kinds';
import { csrPolicySchema } from './csr-policy';
import { DEFAULT_MAX_REMINDERS, emailSchema as email, MAX_EXPIRE_SECONDS, MAX_REMINDERS } from './model';
import { MAX_STAGES, stageRuleSchema } from './stage-rules';

const duration = z.string().check(
  z.refine(
    (value) => durationSeconds(value) !== undefined,
    'must be an ISO-8601 duration such as PT1H or P2D (days, hours, minutes, seconds)',
  ),
  z.refine((value) => (durationSeconds(value) ?? 0) <= MAX_DURATION_SECONDS, 'must be at most one year'),
);

export const profileBodySchema = z
  .strictObject({
    name: z.string().check(z.trim(), z.minLength(1, 'must not be empty'), z.maxLength(200)),
    requireApprovalFor: z.pipe(
      z.array(kindSchema).check(z.maxLength(KINDS.length)),
      z.transform((kinds) => [...new Set(kinds)]),
    ),
    approvers: z.optional(
      z.pipe(
        z.array(email).check(z.maxLength(50, 'must list at most 50 approvers')),
        z.transform((list) => [...new Set(list)]),
      ),
    ),
    requiredApprovals: z.optional(z.number().check(z.int('must be an integer'), z.minimum(1), z.maximum(10))),
    /** The approval policy's ordered stages (domain/stage-rules.ts); replaces approvers and requiredApprovals. */
    stages: z.optional(
      z
        .array(stageRuleSchema)
        .check(z.minLength(1, 'must list at least one stage'), z.maxLength(MAX_STAGES, `must list at most ${MAX_STAGES} stages`)),
    ),
    remindAfter: duration,
    expireAfter: duration.check(z.refine((value) => (durationSeconds(value) ?? 0) <= MAX_EXPIRE_SECONDS, 'must be at most P360D')),
    maxReminders: z._default(z.number().check(z.int('must be an integer'), z.minimum(0), z.maximum(MAX_REMINDERS)), DEFAULT_MAX_REMINDERS),
    /** Decisions that need a non-blank `comment` (a rejection always needs its `reason`). */
    requireCommentOn: z.optional(
      z.pipe(
        z.array(z.enum(['approve', 'hold'])).check(z.maxLength(4)),
        z.transform((kinds) => [...new Set(kinds)]),
      ),
    ),
    /** How a P10 enrollment's CSR is checked at create (csr-policy.ts). */
    csrPolicy: z.optional(csrPolicySchema),
    /** Whether approvers' delegates (out of office) may decide on this profile's requests. */
    allowDelegation: z._default(z.boolean('must be true or false'), true),
    /** How long an approval may be acted on: its receipt's `exp` is `approvedAt` + this (default P7D). */
    approvalValidFor: z.optional(duration),
  })
  .check(
    z.superRefine((profile, ctx) => {
      const remind = durationSeconds(profile.remindAfter) ?? 0;
      const expire = durationSeconds(profile.expireAfter) ?? 0;
      if (remind && expire && remind >= expire) {
        ctx.addIssue({ code: 'custom', path: ['remindAfter'], message: 'must be shorter than expireAfter' });
      }
      if (profile.stages) {
        for (const field of ['approvers', 'requiredApprovals'] as const) {
          if (profile[field] !== undefined) {
            ctx.addIssue({ code: 'custom', path: [field], message: 'must not be given with stages (the flat form is one stage)' });
          }
        }
        return;
      }
      for (const field of ['approvers', 'requiredApprovals'] as const) {
        if (profile[field] === undefined) ctx.addIssue({ code: 'custom', path: [field], message: 'is required (or give stages)' });
      }
      if (profile.approvers === undefined || profile.requiredApprovals === undefined) return;
      if (profile.requireApprovalFor.length > 0 && profile.approvers.length < profile.requiredApprovals) {
        ctx.addIssue({
          code: 'custom',
          path: ['requiredApprovals'],
          message: `is ${profile.requiredApprovals} but only ${profile.approvers.length} approver(s) are listed`,
        });
      }
    }),
  );
export type ProfileBody = z.infer<typeof profileBodySchema>;

export interface Profile extends ProfileBody {
  id: string;
  createdAt: string;
  updatedAt: string;
  version: number;
}
