/** A profile: a request kind's approval settings, as the API accepts them and as stored. */
import * as z from 'zod';
import { durationSeconds, MAX_DURATION_SECONDS } from './duration';
import { KINDS, kindSchema } from './kinds';
import { DEFAULT_MAX_REMINDERS, emailSchema as email, MAX_EXPIRE_SECONDS, MAX_REMINDERS } from './model';

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
      .transform((list) => [...new Set(list)]),
    requiredApprovals: z.number().int('must be an integer').min(1).max(10),
    remindAfter: duration,
    expireAfter: duration.refine((value) => (durationSeconds(value) ?? 0) <= MAX_EXPIRE_SECONDS, 'must be at most P360D'),
    maxReminders: z.number().int('must be an integer').min(0).max(MAX_REMINDERS).default(DEFAULT_MAX_REMINDERS),
    /** Decisions that need a non-blank `comment` (a rejection always needs its `reason`). */
    requireCommentOn: z
      .array(z.enum(['approve', 'hold']))
      .max(4)
      .transform((kinds) => [...new Set(kinds)])
      .optional(),
    /** How long an approval may be acted on: its receipt's `exp` is `approvedAt` + this (default P7D). */
    approvalValidFor: duration.optional(),
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
