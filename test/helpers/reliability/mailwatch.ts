/**
 * Follows the mailbox (`GET /store?since=<epoch seconds>`, the local SES's own query) from one
 * poller and indexes every email by the request ids it mentions, so that many clients can await
 * their emails without each downloading the whole store.
 */
import type { StoredEmail } from './http';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

export interface MailWatch {
  /** Emails that mention the request so far. */
  about(requestId: string): StoredEmail[];
  /** Resolves when `match` holds for the request's emails; rejects after `timeoutMs`. */
  until(requestId: string, match: (emails: StoredEmail[]) => boolean, timeoutMs: number, what: string): Promise<StoredEmail[]>;
  total(): number;
  /** Polls now and waits for it (a final read before counting). */
  refresh(): Promise<void>;
  stop(): void;
}

export function watchMail(mailUrl: string, intervalMs = 500): MailWatch {
  const seen = new Set<string>();
  const byRequest = new Map<string, StoredEmail[]>();
  const waiters = new Set<() => void>();
  let since = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const poll = async () => {
    const response = await fetch(`${mailUrl}/store?since=${since}`);
    if (response.status !== 200) return;
    const { emails } = (await response.json()) as { emails: StoredEmail[] };
    for (const email of emails) {
      if (seen.has(email.messageId)) continue;
      seen.add(email.messageId);
      since = Math.max(since, email.at - 1);
      for (const id of new Set(`${email.subject}\n${email.body.text}`.match(UUID) ?? [])) {
        const list = byRequest.get(id) ?? [];
        list.push(email);
        byRequest.set(id, list);
      }
    }
    for (const wake of [...waiters]) wake();
  };
  let running: Promise<void> = Promise.resolve();
  const loop = () => {
    if (stopped) return;
    running = poll()
      .catch(() => undefined)
      .finally(() => {
        timer = setTimeout(loop, intervalMs);
      });
  };
  loop();

  return {
    about: (requestId) => byRequest.get(requestId) ?? [],
    total: () => seen.size,
    refresh: async () => {
      await running;
      await poll();
    },
    until: (requestId, match, timeoutMs, what) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const emails = byRequest.get(requestId) ?? [];
          if (match(emails)) {
            waiters.delete(check);
            clearTimeout(deadline);
            resolve(emails);
          }
        };
        const deadline = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what} (request ${requestId})`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
