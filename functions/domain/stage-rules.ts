/**
 * A profile's approval policy as ordered stages: what an admin writes (1 to 5 stages, each with its
 * approvers, addresses or `group:<directory group>` entries, its quorum and an optional escalation)
 * and how a flat profile (top-level approvers and requiredApprovals) reads as one stage.
 */
import * as z from './zod';
import { durationSeconds, MAX_DURATION_SECONDS } from './duration';
import { emailSchema } from './model';
import { mailbox } from './people';
import { CONTROL_CHARACTERS } from './subject';

export const MAX_STAGES = 5;
/** The prefix of an approver entry naming a directory group: every enabled member with a verified email. */
export const GROUP_PREFIX = 'group:';
const GROUP_ENTRY = /^group:[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export const isGroupEntry = (entry: string) => entry.startsWith(GROUP_PREFIX);
export const groupName = (entry: string) => entry.slice(GROUP_PREFIX.length);

/** An approver entry: an email address (lower-cased) or `group:<name>`. */
export const approverEntrySchema = z.pipe(
  z.string(),
  z.transform((value, ctx) => {
    if (isGroupEntry(value)) {
      if (GROUP_ENTRY.test(value)) return value;
      ctx.issues.push({
        code: 'custom',
        message: 'must be group:<name> with a name of letters, digits, dots, dashes or underscores',
        input: value,
      });
      return z.NEVER;
    }
    const parsed = emailSchema.safeParse(value);
    if (parsed.success) return parsed.data;
    ctx.issues.push({
      code: 'custom',
      message: `${parsed.error.issues[0]?.message ?? 'must be an email address'} or group:<name>`,
      input: value,
    });
    return z.NEVER;
  }),
);

const entries = (what: string) =>
  z.pipe(
    z.array(approverEntrySchema).check(z.minLength(1, `must list at least one ${what}`), z.maxLength(50, `must list at most 50 ${what}s`)),
    z.transform((list) => [...new Set(list)]),
  );

const duration = z.string().check(
  z.refine((value) => durationSeconds(value) !== undefined, 'must be an ISO-8601 duration such as PT1H or P2D'),
  z.refine((value) => (durationSeconds(value) ?? 0) <= MAX_DURATION_SECONDS, 'must be at most one year'),
);

/** The note for a count of people below the count of addresses: some share a mailbox. */
export const sameMailbox = (addresses: readonly string[]) =>
  new Set(addresses.map(mailbox)).size < addresses.length ? ' (addresses of one mailbox, name+tag@domain, are one person)' : '';

/** One stage of a profile's policy. */
export const stageRuleSchema = z
  .strictObject({
    name: z.string().check(
      z.trim(),
      z.minLength(1, 'must not be empty'),
      z.maxLength(100, 'must be at most 100 characters'),
      z.refine((name) => !CONTROL_CHARACTERS.test(name), 'must be one line, without control characters (line breaks, tabs)'),
    ),
    approvers: entries('approver'),
    requiredApprovals: z.number().check(z.int('must be an integer'), z.minimum(1, 'must be 1 to 10'), z.maximum(10, 'must be 1 to 10')),
    escalateAfter: z.optional(duration),
    escalateTo: z.optional(entries('escalation approver')),
  })
  .check(
    z.superRefine((stage, ctx) => {
      if (stage.escalateAfter !== undefined && stage.escalateTo === undefined) {
        ctx.addIssue({ code: 'custom', path: ['escalateTo'], message: 'is required with escalateAfter' });
      }
      if (stage.escalateTo !== undefined && stage.escalateAfter === undefined) {
        ctx.addIssue({ code: 'custom', path: ['escalateAfter'], message: 'is required with escalateTo' });
      }
      // Groups are counted at create (their members may change); plain addresses can be counted now,
      // one per mailbox (name+tag@domain is name@domain: one person, one vote).
      const people = new Set(stage.approvers.map(mailbox)).size;
      if (!stage.approvers.some(isGroupEntry) && people < stage.requiredApprovals) {
        ctx.addIssue({
          code: 'custom',
          path: ['requiredApprovals'],
          message: `is ${stage.requiredApprovals} but only ${people} approver(s) are listed in this stage${sameMailbox(stage.approvers)}`,
        });
      }
    }),
  );
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
