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
import { expire, undecidedApprovers } from '../domain/rules';
import type { EmailContent } from '../notifications/emails';
import type { ApprovalStore, Clock, Mailer, Meter, WorkflowPort } from './ports';
import { changeRequest } from './requests';

export interface StepDeps {
  repository: Pick<ApprovalStore, 'getRequest' | 'saveChange' | 'setRoundBookkeeping' | 'appendHistory'>;
  workflow: WorkflowPort;
  now: Clock;
  meter: Meter;
  send: Mailer;
  /** Approve and reject URLs for one approver, valid until the request expires. */
  links: (request: ApprovalRequest, approver: string) => Promise<{ approve: string; reject: string }>;
  approverEmail: (request: ApprovalRequest, links: { approve: string; reject: string }, options: { reminder: boolean }) => EmailContent;
  outcomeEmail: (request: ApprovalRequest) => EmailContent;
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
 * 3. when a reminder is due, the approvers who have not approved get one;
 * 4. otherwise wait until the next reminder or the expiry, whichever comes first.
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
  let nextReminderAt = rounds.nextReminderAt ?? plus(request.createdAt, remindEvery);
  if (rounds.notifiedAt && epoch(now) >= epoch(nextReminderAt)) {
    const recipients = undecidedApprovers(request);
    const results = await notifyApprovers(deps, request, recipients, true);
    while (epoch(nextReminderAt) <= epoch(now)) nextReminderAt = plus(nextReminderAt, remindEvery);
    const reminders = (rounds.reminders ?? 0) + 1;
    await deps.repository.setRoundBookkeeping(requestId, { nextReminderAt, reminders }, { whilePending: true });
    await record(deps, requestId, now, 'reminded', { recipients: results.sent });
  }
  const until = Math.min(epoch(nextReminderAt), epoch(request.expiresAt));
  return { done: false, waitSeconds: Math.max(1, Math.ceil((until - epoch(now)) / 1000)) };
}

async function expireRequest(deps: StepDeps, requestId: string): Promise<void> {
  try {
    await changeRequest(deps, requestId, (request, now) => expire(request, now));
  } catch (error) {
    // Decided meanwhile: that outcome stands.
    if ((error as { code?: string }).code !== 'conflict') throw error;
  }
}

/**
 * The wait of a round: store the task token on the request while it is pending and email the
 * approvers once. If the request ended before the token could be stored, complete this task at
 * once with that outcome: a decision is never lost between two rounds.
 */
export async function awaitDecision(deps: StepDeps, requestId: string, taskToken: string): Promise<void> {
  const stored = await deps.repository.getRequest(requestId);
  const pending = stored ? await deps.repository.setRoundBookkeeping(requestId, { taskToken }, { whilePending: true }) : false;
  if (!pending) {
    const latest = await deps.repository.getRequest(requestId);
    const state = latest?.request.state;
    await deps.workflow.finish(taskToken, (state && state !== 'requested' ? state : 'deleted') as Outcome);
    return;
  }
  if (stored && !stored.rounds.notifiedAt) {
    const results = await notifyApprovers(deps, stored.request, stored.request.approvers, false, stored.rounds.notifiedApprovers ?? []);
    const now = deps.now();
    const nextReminderAt = stored.rounds.nextReminderAt ?? plus(stored.request.createdAt, durationSeconds(stored.request.remindAfter) ?? 0);
    await deps.repository.setRoundBookkeeping(requestId, { notifiedAt: now, nextReminderAt });
    await record(deps, requestId, now, 'notified', { recipients: results.sent });
  }
}

/** SES could not take the first approval emails now (throttling, an outage): the workflow retries the task later. */
export class EmailDeferred extends Error {
  override name = 'Approvals.EmailDeferred';
}

const TRANSIENT_EMAIL_ERRORS = new Set(['ThrottlingException', 'TooManyRequestsException', 'LimitExceededException', 'ServiceUnavailable', 'InternalFailure', 'TimeoutError']);

function isTransient(error: unknown): boolean {
  const candidate = error as { name?: string; $retryable?: unknown; $metadata?: { httpStatusCode?: number } };
  return TRANSIENT_EMAIL_ERRORS.has(candidate.name ?? '') || candidate.$retryable !== undefined || (candidate.$metadata?.httpStatusCode ?? 0) >= 500;
}

/**
 * Emails each approver their own links. A permanent failure (a refused address) is recorded in the
 * history and the others still get theirs. A transient one (SES throttling or an outage, after the
 * SDK's own retries) on the first approval emails stops the round: who already got one is stored,
 * and the workflow's retry of the task emails only the rest. A reminder that fails is recorded;
 * the next reminder follows anyway.
 */
async function notifyApprovers(deps: StepDeps, request: ApprovalRequest, recipients: string[], reminder: boolean, alreadySent: string[] = []) {
  const sent = recipients.filter((approver) => alreadySent.includes(approver));
  for (const approver of recipients.filter((candidate) => !alreadySent.includes(candidate))) {
    try {
      const links = await deps.links(request, approver);
      const content = deps.approverEmail(request, links, { reminder });
      await deps.send({ ...content, to: approver, tags: { requestId: request.id, purpose: reminder ? 'reminder' : 'approval' } });
      sent.push(approver);
      if (reminder) deps.meter.reminderSent();
    } catch (error) {
      deps.meter.emailFailed();
      if (!reminder && isTransient(error)) {
        await deps.repository.setRoundBookkeeping(request.id, { notifiedApprovers: sent });
        throw new EmailDeferred(`approval emails deferred after ${sent.length} of ${recipients.length}: ${(error as Error).name}`);
      }
      await recordEmailFailure(deps, request.id, approver, reminder ? 'reminder' : 'approval', error);
    }
  }
  return { sent };
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
 * After the outcome: the requester is emailed (once) and the caller learns whether a calling
 * system waits for a callback.
 */
export async function notifyOutcome(deps: StepDeps, requestId: string): Promise<{ callback: boolean }> {
  const stored = await deps.repository.getRequest(requestId);
  if (!stored || stored.request.state === 'requested') return { callback: false };
  const { request, rounds } = stored;
  const deletedByRequester = request.state === 'deleted' && request.decision?.by.id === request.requester.id;
  if (!rounds.outcomeNotifiedAt && !deletedByRequester) {
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
      await recordEmailFailure(deps, requestId, request.requester.email, 'outcome', error);
    }
    await deps.repository.setRoundBookkeeping(requestId, { outcomeNotifiedAt: deps.now() });
  }
  return { callback: Boolean(request.callbackUrl) && !rounds.callbackDeliveredAt };
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
  if (!stored?.request.callbackUrl || stored.rounds.callbackDeliveredAt) return {};
  const { request } = stored;
  if (abandon) {
    deps.meter.callbackAbandoned();
    await record(deps, requestId, deps.now(), 'callback-failed', { url: request.callbackUrl });
    return {};
  }
  if (!request.client) {
    await record(deps, requestId, deps.now(), 'callback-failed', { url: request.callbackUrl, reason: 'no calling system to sign for' });
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
  await deps.repository.setRoundBookkeeping(requestId, { callbackDeliveredAt: now });
  await record(deps, requestId, now, 'callback-delivered', { status, type: `request.${request.state}` });
  return { status };
}
