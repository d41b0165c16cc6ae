/** A profile: a request kind's approval settings, as the API accepts them and as stored. */
import * as z from './zod';
import { durationSeconds, MAX_DURATION_SECONDS } from './duration';
import { KINDS, kindSchema } from './kinds';
import { csrPolicySchema } from './csr-policy';
import { DEFAULT_MAX_REMINDERS, emailSchema as email, MAX_EXPIRE_SECONDS, MAX_REMINDERS } from './model';
import { mailbox } from './people';
import { firstUnreachable } from './reachability';
import { isGroupEntry, MAX_STAGES, sameMailbox, stageRuleSchema } from './stage-rules';

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
        for (const [index, stage] of profile.stages.entries()) {
          if (stage.escalateAfter && expire && (durationSeconds(stage.escalateAfter) ?? 0) >= expire) {
            const message = 'must be shorter than expireAfter (the request would expire before the escalation)';
            ctx.addIssue({ code: 'custom', path: ['stages', index, 'escalateAfter'], message });
          }
        }
        // Stages of addresses alone can be checked now as a whole: one person approves once per
        // request, so a later stage may be left short by the earlier ones (domain/reachability.ts).
        const stages = profile.stages;
        if (stages.some((stage) => stage.approvers.some(isGroupEntry))) return;
        const short = firstUnreachable(
          stages.map((stage) => ({ people: [...new Set(stage.approvers.map(mailbox))], need: stage.requiredApprovals })),
        );
        const stage = stages[short];
        if (stage && new Set(stage.approvers.map(mailbox)).size >= stage.requiredApprovals) {
          const message = `is ${stage.requiredApprovals} but too few of this stage's approvers are left once the earlier stages have their approvals (one person approves once per request)`;
          ctx.addIssue({ code: 'custom', path: ['stages', short, 'requiredApprovals'], message });
        }
        return;
      }
      for (const field of ['approvers', 'requiredApprovals'] as const) {
        if (profile[field] === undefined) ctx.addIssue({ code: 'custom', path: [field], message: 'is required (or give stages)' });
      }
      if (profile.approvers === undefined || profile.requiredApprovals === undefined) return;
      const people = new Set(profile.approvers.map(mailbox)).size;
      if (profile.requireApprovalFor.length > 0 && people < profile.requiredApprovals) {
        ctx.addIssue({
          code: 'custom',
          path: ['requiredApprovals'],
          message: `is ${profile.requiredApprovals} but only ${people} approver(s) are listed${sameMailbox(profile.approvers)}`,
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
