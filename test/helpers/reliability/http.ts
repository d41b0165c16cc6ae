/** Black-box HTTP helpers: the API, the mailbox's `GET /store` and its fault switch. */
import { waitFor } from '../../../local/net';

export interface Reply {
  status: number;
  body: any;
  text: string;
  headers: Headers;
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  /** A body sent as is (for JSON that JSON.stringify cannot produce, such as `1e400`). */
  raw?: string;
  headers?: Record<string, string>;
}

export async function call(baseUrl: string, method: string, path: string, options: CallOptions = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body = options.raw;
  if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers['content-type'] ??= 'application/json';
  const response = await fetch(`${baseUrl}${path}`, { method, headers, body, redirect: 'manual' });
  const text = await response.text();
  let parsed: unknown = text;
  if ((response.headers.get('content-type') ?? '').includes('json') && text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  return { status: response.status, body: parsed, text, headers: response.headers };
}

/** The contract's error shape: `{"error":{"code","message","details"?}}`. */
export function isErrorShape(reply: Reply): boolean {
  const error = reply.body?.error;
  return (
    (reply.headers.get('content-type') ?? '').includes('json') &&
    typeof error === 'object' &&
    error !== null &&
    typeof error.code === 'string' &&
    typeof error.message === 'string' &&
    error.message.length > 0
  );
}

export interface StoredEmail {
  messageId: string;
  destination: { to: string[] };
  subject: string;
  body: { html: string; text: string };
  at: number;
}

export async function mailbox(mailUrl: string): Promise<StoredEmail[]> {
  const response = await fetch(`${mailUrl}/store`);
  if (response.status !== 200) throw new Error(`GET /store answered ${response.status}`);
  return ((await response.json()) as { emails: StoredEmail[] }).emails;
}

export const about = (requestId: string) => (email: StoredEmail) =>
  email.body.text.includes(requestId) || email.body.html.includes(requestId);
export const sentTo = (address: string) => (email: StoredEmail) =>
  email.destination.to.some((to) => to.toLowerCase() === address.toLowerCase());
export const isReminder = (email: StoredEmail) => /reminder/i.test(email.subject);
/** An approver's email (first or reminder): it carries the link lines. */
export const isApproverEmail = (email: StoredEmail) => /^Approve: /m.test(email.body.text);

/** Waits until `match` holds for at least `count` emails, and returns them. */
export async function waitForEmails(
  mailUrl: string,
  match: (email: StoredEmail) => boolean,
  count: number,
  timeoutMs: number,
  intervalMs = 250,
) {
  return waitFor(
    async () => {
      const found = (await mailbox(mailUrl)).filter(match);
      return found.length >= count ? found : undefined;
    },
    { timeoutMs, what: `${count} email(s) matching`, intervalMs },
  );
}

/** The local SES fault switch: the next `failNext` SendEmail calls fail (`throttle` or `fail`). */
export async function failNextSends(mailUrl: string, failNext: number, error: 'throttle' | 'fail'): Promise<void> {
  const response = await fetch(`${mailUrl}/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ failNext, error }),
  });
  if (response.status < 200 || response.status > 299) {
    throw new Error(`the mailbox's fault switch POST /faults answered ${response.status}: the local SES cannot be told to fail`);
  }
}

export async function faultsLeft(mailUrl: string): Promise<number> {
  const response = await fetch(`${mailUrl}/faults`);
  const body = (await response.json()) as { failNext?: number };
  return body.failNext ?? 0;
}

export async function clearFaults(mailUrl: string): Promise<void> {
  await fetch(`${mailUrl}/faults`, { method: 'DELETE' }).catch(() => undefined);
}

/** The link lines of an approver's email. */
export function linksOf(email: StoredEmail): { approve: string; reject: string } {
  const approve = /^Approve: (\S+)$/m.exec(email.body.text)?.[1];
  const reject = /^Reject: (\S+)$/m.exec(email.body.text)?.[1];
  if (!approve || !reject) throw new Error(`email "${email.subject}" has no Approve/Reject lines`);
  return { approve, reject };
}

/** Runs `task` over `items` with at most `concurrency` at once, in order of the items. */
export async function pool<T, R>(items: readonly T[], concurrency: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const index = next++;
      if (index >= items.length) return;
      results[index] = await task(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}
