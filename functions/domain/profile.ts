/** A profile: a request kind's approval settings, as the API accepts them and as stored. */
import * as z from 'zod';
import { durationSeconds, MAX_DURATION_SECONDS } from './duration';
import { KINDS, kindSchema } from './kinds';
import { csrPolicySchema } from './csr-policy';
import { DEFAULT_MAX_REMINDERS, emailSchema as email, MAX_EXPIRE_SECONDS, MAX_REMINDERS } from './model';
import { MAX_STAGES, stageRuleSchema } from './stage-rules';

const duration = z
  .string()
  .refine(
    (value) => durationSeconds(value) !== undefined,
    'must be an ISO-8601 duration such as PT1H or P2D (days, hours, minutes, seconds)',
  )
  .refine((value) => (durationSeconds(value) ?? 0) <= MAX_DURATION_SECONDS, 'must be at most one year');

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
      .transform((list) => [...new Set(list)])
      .optional(),
    requiredApprovals: z.number().int('must be an integer').min(1).max(10).optional(),
    /** The approval policy's ordered stages (domain/stage-rules.ts); replaces approvers and requiredApprovals. */
    stages: z
      .array(stageRuleSchema)
      .min(1, 'must list at least one stage')
      .max(MAX_STAGES, `must list at most ${MAX_STAGES} stages`)
      .optional(),
    remindAfter: duration,
    expireAfter: duration.refine((value) => (durationSeconds(value) ?? 0) <= MAX_EXPIRE_SECONDS, 'must be at most P360D'),
    maxReminders: z.number().int('must be an integer').min(0).max(MAX_REMINDERS).default(DEFAULT_MAX_REMINDERS),
    /** Decisions that need a non-blank `comment` (a rejection always needs its `reason`). */
    requireCommentOn: z
      .array(z.enum(['approve', 'hold']))
      .max(4)
      .transform((kinds) => [...new Set(kinds)])
      .optional(),
    /** How a P10 enrollment's CSR is checked at create (csr-policy.ts). */
    csrPolicy: csrPolicySchema.optional(),
    /** Whether approvers' delegates (out of office) may decide on this profile's requests. */
    allowDelegation: z.boolean('must be true or false').default(true),
    /** How long an approval may be acted on: its receipt's `exp` is `approvedAt` + this (default P7D). */
    approvalValidFor: duration.optional(),
  })
  .superRefine((profile, ctx) => {
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
  });
export type ProfileBody = z.infer<typeof profileBodySchema>;

export interface Profile extends ProfileBody {
  id: string;
  createdAt: string;
  updatedAt: string;
  version: number;
}
