/**
 * A profile's approval policy as ordered stages: what an admin writes (1 to 5 stages, each with its
 * approvers, addresses or `group:<directory group>` entries, its quorum and an optional escalation)
 * and how a flat profile (top-level approvers and requiredApprovals) reads as one stage.
 */
import * as z from 'zod';
import { durationSeconds, MAX_DURATION_SECONDS } from './duration';
import { emailSchema } from './model';

export const MAX_STAGES = 5;
/** The prefix of an approver entry naming a directory group: every enabled member with a verified email. */
export const GROUP_PREFIX = 'group:';
const GROUP_ENTRY = /^group:[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export const isGroupEntry = (entry: string) => entry.startsWith(GROUP_PREFIX);
export const groupName = (entry: string) => entry.slice(GROUP_PREFIX.length);

/** An approver entry: an email address (lower-cased) or `group:<name>`. */
export const approverEntrySchema = z.string().transform((value, ctx) => {
  if (isGroupEntry(value)) {
    if (GROUP_ENTRY.test(value)) return value;
    ctx.addIssue({ code: 'custom', message: 'must be group:<name> with a name of letters, digits, dots, dashes or underscores' });
    return z.NEVER;
  }
  const parsed = emailSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  ctx.addIssue({ code: 'custom', message: `${parsed.error.issues[0]?.message ?? 'must be an email address'} or group:<name>` });
  return z.NEVER;
});

const entries = (what: string) =>
  z
    .array(approverEntrySchema)
    .min(1, `must list at least one ${what}`)
    .max(50, `must list at most 50 ${what}s`)
    .transform((list) => [...new Set(list)]);

const duration = z
  .string()
  .refine((value) => durationSeconds(value) !== undefined, 'must be an ISO-8601 duration such as PT1H or P2D')
  .refine((value) => (durationSeconds(value) ?? 0) <= MAX_DURATION_SECONDS, 'must be at most one year');

/** One stage of a profile's policy. */
export const stageRuleSchema = z
  .strictObject({
    name: z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters'),
    approvers: entries('approver'),
    requiredApprovals: z.number().int('must be an integer').min(1).max(10),
    escalateAfter: duration.optional(),
    escalateTo: entries('escalation approver').optional(),
  })
  .superRefine((stage, ctx) => {
    if (stage.escalateAfter !== undefined && stage.escalateTo === undefined) {
      ctx.addIssue({ code: 'custom', path: ['escalateTo'], message: 'is required with escalateAfter' });
    }
    if (stage.escalateTo !== undefined && stage.escalateAfter === undefined) {
      ctx.addIssue({ code: 'custom', path: ['escalateAfter'], message: 'is required with escalateTo' });
    }
    // Groups are counted at create (their members may change); plain addresses can be counted now.
    if (!stage.approvers.some(isGroupEntry) && stage.approvers.length < stage.requiredApprovals) {
      ctx.addIssue({
        code: 'custom',
        path: ['requiredApprovals'],
        message: `is ${stage.requiredApprovals} but only ${stage.approvers.length} approver(s) are listed in this stage`,
      });
    }
  });
export type StageRule = z.infer<typeof stageRuleSchema>;

/** The stage a flat profile (and a request stored before stages) stands for. */
export const FLAT_STAGE_NAME = 'Approval';

/** A profile's stages: its `stages`, or its flat approvers and quorum as one stage. */
export function profileStages(profile: {
  stages?: StageRule[];
  approvers?: string[];
  requiredApprovals?: number;
  name?: string;
}): StageRule[] {
  if (profile.stages?.length) return profile.stages;
  return [{ name: FLAT_STAGE_NAME, approvers: profile.approvers ?? [], requiredApprovals: profile.requiredApprovals ?? 1 }];
}

/** Every `group:` name a profile's stages name (approvers and escalation). */
export function groupsNamed(stages: readonly StageRule[]): string[] {
  const all = stages.flatMap((stage) => [...stage.approvers, ...(stage.escalateTo ?? [])]);
  return [...new Set(all.filter(isGroupEntry).map(groupName))];
}
