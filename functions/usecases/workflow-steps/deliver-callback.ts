/**
 * The deliver-callback workflow step: the rules of a callback (when one is owed, when it counts
 * as delivered, when the workflow gives up). The HTTP and the signing are the CallbackSender's
 * (adapters/http-callbacks.ts).
 */
import type { StepDeps } from '../deps';
import { issueReceipt } from '../receipts';
import type { CallbackEvent } from '../senders';
import { record, workflowEntry } from './history';

export class CallbackFailed extends Error {
  override name = 'Approvals.CallbackFailed';
}

type CallbackDeps = Pick<StepDeps, 'repository' | 'now' | 'meter' | 'callbackKey' | 'callbacks' | 'receipts'>;

/**
 * Sends the outcome event to the request's callbackUrl, signed with the key of the calling system
 * that created the request and naming it (`client`). Anything but 2xx (a 3xx too: redirects are
 * not followed), or no answer, throws CallbackFailed, which the workflow retries with backoff.
 * With `abandon`, records that the workflow gave up.
 */
export async function deliverCallback(deps: CallbackDeps, requestId: string, abandon = false): Promise<{ status?: number }> {
  const stored = await deps.repository.getRequest(requestId);
  const url = stored?.request.callbackUrl;
  if (!stored || !url || stored.request.state === 'requested' || stored.rounds.callbackDeliveredAt) return {};
  const { request } = stored;
  // Nothing more is owed once the outcome email was attempted too (else the reconciler restarts it).
  const done = stored.rounds.outcomeNotifiedAt ? { checkAt: null } : {};
  if (abandon) {
    deps.meter.callbackAbandoned();
    const now = deps.now();
    const entry = workflowEntry(now, 'callback-failed', { url });
    await deps.repository.setRoundBookkeeping(requestId, { callbackAbandonedAt: now, ...done }, { history: entry });
    return {};
  }
  // Only a calling system may set a callbackUrl (create refuses it from a person): `client` is set.
  const client = request.client as string;
  // On request.approved the receipt goes along (signed here if the notify-outcome step could not).
  const receipt = request.state === 'approved' ? (await issueReceipt(deps, request, stored)).receipt : undefined;
  const event: CallbackEvent = { type: `request.${request.state}`, client, request, ...(receipt ? { receipt } : {}) };
  const key = await deps.callbackKey(client);
  let status: number;
  try {
    ({ status } = await deps.callbacks.send(url, event, key, deps.now()));
  } catch (error) {
    deps.meter.callbackFailed();
    await recordAttempt(deps, requestId, { type: event.type, error: (error as Error).name ?? 'Error' });
    throw new CallbackFailed(`callback not delivered: ${(error as Error).name}`);
  }
  if (status < 200 || status > 299) {
    deps.meter.callbackFailed();
    await recordAttempt(deps, requestId, { type: event.type, status });
    throw new CallbackFailed(`callback answered ${status}`);
  }
  const now = deps.now();
  const entry = workflowEntry(now, 'callback-delivered', { status, type: event.type });
  await deps.repository.setRoundBookkeeping(requestId, { callbackDeliveredAt: now, ...done }, { history: entry });
  return { status };
}

/**
 * A failed attempt, for the evidence of what the calling system was sent (at most the workflow's
 * retries of the step). Its own failure does not change the attempt's: the workflow retries it anyway.
 */
async function recordAttempt(deps: CallbackDeps, requestId: string, details: Record<string, unknown>) {
  await record(deps, requestId, deps.now(), 'callback-attempt-failed', details).catch(() => undefined);
}
