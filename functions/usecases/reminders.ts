/**
 * A reminder the requester sends (POST /requests/{id}/reminders): the approvers the request awaits
 * get a reminder email now, at most once per remindAfter after the last email to them, and within
 * the most emails one request may send an approver (each is claimed as a reminder, like the
 * workflow's; domain/model.ts MAX_EMAILS_PER_APPROVER).
 */
import { durationSeconds } from '../domain/duration';
import { conflict, forbidden, notFound } from '../domain/errors';
import { type ApprovalRequest, type HistoryEntry, type Identity, MAX_REMINDERS } from '../domain/model';
import { awaitingApprovers } from '../domain/stages';
import { plus } from './checks';
import type { StepDeps } from './deps';
import { emailableApprovers } from './people';
import type { ApprovalStore, RoundBookkeeping } from './ports';
import { sendReminders } from './workflow-steps/approval-emails';
import { subjectDetail } from './workflow-steps/history';

export type ReminderDeps = Pick<StepDeps, 'directory' | 'now' | 'meter' | 'send' | 'links' | 'approverEmail'> & {
  repository: StepDeps['repository'] & Pick<ApprovalStore, 'claimRequesterReminder'>;
};

export type ReminderAnswer =
  /** Sent: who got it, who is awaited but may no longer decide (left the directory or the group), and when the next may go. */
  | { sent: true; recipients: string[]; skipped: string[]; nextAllowedAt: string }
  /** Too soon after the last email: when the next may go. */
  | { sent: false; retryAfterSeconds: number; nextAllowedAt: string };

/** The approvers a pending request awaits: the current stage's who have not approved (domain/stages.ts). */
export const awaitedApprovers = (request: ApprovalRequest): string[] => awaitingApprovers(request);

/** When the approvers were last emailed about the request (its creation before the first email). */
export function lastEmailAt(request: ApprovalRequest, rounds: RoundBookkeeping): string {
  return [request.createdAt, rounds.notifiedAt, rounds.lastEmailAt]
    .filter((at): at is string => Boolean(at))
    .sort()
    .at(-1) as string;
}

function tooSoon(request: ApprovalRequest, rounds: RoundBookkeeping, now: string): ReminderAnswer | undefined {
  const nextAllowedAt = plus(lastEmailAt(request, rounds), durationSeconds(request.remindAfter) ?? 0);
  if (nextAllowedAt <= now) return undefined;
  return { sent: false, retryAfterSeconds: Math.max(1, Math.ceil((Date.parse(nextAllowedAt) - Date.parse(now)) / 1000)), nextAllowedAt };
}

export async function remindApprovers(deps: ReminderDeps, who: Identity, id: string): Promise<ReminderAnswer> {
  const stored = await deps.repository.getRequest(id);
  if (!stored) throw notFound(`request ${id} does not exist`);
  const { request, rounds } = stored;
  if (request.requester.id !== who.id) throw forbidden('only the requester may send a reminder');
  if (request.state !== 'requested') throw conflict(`request is ${request.state}: nobody awaits a reminder`);
  if (request.onHold) throw conflict('request is on hold: reminders wait until the hold ends');
  const reminders = rounds.reminders ?? 0;
  if (reminders >= MAX_REMINDERS) throw conflict('the approvers already had every email one request may send them');
  const now = deps.now();
  const early = tooSoon(request, rounds, now);
  if (early) return early;
  const notAfter = plus(now, -(durationSeconds(request.remindAfter) ?? 0));
  if (!(await deps.repository.claimRequesterReminder(id, now, notAfter))) {
    // Another reminder (or the request's end) came first: answer as for that one.
    const latest = await deps.repository.getRequest(id);
    if (latest?.request.state !== 'requested') throw conflict(`request is ${latest?.request.state ?? 'gone'}: nobody awaits a reminder`);
    return tooSoon(latest.request, latest.rounds, now) ?? { sent: false, retryAfterSeconds: 1, nextAllowedAt: plus(now, 1) };
  }
  const { recipients, skipped } = await emailableApprovers(deps.directory, request, awaitedApprovers(request));
  const slot = reminders + 1;
  const results = await sendReminders(deps, request, recipients, slot);
  const entry: HistoryEntry = {
    at: now,
    type: 'reminded',
    actor: { id: who.id, email: request.requester.email },
    details: {
      recipients: results.sent,
      requestedBy: 'requester',
      ...(results.claimedBefore.length ? { claimedBefore: results.claimedBefore } : {}),
      ...(skipped.length ? { skipped } : {}),
      ...subjectDetail(results.subjects),
    },
  };
  await deps.repository.setRoundBookkeeping(id, { reminders: slot }, { whilePending: true, history: entry });
  return { sent: true, recipients: results.sent, skipped, nextAllowedAt: plus(now, durationSeconds(request.remindAfter) ?? 0) };
}
