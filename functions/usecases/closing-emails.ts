/**
 * The closing email: when a request ends, every approver who was emailed about it and did not
 * decide learns, in one short email, that it is closed, how and by whom, so nobody follows a link
 * that no longer works.
 */
import { allStageApprovers } from '../domain/stages';
import { type ApprovalRequest, type HistoryEntry, MAX_EMAILS_PER_APPROVER, WORKFLOW_ACTOR } from '../domain/model';
import { mailbox } from '../domain/people';
import { EMAIL_CLAIM_STALE_SECONDS } from './checks';
import type { StepDeps } from './deps';
import type { RoundBookkeeping } from './ports';
import { isTransientEmailFailure } from './senders';

type ClosingDeps = Pick<StepDeps, 'repository' | 'now' | 'meter' | 'send' | 'closingEmail'>;

/**
 * SES could not take the first approval emails, the closing emails or the outcome email now
 * (throttling, an outage): the workflow retries the workflow step later.
 */
export class EmailDeferred extends Error {
  override name = 'Approvals.EmailDeferred';
}

/**
 * A claim in an email map that no attempt settled (`sent:`, `failed:`, `skipped:`): the attempt
 * holding it may still be sending, or may have died before it could settle it.
 */
export const isUnsettledClaim = (value: string | undefined): boolean => value !== undefined && !/^[a-z]+:/.test(value);

/**
 * How many emails this request has sent an approver: the first approval email (sent, or claimed and
 * not settled: an attempt may be sending it as the request ends) and each reminder claimed.
 */
export function emailsSent(rounds: RoundBookkeeping, approver: string): number {
  const value = rounds.approvalEmails?.[approver];
  const first = value?.startsWith('sent:') || isUnsettledClaim(value) ? 1 : 0;
  return first + (rounds.reminderCounts?.[approver] ?? 0);
}

/**
 * Who gets the closing email of an ended request: the approvers of any stage emailed about it (the first
 * approval email sent, or a reminder) who did not decide. An approver who approved, or whose
 * rejection or delete ended it, decided; one who only put it on hold did not decide its outcome
 * (it stayed pending after the hold) and gets the email like the others. An approver who already
 * had the most emails one request may send (MAX_EMAILS_PER_APPROVER) gets none (`overLimit`).
 */
export function closingRecipients(request: ApprovalRequest, rounds: RoundBookkeeping): { recipients: string[]; overLimit: string[] } {
  if (request.state === 'requested') return { recipients: [], overLimit: [] };
  const deciders = new Set(
    [...request.approvals.map((approval) => approval.by.email), request.decision?.by.email].flatMap((email) =>
      email ? [mailbox(email)] : [],
    ),
  );
  // Every stage's approvers: an earlier stage's were emailed too.
  const emailed = allStageApprovers(request).filter((approver) => emailsSent(rounds, approver) > 0 && !deciders.has(mailbox(approver)));
  return {
    recipients: emailed.filter((approver) => emailsSent(rounds, approver) < MAX_EMAILS_PER_APPROVER),
    overLimit: emailed.filter((approver) => emailsSent(rounds, approver) >= MAX_EMAILS_PER_APPROVER),
  };
}

/**
 * Sends the closing emails of an ended request, once per approver even when the step is retried:
 * each approver is claimed (a conditional write) before the email goes out and marked sent after,
 * so a retry skips approvers done or being done, and is deferred while a claim it met is not
 * settled (its attempt may have died: a later attempt sends it once the claim is stale), so the
 * requester's email, which follows, never marks the step done with one missing. A refused address is recorded and the others
 * still get theirs; SES throttling or an outage releases the claim and defers the step. Resolves,
 * once every closing email is done, to the one `notified` entry (purpose `closing`) that records them
 * all, this attempt's and earlier ones' (the claims settled `sent:` and `skipped:`), which the caller
 * writes with the step's bookkeeping: an attempt that dies before that write loses none of them.
 */
export async function sendClosingEmails(
  deps: ClosingDeps,
  request: ApprovalRequest,
  rounds: RoundBookkeeping,
): Promise<HistoryEntry | undefined> {
  const { recipients, overLimit: over } = closingRecipients(request, rounds);
  const claim = (approver: string) => {
    const now = deps.now();
    return deps.repository.claimClosingEmail(
      request.id,
      approver,
      now,
      new Date(Date.parse(now) - EMAIL_CLAIM_STALE_SECONDS * 1000).toISOString(),
    );
  };
  // Those past the limit are marked too (`skipped:`, never stale), so a rerun records them no second time.
  const overLimit: string[] = [];
  for (const approver of over) {
    if (!(await claim(approver))) continue;
    await deps.repository.settleClosingEmail(request.id, approver, `skipped:${deps.now()}`);
    overLimit.push(approver);
  }
  const sent: string[] = [];
  const taken: string[] = [];
  let subject: string | undefined;
  let deferred: Error | undefined;
  for (const approver of recipients) {
    if (!(await claim(approver))) {
      taken.push(approver);
      continue;
    }
    try {
      const content = deps.closingEmail(request);
      await deps.send({ ...content, to: approver, tags: { requestId: request.id, purpose: 'closing' } });
      subject = content.subject;
      await deps.repository.settleClosingEmail(request.id, approver, `sent:${deps.now()}`);
      sent.push(approver);
    } catch (error) {
      deps.meter.emailFailed();
      if (isTransientEmailFailure(error)) {
        await deps.repository.settleClosingEmail(request.id, approver, undefined);
        deferred = error as Error;
        break;
      }
      await deps.repository.settleClosingEmail(request.id, approver, `failed:${deps.now()}`);
      await deps.repository.appendHistory(request.id, {
        at: deps.now(),
        type: 'notification-failed',
        actor: WORKFLOW_ACTOR,
        details: { recipient: approver, purpose: 'closing', error: (error as Error).name ?? 'Error' },
      });
    }
  }
  if (deferred) throw new EmailDeferred(`closing emails deferred: ${deferred.name}`);
  let settled = rounds.closingEmails ?? {};
  if (taken.length > 0) {
    const latest = await deps.repository.getRequest(request.id);
    if (taken.some((approver) => isUnsettledClaim(latest?.rounds.closingEmails?.[approver]))) {
      throw new EmailDeferred('closing emails deferred: another attempt holds a claim');
    }
    settled = latest?.rounds.closingEmails ?? settled;
  }
  // Every closing email sent or skipped, by this attempt or an earlier one, in the order of the approvers.
  const done = (prefix: string, now: string[]) =>
    allStageApprovers(request).filter((approver) => now.includes(approver) || settled[approver]?.startsWith(prefix));
  const allSent = done('sent:', sent);
  const allOver = done('skipped:', overLimit);
  if (allSent.length === 0 && allOver.length === 0) return undefined;
  return {
    at: deps.now(),
    type: 'notified',
    actor: WORKFLOW_ACTOR,
    details: {
      recipients: allSent,
      purpose: 'closing',
      state: request.state,
      ...(allOver.length ? { overLimit: allOver } : {}),
      ...(allSent.length ? { subject: subject ?? deps.closingEmail(request).subject } : {}),
    },
  };
}
