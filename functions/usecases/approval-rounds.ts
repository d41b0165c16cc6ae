/**
 * The approval rounds, one use case per step of the workflow: plan a round (remind, expire or
 * wait), await a decision, notify the outcome, deliver the callback. DynamoDB holds the truth:
 * every step reads the request first, so a step that runs twice (a retry, a restarted execution)
 * does no harm.
 */
import { createHmac } from 'node:crypto';
import { durationSeconds } from '../domain/duration';
import type { ApprovalRequest, HistoryType, Outcome } from '../domain/model';
import { WORKFLOW_ACTOR } from '../domain/model';
import { reminderLimit, undecidedApprovers } from '../domain/rules';
import type { EmailContent } from '../notifications/emails';
import type { ApprovalStore, Clock, Directory, Mailer, Meter, WorkflowPort } from './ports';
import { EmailDeferred, isUnsettledClaim, sendClosingEmails } from './closing-emails';
import { CHECK_GRACE_SECONDS, EMAIL_CLAIM_STALE_SECONDS, earliest } from './checks';
import { emailableApprovers } from './people';
import { expireRequest } from '../lifecycle/end';
import { isTransient } from './transient';

export interface StepDeps {
  repository: Pick<
    ApprovalStore,
    | 'getRequest'
    | 'saveChange'
    | 'setRoundBookkeeping'
    | 'appendHistory'
    | 'claimApprovalEmail'
    | 'settleApprovalEmail'
    | 'claimReminder'
    | 'claimClosingEmail'
    | 'settleClosingEmail'
  >;
  workflow: WorkflowPort;
  /** The user directory: only approvers who may still decide get emails with links. */
  directory: Directory;
  now: Clock;
  meter: Meter;
  send: Mailer;
  /** Approve and reject URLs for one approver, valid until the request expires. */
  links: (request: ApprovalRequest, approver: string) => Promise<{ approve: string; reject: string }>;
  approverEmail: (request: ApprovalRequest, links: { approve: string; reject: string }, options: { reminder: boolean }) => EmailContent;
  outcomeEmail: (request: ApprovalRequest) => EmailContent;
  /** The short email to an approver who did not decide, once the request ended. */
  closingEmail: (request: ApprovalRequest) => EmailContent;
  /** The signing key of one calling system (derived from the service's current callback key) and that key's id. */
  callbackKey: (client: string) => Promise<{ keyId: string; secret: string }>;
  fetch: typeof fetch;
}

/** A history entry by the workflow itself. */
function record(deps: Pick<StepDeps, 'repository'>, requestId: string, at: string, type: HistoryType, details: Record<string, unknown>) {
  return deps.repository.appendHistory(requestId, { at, type, actor: WORKFLOW_ACTOR, details });
}

export interface Plan {
  done: boolean;
  waitSeconds: number;
}

const epoch = (iso: string) => Date.parse(iso);
const plus = (iso: string, seconds: number) => new Date(epoch(iso) + seconds * 1000).toISOString();

/**
 * A round of the workflow:
 * 1. an ended request (or a missing one) ends the workflow;
 * 2. one past its expiry is expired now;
 * 3. when a reminder is due (and fewer than the request's maxReminders were sent), the approvers
 *    who have not approved and may still decide (directory) get one, each claimed first (a retry of
 *    this round after its bookkeeping write failed sends nobody that reminder again);
 * 4. otherwise wait until the next reminder or the expiry, whichever comes first (only the expiry
 *    once the reminders are used up).
 */
