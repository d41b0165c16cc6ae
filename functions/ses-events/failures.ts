/**
 * SES delivery problems (configuration-set event destination → SNS → SQS queue → here):
 * bounces, complaints, rejects and rendering failures become a `notification-failed`
 * entry, delivery delays a `notification-delayed` entry, in the history of the request
 * the email was about, found from the `requestId` tag the mailer puts on every email.
 *
 * Steps per record (an SQS message whose body is the SES event, or an SNS record):
 * 1. Parse the SES event notification; any other event type is skipped.
 * 2. Read the `requestId` (and `purpose`) tag; a missing or malformed one is logged and skipped.
 * 3. Skip (with a log line) a request that does not exist; otherwise append the history entry.
 * A malformed message never fails; a DynamoDB failure fails that record only (SQS partial batch
 * response), so the queue redelivers it and, after its last attempt, moves it to the dead-letter queue.
 */
import type { SNSEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { HistoryEntry } from '../domain/model';
import { requestIdSchema } from '../domain/model';
import type { EventDeps } from '../usecases/deps';
import type { ApprovalStore } from '../usecases/ports';

type Common = { requestId: string; purpose?: string; messageId?: string; at?: string };
export type SesFailure =
  | (Common & { kind: 'bounce'; recipients: string[]; bounceType?: string; bounceSubType?: string })
  | (Common & { kind: 'complaint'; recipients: string[]; complaintFeedbackType?: string })
  | (Common & { kind: 'reject'; recipients: string[]; rejectReason?: string })
  | (Common & { kind: 'rendering-failure'; recipients: string[]; errorMessage?: string; templateName?: string })
  | (Common & { kind: 'delivery-delay'; recipients: string[]; delayType?: string; expirationTime?: string });

/** The SES event types this handler records, by `eventType` (or identity notifications' `notificationType`). */
const RECORDED = ['Bounce', 'Complaint', 'Reject', 'Rendering Failure', 'DeliveryDelay'];

export type ParseResult = { ok: true; failure: SesFailure } | { ok: false; reason: string };

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** SES puts tags in `mail.tags` as `{ name: [value] }`; an odd shape yields undefined. */
function tag(mail: Json, name: string): string | undefined {
  const tags = mail.tags;
  if (!isObject(tags)) return undefined;
  const value = tags[name];
  return Array.isArray(value) ? text(value[0]) : text(value);
}

function addresses(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  return list
    .map((entry) => (isObject(entry) ? text(entry.emailAddress) : undefined))
    .filter((address): address is string => Boolean(address));
}

/**
 * Parses one SES event notification (the SNS message text). Accepts event publishing's
 * `eventType` and identity notifications' `notificationType`.
 */
export function parseSesNotification(message: string): ParseResult {
  let body: unknown;
  try {
    body = JSON.parse(message);
  } catch {
    return { ok: false, reason: 'message is not JSON' };
  }
  if (!isObject(body)) return { ok: false, reason: 'message is not a JSON object' };
  const type = text(body.eventType) ?? text(body.notificationType);
  if (!type || !RECORDED.includes(type))
    return { ok: false, reason: `event type ${type ?? '(none)'} is not a bounce, complaint, reject, rendering failure or delivery delay` };
  const mail = body.mail;
  if (!isObject(mail)) return { ok: false, reason: 'message has no mail object' };
  const requestId = tag(mail, 'requestId');
  if (!requestId) return { ok: false, reason: 'email has no requestId tag' };
  if (!requestIdSchema.safeParse(requestId).success) return { ok: false, reason: 'requestId tag is not a request id' };
  const common = { requestId, purpose: tag(mail, 'purpose'), messageId: text(mail.messageId) };

  if (type === 'Bounce') {
    const bounce = isObject(body.bounce) ? body.bounce : {};
    return {
      ok: true,
      failure: {
        kind: 'bounce',
        ...common,
        at: text(bounce.timestamp),
        recipients: addresses(bounce.bouncedRecipients),
        bounceType: text(bounce.bounceType),
        bounceSubType: text(bounce.bounceSubType),
      },
    };
  }
  const destination = Array.isArray(mail.destination)
    ? mail.destination.map(text).filter((address): address is string => Boolean(address))
    : [];
  if (type === 'Reject') {
    const reject = isObject(body.reject) ? body.reject : {};
    return {
      ok: true,
      failure: { kind: 'reject', ...common, at: text(mail.timestamp), recipients: destination, rejectReason: text(reject.reason) },
    };
  }
  if (type === 'Rendering Failure') {
    const failure = isObject(body.failure) ? body.failure : {};
    return {
      ok: true,
      failure: {
        kind: 'rendering-failure',
        ...common,
        at: text(mail.timestamp),
        recipients: destination,
        errorMessage: text(failure.errorMessage),
        templateName: text(failure.templateName),
      },
    };
  }
  if (type === 'DeliveryDelay') {
    const delay = isObject(body.deliveryDelay) ? body.deliveryDelay : {};
    return {
      ok: true,
      failure: {
        kind: 'delivery-delay',
        ...common,
        at: text(delay.timestamp),
        recipients: addresses(delay.delayedRecipients),
        delayType: text(delay.delayType),
        expirationTime: text(delay.expirationTime),
      },
    };
  }
  const complaint = isObject(body.complaint) ? body.complaint : {};
  return {
    ok: true,
    failure: {
      kind: 'complaint',
      ...common,
      at: text(complaint.timestamp),
      recipients: addresses(complaint.complainedRecipients),
      complaintFeedbackType: text(complaint.complaintFeedbackType),
    },
  };
}

/** The history entry for a failure; `now` stands in when SES gave no valid timestamp. */
export function historyEntryOf(failure: SesFailure, now: string): HistoryEntry {
  const at = failure.at && !Number.isNaN(Date.parse(failure.at)) ? new Date(failure.at).toISOString() : now;
  const { kind, requestId: _requestId, at: _at, ...details } = failure;
  return {
    at,
    type: kind === 'delivery-delay' ? 'notification-delayed' : 'notification-failed',
    actor: { id: 'ses' },
    details: Object.fromEntries(Object.entries({ reason: kind, ...details }).filter(([, value]) => value !== undefined)),
  };
}

export type SesEventsDeps = Pick<EventDeps, 'now' | 'log'> & { repository: Pick<ApprovalStore, 'getRequest' | 'appendHistory'> };

type AnyRecord = Partial<SQSEvent['Records'][number]> & Partial<SNSEvent['Records'][number]>;

/**
 * Records each event of the batch. Returns the SQS messages that failed (DynamoDB errors) so
 * only those are redelivered; an SNS record that failed makes the whole call fail instead.
 */
export async function handleSesEvents(event: SQSEvent | SNSEvent, deps: SesEventsDeps): Promise<SQSBatchResponse> {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  let snsFailure: unknown;
  for (const record of (event.Records ?? []) as AnyRecord[]) {
    const queueMessageId = record.messageId;
    const messageId = queueMessageId ?? record.Sns?.MessageId;
    try {
      await recordOne(queueMessageId !== undefined ? (record.body ?? '') : (record.Sns?.Message ?? ''), messageId, deps);
    } catch (error) {
      deps.log({
        level: 'error',
        message: 'SES event not recorded; it will be retried',
        messageId,
        error: error instanceof Error ? error.name : 'unknown',
      });
      if (queueMessageId !== undefined) batchItemFailures.push({ itemIdentifier: queueMessageId });
      else snsFailure ??= error;
    }
  }
  if (snsFailure) throw snsFailure;
  return { batchItemFailures };
}

async function recordOne(message: string, messageId: string | undefined, deps: SesEventsDeps): Promise<void> {
  const parsed = parseSesNotification(message);
  if (!parsed.ok) {
    deps.log({ level: 'warn', message: 'SES event skipped', reason: parsed.reason, messageId });
    return;
  }
  const { failure } = parsed;
  const stored = await deps.repository.getRequest(failure.requestId);
  if (!stored) {
    deps.log({ level: 'warn', message: 'SES event skipped', reason: 'unknown request', requestId: failure.requestId, messageId });
    return;
  }
  await deps.repository.appendHistory(failure.requestId, historyEntryOf(failure, deps.now()));
  deps.log({
    level: 'info',
    message: 'notification problem recorded',
    requestId: failure.requestId,
    kind: failure.kind,
    purpose: failure.purpose,
  });
}
