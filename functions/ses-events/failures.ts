/**
 * SES bounce and complaint events (configuration-set event destination → SNS → here).
 * Each one becomes a `notification-failed` entry in the history of the request the
 * email was about, found from the `requestId` tag the mailer puts on every email.
 *
 * Steps per SNS record:
 * 1. Parse the SES event notification; anything but a Bounce or Complaint is skipped.
 * 2. Read the `requestId` (and `purpose`) tag; a missing or malformed one is logged and skipped.
 * 3. Skip (with a log line) a request that does not exist; otherwise append the history entry.
 * A malformed message never throws; a DynamoDB failure does, so Lambda retries the event.
 */
import type { SNSEvent } from 'aws-lambda';
import type { HistoryEntry } from '../domain/model';
import { requestIdSchema } from '../domain/model';
import type { ApprovalStore } from '../usecases/ports';

export type SesFailure =
  | { kind: 'bounce'; requestId: string; purpose?: string; messageId?: string; at?: string; recipients: string[]; bounceType?: string; bounceSubType?: string }
  | { kind: 'complaint'; requestId: string; purpose?: string; messageId?: string; at?: string; recipients: string[]; complaintFeedbackType?: string };

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
  return list.map((entry) => (isObject(entry) ? text(entry.emailAddress) : undefined)).filter((address): address is string => Boolean(address));
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
  if (type !== 'Bounce' && type !== 'Complaint') return { ok: false, reason: `event type ${type ?? '(none)'} is not a bounce or complaint` };
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
    type: 'notification-failed',
    actor: { id: 'ses' },
    details: Object.fromEntries(Object.entries({ reason: kind, ...details }).filter(([, value]) => value !== undefined)),
  };
}

export interface SesEventsDeps {
  repository: Pick<ApprovalStore, 'getRequest' | 'appendHistory'>;
  now: () => string;
  log: (entry: Record<string, unknown>) => void;
}

export async function handleSesEvents(event: SNSEvent, deps: SesEventsDeps): Promise<void> {
  for (const record of event.Records ?? []) {
    const snsMessageId = record.Sns?.MessageId;
    const parsed = parseSesNotification(record.Sns?.Message ?? '');
    if (!parsed.ok) {
      deps.log({ level: 'warn', message: 'SES event skipped', reason: parsed.reason, snsMessageId });
      continue;
    }
    const { failure } = parsed;
    const stored = await deps.repository.getRequest(failure.requestId);
    if (!stored) {
      deps.log({ level: 'warn', message: 'SES event skipped', reason: 'unknown request', requestId: failure.requestId, snsMessageId });
      continue;
    }
    await deps.repository.appendHistory(failure.requestId, historyEntryOf(failure, deps.now()));
    deps.log({ level: 'info', message: 'notification failure recorded', requestId: failure.requestId, kind: failure.kind, purpose: failure.purpose });
  }
}