export async function planRound(deps: StepDeps, requestId: string): Promise<Plan> {
  const stored = await deps.repository.getRequest(requestId);
  if (stored?.request.state !== 'requested') return { done: true, waitSeconds: 1 };
  const { request, rounds } = stored;
  const now = deps.now();
  if (epoch(now) >= epoch(request.expiresAt)) {
    await expireRequest(deps, requestId);
    return { done: true, waitSeconds: 1 };
  }
  const remindEvery = durationSeconds(request.remindAfter) ?? 0;
  const limit = reminderLimit(request);
  let reminders = rounds.reminders ?? 0;
  let nextReminderAt = rounds.nextReminderAt ?? plus(request.createdAt, remindEvery);
  if (rounds.notifiedAt && reminders < limit && epoch(now) >= epoch(nextReminderAt)) {
    const { recipients, skipped } = await emailableApprovers(deps.directory, request, undecidedApprovers(request));
    const results = await sendReminders(deps, request, recipients, reminders + 1);
    while (epoch(nextReminderAt) <= epoch(now)) nextReminderAt = plus(nextReminderAt, remindEvery);
    reminders += 1;
    await deps.repository.setRoundBookkeeping(requestId, { nextReminderAt, reminders }, { whilePending: true });
    await record(deps, requestId, now, 'reminded', {
      recipients: results.sent,
      ...(results.claimedBefore.length ? { claimedBefore: results.claimedBefore } : {}),
      reminder: reminders,
      of: limit,
      ...skippedDetail(skipped),
    });
  }
  const until = reminders < limit ? Math.min(epoch(nextReminderAt), epoch(request.expiresAt)) : epoch(request.expiresAt);
  return { done: false, waitSeconds: Math.max(1, Math.ceil((until - epoch(now)) / 1000)) };
}

/**
 * The wait of a round: store the task token on the request while it is pending (with the time the
 * reconciler looks again if this wait does not end as planned) and email the approvers once. If
 * the request ended before the token could be stored, complete this task at once with that
 * outcome: a decision is never lost between two rounds.
 */
export async function awaitDecision(deps: StepDeps, requestId: string, taskToken: string, waitSeconds?: number): Promise<void> {
  const stored = await deps.repository.getRequest(requestId);
  const started = deps.now();
  const checkAt = stored
    ? plus(waitSeconds ? earliest(plus(started, waitSeconds), stored.request.expiresAt) : stored.request.expiresAt, CHECK_GRACE_SECONDS)
    : undefined;
  const pending = stored ? await deps.repository.setRoundBookkeeping(requestId, { taskToken, checkAt }, { whilePending: true }) : false;
  if (!pending) {
    const latest = await deps.repository.getRequest(requestId);
    const state = latest?.request.state;
    await deps.workflow.finish(taskToken, (state && state !== 'requested' ? state : 'deleted') as Outcome);
    return;
  }
  if (stored && !stored.rounds.notifiedAt) {
    const results = await sendApprovalEmails(deps, stored.request);
    const now = deps.now();
    const nextReminderAt = stored.rounds.nextReminderAt ?? plus(stored.request.createdAt, durationSeconds(stored.request.remindAfter) ?? 0);
    await deps.repository.setRoundBookkeeping(requestId, { notifiedAt: now, nextReminderAt });
    await record(deps, requestId, now, 'notified', { recipients: results.sent, ...skippedDetail(results.skipped) });
  }
}

/** Listed approvers who got no email because they may no longer decide (left the directory or the group). */
const skippedDetail = (skipped: string[]) => (skipped.length > 0 ? { skipped } : {});

export { EmailDeferred };

/**
 * The first approval email, to each listed approver who may decide now (an enabled member of
 * `approvers` in the directory; the others are `skipped`),
 * once per approver even when this task is retried or times out while
 * still sending: each approver is claimed (a conditional write) before the email goes out and
 * marked sent after, so another attempt skips approvers done or being done; an attempt that met a
 * claim not yet settled is deferred, so the round is not marked notified before that email is
 * sent (by the attempt holding it, or by a later one once the claim is stale). A permanent failure
 * (a refused address) is recorded in the history and the others still get theirs. A transient one
 * (SES throttling or an outage, after the SDK's own retries) releases the claim and stops the
 * round: the workflow's retry of the task emails only the rest.
 */
