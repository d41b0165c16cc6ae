import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { LOCAL_CREDENTIALS, LOCAL_REGION, waitFor } from '../../local/net';
import type { Api } from './stack';

export interface StoredEmail {
  messageId: string;
  from: string;
  destination: { to: string[] };
  subject: string;
  body: { html: string; text: string };
  at: number;
}

/** What `mailbox` has read of a stack's mailbox so far: it asks only for what is newer. */
const read = new WeakMap<Api, { since: number; ids: Set<string>; emails: StoredEmail[] }>();

/**
 * Every email the stack's local SES took, oldest first. The store is read from the last second seen
 * (`GET /store?since=<epoch seconds>`, the local SES's own query) rather than whole: polled every
 * 100 ms by `waitForEmails`, the whole store (every email's HTML and text) was a tenth of npm
 * test's CPU in the files that send many.
 */
export async function mailbox(api: Api): Promise<StoredEmail[]> {
  const seen = read.get(api) ?? { since: 0, ids: new Set<string>(), emails: [] };
  read.set(api, seen);
  const response = await fetch(`${api.stack.mailUrl}/store?since=${seen.since}`);
  if (response.status !== 200) throw new Error(`GET /store answered ${response.status}`);
  for (const email of ((await response.json()) as { emails: StoredEmail[] }).emails) {
    if (seen.ids.has(email.messageId)) continue;
    seen.ids.add(email.messageId);
    seen.emails.push(email);
    // Emails of the same second may still come: the next read starts at that second.
    seen.since = Math.max(seen.since, email.at);
  }
  return [...seen.emails];
}

/** Waits until emails matching `match` reach `count` (default 1), and returns them. */
export async function waitForEmails(
  api: Api,
  match: (email: StoredEmail) => boolean,
  count = 1,
  timeoutMs = 20_000,
): Promise<StoredEmail[]> {
  return waitFor(
    async () => {
      const found = (await mailbox(api)).filter(match);
      return found.length >= count ? found : undefined;
    },
    { timeoutMs, what: `${count} matching email(s)`, intervalMs: 100 },
  );
}

export const to = (address: string, subject?: RegExp) => (email: StoredEmail) =>
  email.destination.to.includes(address) && (!subject || subject.test(email.subject));

export const about = (requestId: string) => (email: StoredEmail) =>
  email.body.text.includes(requestId) || email.body.html.includes(requestId);

export function linksOf(email: StoredEmail): { approve: string; reject: string } {
  const approve = /^Approve: (\S+)$/m.exec(email.body.text)?.[1];
  const reject = /^Reject: (\S+)$/m.exec(email.body.text)?.[1];
  if (!approve || !reject) throw new Error(`email "${email.subject}" has no Approve/Reject lines`);
  return { approve, reject };
}

export async function executionStatus(api: Api, requestId: string): Promise<string | undefined> {
  const sfn = new SFNClient({ endpoint: api.stack.sfnUrl, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  try {
    const arn = api.stack.stateMachineArn.replace(':stateMachine:', ':execution:') + `:${requestId}`;
    const result = await sfn.send(new DescribeExecutionCommand({ executionArn: arn }));
    return result.status;
  } catch (error) {
    if ((error as Error).name === 'ExecutionDoesNotExist') return undefined;
    throw error;
  } finally {
    sfn.destroy();
  }
}

export async function waitForExecution(api: Api, requestId: string, status = 'SUCCEEDED', timeoutMs = 20_000): Promise<void> {
  await waitFor(async () => (await executionStatus(api, requestId)) === status, {
    timeoutMs,
    what: `execution ${requestId} to be ${status}`,
    intervalMs: 100,
  });
}

export async function waitForState(api: Api, requestId: string, state: string, timeoutMs = 20_000) {
  return waitFor(
    async () => {
      const response = await api.call('GET', `/requests/${requestId}`, {
        as: { sub: 'admin-1', email: 'admin@example.com', groups: ['admins'] },
      });
      return response.body.state === state ? response.body : undefined;
    },
    { timeoutMs, what: `request ${requestId} to be ${state}`, intervalMs: 100 },
  );
}
