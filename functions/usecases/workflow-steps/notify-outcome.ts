/**
 * The notify-outcome workflow step. DynamoDB holds the truth: the step reads the request first,
 * so a step that runs twice does no harm.
 */
import { EmailDeferred, sendClosingEmails } from '../closing-emails';
import type { StepDeps } from '../deps';
import { issueReceipt } from '../receipts';
import { isTransientEmailFailure } from '../senders';
import { emailFailureEntry, workflowEntry } from './history';
import type { ApprovalRequest, HistoryEntry } from '../../domain/model';

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
  // An approval's receipt is signed first (once: a rerun finds it on the item), so the callback carries it.
  if (request.state === 'approved') await issueReceipt(deps, request, stored);
  const deletedByRequester = request.state === 'deleted' && request.decision?.by.id === request.requester.id;
  const callback = Boolean(request.callbackUrl) && !rounds.callbackDeliveredAt && !rounds.callbackAbandonedAt;
  // Without a callback nothing more is owed once the outcome is notified: the reconciler can forget
  // the request, in the same write that records the notification.
  const done = callback ? {} : { checkAt: null };
  // The closing emails' entry is written with the step's bookkeeping, as the outcome email's is.
  const closing = rounds.outcomeNotifiedAt ? undefined : await sendClosingEmails(deps, request, rounds);
  if (!rounds.outcomeNotifiedAt && deletedByRequester) {
    // Nothing to tell the requester who deleted it: the outcome step is done.
    await deps.repository.setRoundBookkeeping(requestId, { outcomeNotifiedAt: deps.now(), ...done }, { history: closing });
  } else if (!rounds.outcomeNotifiedAt) {
    const entry = await sendOutcomeEmail(deps, request);
    await deps.repository.setRoundBookkeeping(requestId, { outcomeNotifiedAt: deps.now(), ...done }, { history: [closing, entry] });
  } else if (!callback) {
    await deps.repository.setRoundBookkeeping(requestId, done);
  }
  return { callback };
}

/**
 * Sends the requester's outcome email; resolves to the history entry that records it, which is
 * written with the step's bookkeeping (`outcomeNotifiedAt`). A refused address is recorded; SES
 * throttling or an outage defers the step. An attempt that dies after sending and before that write
 * leaves both unwritten: its retry sends the email again (at least once, never lost).
 */
async function sendOutcomeEmail(deps: StepDeps, request: ApprovalRequest): Promise<HistoryEntry> {
  const to = request.requester.email;
  try {
    const content = deps.outcomeEmail(request);
    await deps.send({ ...content, to, tags: { requestId: request.id, purpose: 'outcome' } });
    return workflowEntry(deps.now(), 'notified', { recipients: [to], purpose: 'outcome', state: request.state, subject: content.subject });
  } catch (error) {
    deps.meter.emailFailed();
    // SES throttling or an outage: the workflow retries the step (and the reconciler, after the
    // step's last retry, runs it again), so the requester is still told. A refused address is final.
    if (isTransientEmailFailure(error)) throw new EmailDeferred(`outcome email deferred: ${(error as Error).name}`);
    return emailFailureEntry(deps.now(), to, 'outcome', error);
  }
}