async function sendApprovalEmails(deps: StepDeps, request: ApprovalRequest) {
  const sent: string[] = [];
  const taken: string[] = [];
  const { recipients, skipped } = await emailableApprovers(deps.directory, request, request.approvers);
  for (const approver of recipients) {
    const now = deps.now();
    const claimed = await deps.repository.claimApprovalEmail(request.id, approver, now, plus(now, -EMAIL_CLAIM_STALE_SECONDS));
    if (!claimed) {
      taken.push(approver);
      continue;
    }
    try {
      await sendApproverEmail(deps, request, approver, false);
      await deps.repository.settleApprovalEmail(request.id, approver, `sent:${deps.now()}`);
      sent.push(approver);
    } catch (error) {
      deps.meter.emailFailed();
      if (isTransient(error)) {
        await deps.repository.settleApprovalEmail(request.id, approver, undefined);
        throw new EmailDeferred(`approval emails deferred: ${(error as Error).name}`);
      }
      await deps.repository.settleApprovalEmail(request.id, approver, `failed:${deps.now()}`);
      await recordEmailFailure(deps, request.id, approver, 'approval', error);
    }
  }
  // Every approver emailed by this attempt: nothing an earlier attempt did can add to the list.
  if (recipients.every((approver) => sent.includes(approver))) return { sent: [...recipients], skipped };
  const earlier = await deps.repository.getRequest(request.id);
  // A claim another attempt holds and has not settled: that attempt may still be sending, or may
  // have died (a crash, a timeout). Deferred: a later attempt sends it once the claim is stale.
  if (taken.some((approver) => isUnsettledClaim(earlier?.rounds.approvalEmails?.[approver]))) {
    throw new EmailDeferred('approval emails deferred: another attempt holds a claim');
  }
  const all = Object.entries(earlier?.rounds.approvalEmails ?? {})
    .filter(([, value]) => value.startsWith('sent:'))
    .map(([approver]) => approver);
  return { sent: request.approvers.filter((approver) => all.includes(approver) || sent.includes(approver)), skipped };
}

async function sendApproverEmail(deps: StepDeps, request: ApprovalRequest, approver: string, reminder: boolean) {
  const links = await deps.links(request, approver);
  const content = deps.approverEmail(request, links, { reminder });
  await deps.send({ ...content, to: approver, tags: { requestId: request.id, purpose: reminder ? 'reminder' : 'approval' } });
}

/**
 * Reminder number `reminder`: one per approver who has not approved, claimed before it is sent, so
 * an approver claimed by an earlier attempt of this round (`claimedBefore`) is skipped. One that
 * fails is recorded and the next reminder follows anyway.
 */
async function sendReminders(deps: StepDeps, request: ApprovalRequest, recipients: string[], reminder: number) {
  const sent: string[] = [];
  const claimedBefore: string[] = [];
  for (const approver of recipients) {
    if (!(await deps.repository.claimReminder(request.id, approver, reminder))) {
      claimedBefore.push(approver);
      continue;
    }
    try {
      await sendApproverEmail(deps, request, approver, true);
      sent.push(approver);
      deps.meter.reminderSent();
    } catch (error) {
      deps.meter.emailFailed();
      await recordEmailFailure(deps, request.id, approver, 'reminder', error);
    }
  }
  return { sent, claimedBefore };
}

async function recordEmailFailure(deps: StepDeps, requestId: string, recipient: string, purpose: string, error: unknown) {
  await deps.repository.appendHistory(requestId, {
    at: deps.now(),
    type: 'notification-failed',
    actor: WORKFLOW_ACTOR,
    details: { recipient, purpose, error: (error as Error).name ?? 'Error' },
  });
}

/**
 * After the outcome: the approvers emailed about the request who did not decide get the closing
 * email (each once), then the requester is emailed (once), and the caller learns whether a calling
 * system waits for a callback. A deferred closing email stops the step before the requester's
 * email, so the retry (or the reconciler's rerun) finishes both.
 */
