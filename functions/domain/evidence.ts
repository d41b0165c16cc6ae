/**
 * The evidence of one request (GET /requests/{id}/evidence): the emails sent and the callback
 * attempts, read from its history, where every workflow step records what it sent.
 */
import type { HistoryEntry } from './model';

/** One email to one recipient, as the history recorded it. */
export interface EvidenceEmail {
  at: string;
  to: string;
  /** The subject as sent; null for an entry written before subjects were recorded. */
  subject: string | null;
  /** approval, reminder, hold-ended, outcome, closing, or the history entry's type for others. */
  purpose: string;
  /** `sent`, or what SES or the workflow reported later: `failed` (refused, bounced, complained), `delayed`. */
  outcome: 'sent' | 'failed' | 'delayed';
  /** Who asked for it when not the workflow (a requester's reminder). */
  requestedBy?: string;
  /** Why it failed or was delayed (the provider's name for it). */
  problem?: string;
}

export interface EvidenceCallback {
  at: string;
  /** `delivered` (a 2xx), `failed` (one attempt: its status or error), `abandoned` (the workflow gave up). */
  outcome: 'delivered' | 'failed' | 'abandoned';
  /** The event type sent (`request.approved`, …). */
  type?: string;
  status?: number;
  error?: string;
}

const PURPOSE_OF_TYPE: Readonly<Record<string, string>> = { notified: 'approval', reminded: 'reminder', 'hold-ended': 'hold-ended' };

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : typeof value === 'string' ? [value] : [];
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** Every email the history records, oldest first, one per recipient. */
export function emailsOf(history: HistoryEntry[]): EvidenceEmail[] {
  return history.flatMap((entry) => {
    const details = entry.details ?? {};
    const recipients = [...strings(details.recipients), ...strings(details.recipient)];
    if (recipients.length === 0) return [];
    const outcome = entry.type === 'notification-failed' ? 'failed' : entry.type === 'notification-delayed' ? 'delayed' : 'sent';
    const purpose = text(details.purpose) ?? PURPOSE_OF_TYPE[entry.type] ?? entry.type;
    const subjects = (details.subjects ?? {}) as Record<string, unknown>;
    const problem = text(details.error) ?? text(details.reason);
    const requestedBy = text(details.requestedBy);
    return recipients.map((to) => ({
      at: entry.at,
      to,
      subject: text(subjects[to]) ?? text(details.subject) ?? null,
      purpose,
      outcome,
      ...(requestedBy ? { requestedBy } : {}),
      ...(outcome !== 'sent' && problem ? { problem } : {}),
    }));
  });
}

const CALLBACK_OUTCOMES: Readonly<Record<string, EvidenceCallback['outcome']>> = {
  'callback-delivered': 'delivered',
  'callback-attempt-failed': 'failed',
  'callback-failed': 'abandoned',
};

/** Every callback attempt the history records, oldest first. */
export function callbacksOf(history: HistoryEntry[]): EvidenceCallback[] {
  return history.flatMap((entry) => {
    const outcome = CALLBACK_OUTCOMES[entry.type];
    if (!outcome) return [];
    const details = entry.details ?? {};
    const type = text(details.type);
    const error = text(details.error);
    return [
      {
        at: entry.at,
        outcome,
        ...(type ? { type } : {}),
        ...(typeof details.status === 'number' ? { status: details.status } : {}),
        ...(error ? { error } : {}),
      },
    ];
  });
}
