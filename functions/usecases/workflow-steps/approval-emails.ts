/**
 * The emails an approver gets while a request is pending: the first approval email (sent by the
 * await-decision step) and the reminders (sent by the plan-round step), each with the approver's
 * own approve and reject links.
 */
import type { ApprovalRequest } from '../../domain/model';
import { EMAIL_CLAIM_STALE_SECONDS, plus } from '../checks';
import { EmailDeferred, isUnsettledClaim } from '../closing-emails';
import type { StepDeps } from '../deps';
import { emailableApprovers } from '../people';
import { isTransientEmailFailure } from '../senders';
import { sendDelegateCopy } from './delegate-emails';
import { recordEmailFailure } from './history';

type EmailDeps = Pick<StepDeps, 'repository' | 'directory' | 'now' | 'meter' | 'send' | 'links' | 'approverEmail'>;

/**
 * The first approval email, to each listed approver (of the current stage, or `addresses` of it) who may decide now (an enabled member of
 * `approvers` in the directory; the others are `skipped`), once per approver even when this
 * workflow step is retried or times out while still sending: each approver is claimed (a
 * conditional write) before the email goes out and marked sent after, so another attempt skips
 * approvers done or being done; an attempt that met a claim not yet settled is deferred, so the
 * round is not marked notified before that email is sent (by the attempt holding it, or by a
 * later one once the claim is stale). A permanent failure (a refused address) is recorded in the
 * history and the others still get theirs. A transient one (SES throttling or an outage, after
 * the SDK's own retries) releases the claim and stops the round: the workflow's retry of the
 * step emails only the rest.
 */
export async function sendApprovalEmails(
  deps: EmailDeps,
  request: ApprovalRequest,
  addresses: readonly string[] = request.approvers,
  /** Those of them an escalation added: their email says so. */
  escalated: readonly string[] = [],
) {
  const sent: string[] = [];
  const taken: string[] = [];
  /** The subject of each email this attempt sent, by recipient. */
  const subjects: Record<string, string> = {};
  const { recipients, skipped } = await emailableApprovers(deps.directory, request, addresses);
  for (const approver of recipients) {
    const now = deps.now();
    const claimed = await deps.repository.claimApprovalEmail(
      request.id,
      approver,
      now,
      plus(now, -EMAIL_CLAIM_STALE_SECONDS),
      stageOf(request),
    );
    if (!claimed) {
      taken.push(approver);
      continue;
    }
    try {
      subjects[approver] = await sendApproverEmail(deps, request, approver, 'approval', escalated.includes(approver));
      await deps.repository.settleApprovalEmail(request.id, approver, `sent:${deps.now()}`);
      sent.push(approver);
    } catch (error) {
      deps.meter.emailFailed();
      if (isTransientEmailFailure(error)) {
        await deps.repository.settleApprovalEmail(request.id, approver, undefined);
        throw new EmailDeferred(`approval emails deferred: ${(error as Error).name}`);
      }
      await deps.repository.settleApprovalEmail(request.id, approver, `failed:${deps.now()}`);
      await recordEmailFailure(deps, request.id, approver, 'approval', error);
    }
  }
  // Every approver emailed by this attempt: nothing an earlier attempt did can add to the list.
  if (recipients.every((approver) => sent.includes(approver))) return { sent: [...recipients], skipped, subjects };
  const earlier = await deps.repository.getRequest(request.id);
  // A claim another attempt holds and has not settled: that attempt may still be sending, or may
  // have died (a crash, a timeout). Deferred: a later attempt sends it once the claim is stale.
  if (taken.some((approver) => isUnsettledClaim(earlier?.rounds.approvalEmails?.[approver]))) {
    throw new EmailDeferred('approval emails deferred: another attempt holds a claim');
  }
  const all = Object.entries(earlier?.rounds.approvalEmails ?? {})
    .filter(([, value]) => value.startsWith('sent:'))
    .map(([approver]) => approver);
  return { sent: addresses.filter((approver) => all.includes(approver) || sent.includes(approver)), skipped, subjects };
}

type Purpose = 'approval' | 'reminder' | 'hold-ended';

/** The stage an email to the request's approvers is for (staged requests): claimed only while it is current. */
const stageOf = (request: ApprovalRequest): number | undefined => (request.stages?.length ? (request.currentStage ?? 0) : undefined);

/** Sends one approver their email; resolves to its subject (the history records it). */
async function sendApproverEmail(
  deps: EmailDeps,
  request: ApprovalRequest,
  approver: string,
  purpose: Purpose,
  escalation = false,
): Promise<string> {
  const links = await deps.links(request, approver);
  const kind = { reminder: purpose === 'reminder', holdEnded: purpose === 'hold-ended', escalation };
  const content = deps.approverEmail(request, links, { ...kind, recipient: approver });
  await deps.send({ ...content, to: approver, tags: { requestId: request.id, purpose } });
  await sendDelegateCopy(deps, request, approver, purpose, escalation);
  return content.subject;
}

/**
 * Reminder number `reminder`: one per approver who has not approved, claimed before it is sent, so
 * an approver claimed by an earlier attempt of this round (`claimedBefore`) is skipped. One that
 * fails is recorded and the next reminder follows anyway. At a hold's end (`hold-ended`) the
 * email is an approval email saying the hold ended, claimed and counted like a reminder.
 */
export async function sendReminders(
  deps: EmailDeps,
  request: ApprovalRequest,
  recipients: string[],
  reminder: number,
  purpose: 'reminder' | 'hold-ended' = 'reminder',
) {
  const sent: string[] = [];
  const claimedBefore: string[] = [];
  const subjects: Record<string, string> = {};
  for (const approver of recipients) {
    if (!(await deps.repository.claimReminder(request.id, approver, reminder, stageOf(request)))) {
      claimedBefore.push(approver);
      continue;
    }
    try {
      subjects[approver] = await sendApproverEmail(deps, request, approver, purpose);
      sent.push(approver);
      if (purpose === 'reminder') deps.meter.reminderSent();
    } catch (error) {
      deps.meter.emailFailed();
      await recordEmailFailure(deps, request.id, approver, purpose, error);
    }
  }
  return { sent, claimedBefore, subjects };
}