export async function notifyOutcome(deps: StepDeps, requestId: string): Promise<{ callback: boolean }> {
  const stored = await deps.repository.getRequest(requestId);
  if (!stored || stored.request.state === 'requested') return { callback: false };
  const { request, rounds } = stored;
  const deletedByRequester = request.state === 'deleted' && request.decision?.by.id === request.requester.id;
  const callback = Boolean(request.callbackUrl) && !rounds.callbackDeliveredAt && !rounds.callbackAbandonedAt;
  // Without a callback nothing more is owed once the outcome is notified: the reconciler can forget
  // the request, in the same write that records the notification.
  const done = callback ? {} : { checkAt: null };
  if (!rounds.outcomeNotifiedAt) await sendClosingEmails(deps, request, rounds);
  if (!rounds.outcomeNotifiedAt && deletedByRequester) {
    // Nothing to tell the requester who deleted it: the outcome step is done.
    await deps.repository.setRoundBookkeeping(requestId, { outcomeNotifiedAt: deps.now(), ...done });
  } else if (!rounds.outcomeNotifiedAt) {
    try {
      const content = deps.outcomeEmail(request);
      await deps.send({ ...content, to: request.requester.email, tags: { requestId, purpose: 'outcome' } });
      await deps.repository.appendHistory(requestId, {
        at: deps.now(),
        type: 'notified',
        actor: WORKFLOW_ACTOR,
        details: { recipients: [request.requester.email], purpose: 'outcome', state: request.state },
      });
    } catch (error) {
      deps.meter.emailFailed();
      // SES throttling or an outage: the workflow retries the step (and the reconciler, after the
      // step's last retry, runs it again), so the requester is still told. A refused address is final.
      if (isTransient(error)) throw new EmailDeferred(`outcome email deferred: ${(error as Error).name}`);
      await recordEmailFailure(deps, requestId, request.requester.email, 'outcome', error);
    }
    await deps.repository.setRoundBookkeeping(requestId, { outcomeNotifiedAt: deps.now(), ...done });
  } else if (!callback) {
    await deps.repository.setRoundBookkeeping(requestId, done);
  }
  return { callback };
}

export class CallbackFailed extends Error {
  override name = 'Approvals.CallbackFailed';
}

/** The `Approvals-Signature` header: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. */
export function callbackSignature(secret: string, body: string, timestamp: number): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${mac}`;
}

/**
 * POSTs the signed outcome event to the request's callbackUrl, signed with the key of the calling
 * system that created the request and naming it (`client`). Redirects are not followed and the
 * answer's body is not read. Anything but 2xx (a 3xx too) throws CallbackFailed, which the workflow
 * retries with backoff. With `abandon`, records that the workflow gave up. A request without a
 * calling system (stored before callbacks were tied to one) gets no callback: nobody could verify it.
 */
export async function deliverCallback(deps: StepDeps, requestId: string, abandon = false): Promise<{ status?: number }> {
  const stored = await deps.repository.getRequest(requestId);
  if (!stored?.request.callbackUrl || stored.request.state === 'requested' || stored.rounds.callbackDeliveredAt) return {};
  const { request } = stored;
  if (abandon) {
    deps.meter.callbackAbandoned();
    const now = deps.now();
    // Nothing more is owed once the outcome email was attempted too (else the reconciler restarts it).
    await deps.repository.setRoundBookkeeping(requestId, {
      callbackAbandonedAt: now,
      ...(stored.rounds.outcomeNotifiedAt ? { checkAt: null } : {}),
    });
    await record(deps, requestId, now, 'callback-failed', { url: request.callbackUrl });
    return {};
  }
  if (!request.client) {
    // Never deliverable: given up at once, so the reconciler does not restart it again and again.
    const now = deps.now();
    await deps.repository.setRoundBookkeeping(requestId, {
      callbackAbandonedAt: now,
      ...(stored.rounds.outcomeNotifiedAt ? { checkAt: null } : {}),
    });
    await record(deps, requestId, now, 'callback-failed', { url: request.callbackUrl, reason: 'no calling system to sign for' });
    return {};
  }
  const body = JSON.stringify({ type: `request.${request.state}`, client: request.client, request });
  const key = await deps.callbackKey(request.client);
  const timestamp = Math.floor(epoch(deps.now()) / 1000);
  let status: number;
  try {
    const response = await deps.fetch(request.callbackUrl as string, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'approvals-signature': callbackSignature(key.secret, body, timestamp),
        'approvals-key-id': key.keyId,
        'user-agent': 'approvals-service/1',
      },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(10_000),
    });
    status = response.status;
    await response.body?.cancel();
  } catch (error) {
    deps.meter.callbackFailed();
    throw new CallbackFailed(`callback not delivered: ${(error as Error).name}`);
  }
  if (status < 200 || status > 299) {
    deps.meter.callbackFailed();
    throw new CallbackFailed(`callback answered ${status}`);
  }
  const now = deps.now();
  await deps.repository.setRoundBookkeeping(requestId, {
    callbackDeliveredAt: now,
    ...(stored.rounds.outcomeNotifiedAt ? { checkAt: null } : {}),
  });
  await record(deps, requestId, now, 'callback-delivered', { status, type: `request.${request.state}` });
  return { status };
}
