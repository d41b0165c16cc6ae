/**
 * The cost of storing one more email in the local mailbox (local/mailbox.ts, persisting to a
 * temporary directory), with an empty mailbox and with `stored` emails in it: SendEmail's median
 * latency and the bytes written per email (write syscalls of this process, files and sockets).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMailbox } from '../local/mailbox';
import { closedLoop, http, median } from './load';

export interface MailboxFigures {
  stored: number;
  emptyMs: number;
  fullMs: number;
  bytesPerEmailEmpty: number;
  bytesPerEmailFull: number;
}

export async function measureMailbox(options: { stored: number; samples: number }): Promise<MailboxFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'approvals-mailbox-'));
  const mailbox = await startMailbox({ port: 0, dataDir: dir });
  // Bytes this process writes (write syscalls: files and sockets alike; the socket share is the same per email).
  const diskBytes = () => Number(/wchar:\s+(\d+)/.exec(readFileSync('/proc/self/io', 'utf8'))?.[1] ?? Number.NaN);
  // An approval email's size: html and text bodies of a few KB.
  const html = `<p>${'Approve or reject the request. '.repeat(120)}</p>`;
  const send = async () => {
    const reply = await http('POST', `${mailbox.url}/v2/email/outbound-emails`, {
      // The local SES wants some credentials in the header; it checks no signature.
      headers: { authorization: 'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/ses/aws4_request, SignedHeaders=host, Signature=0' },
      body: {
        FromEmailAddress: 'approvals@example.com',
        Destination: { ToAddresses: ['carol@example.com'] },
        Content: {
          Simple: { Subject: { Data: 'Approval needed' }, Body: { Html: { Data: html }, Text: { Data: html.replace(/<[^>]+>/g, '') } } },
        },
      },
    });
    if (reply.status !== 200) throw new Error(`SendEmail: ${reply.status} ${reply.body.slice(0, 200)}`);
  };
  try {
    const measure = async () => {
      const before = diskBytes();
      const run = await closedLoop(1, { count: options.samples }, send);
      return { ms: median(run.latencies), bytes: (diskBytes() - before) / options.samples };
    };
    for (let i = 0; i < 20; i++) await send(); // warm-up
    const empty = await measure();
    await closedLoop(4, { count: Math.max(0, options.stored - 20 - options.samples) }, send);
    const full = await measure();
    return { stored: options.stored, emptyMs: empty.ms, fullMs: full.ms, bytesPerEmailEmpty: empty.bytes, bytesPerEmailFull: full.bytes };
  } finally {
    await mailbox.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
