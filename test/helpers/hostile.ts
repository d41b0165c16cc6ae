/**
 * Hostile create bodies, generated with fast-check, sent to POST /requests of a running local stack
 * (concurrently, in batches), and the property checked on each answer and each approver email:
 * never a 5xx, and the text part of the approver email of every created request holds exactly the
 * service's own `Approve:` and `Reject:` lines and no other line that starts with Approve or Reject
 * (any case) or holds a URL. Used by the fast run in `npm test` (test/integration/hostile-input.test.ts)
 * and the long one in `npm run test:reliability` (test/reliability/fuzz.test.ts).
 */
import fc from 'fast-check';
import { waitFor } from '../../local/net';

/** A JSON value as text, built by hand so that `__proto__` keys and numbers such as 1e400 reach the wire as written. */
type Json = { text: string };
const LINE_BREAKS = /\r\n|\r|\n|\u2028|\u2029|\u0085|\v|\f/;

const FORGED_LINES = [
  'https://evil.example/links/00000000-0000-4000-8000-000000000000/approve?sig=x',
  '\nApprove: https://evil.example/a',
  '\r\nReject: http://evil.example/r',
  '\rApprove: https://evil.example/a',
  '\u2028Approve: https://evil.example/a',
  '\u0085Reject: https://evil.example/r',
  '\u000bApprove: https://evil.example/a',
  '\fReject: https://evil.example/r',
  '  approve : https://evil.example/a',
  'APPROVE:https://evil.example/a',
  'javascript://alert(1)',
  'ftp://evil.example/x',
  '<a href="https://evil.example">Approve</a>',
];
const KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'Approve',
  'approve',
  'REJECT',
  ' Approve ',
  'Reject ',
  'Approve: https://evil.example/a',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'holderId',
  'csr',
  'a\nApprove',
];
const RAW_NUMBERS = [
  '1e400',
  '-1e400',
  '1e16',
  '10000000000000001',
  '9007199254740993',
  '1e-400',
  '0.1',
  '-0',
  '123456789012345678901234567890',
];

const hostileString = fc.oneof(
  fc.constantFrom(...FORGED_LINES),
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.tuple(fc.string({ maxLength: 8 }), fc.constantFrom(...FORGED_LINES), fc.string({ maxLength: 8 })).map((parts) => parts.join('')),
);
const key = fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 10 }), fc.string({ unit: 'binary', maxLength: 6 }));
const str = (value: string): Json => ({ text: JSON.stringify(value) });

const json: fc.Arbitrary<Json> = fc.letrec<{ value: Json }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', maxDepth: 12 },
    hostileString.map(str),
    fc.constantFrom(...RAW_NUMBERS).map((text) => ({ text })),
    fc.oneof(fc.integer(), fc.boolean(), fc.constant(null)).map((value) => ({ text: JSON.stringify(value) })),
    fc.array(tie('value'), { maxLength: 3 }).map((items) => ({ text: `[${items.map((item) => item.text).join(',')}]` })),
    fc
      .array(fc.tuple(key, tie('value')), { maxLength: 3 })
      .map((entries) => ({ text: `{${entries.map(([name, value]) => `${JSON.stringify(name)}:${value.text}`).join(',')}}` })),
  ),
})).value;

/** A create body for `profileId`: a card request whose subject and justification are hostile. */
export const hostileBody = (profileId: string) =>
  fc
    .record({
      holderId: fc.oneof(fc.constant('E-1'), hostileString),
      cardProfile: fc.oneof(fc.constant('PIV'), hostileString),
      extra: fc.array(fc.tuple(key, json), { maxLength: 4 }),
      justification: fc.option(hostileString, { nil: undefined }),
    })
    .map(({ holderId, cardProfile, extra, justification }) => {
      const subject = [
        `"holderId":${JSON.stringify(holderId)}`,
        `"cardProfile":${JSON.stringify(cardProfile)}`,
        ...extra.map(([name, value]) => `${JSON.stringify(name)}:${value.text}`),
      ].join(',');
      return (
        `{"kind":"card.request","profileId":${JSON.stringify(profileId)},"subject":{${subject}}` +
        `${justification === undefined ? '' : `,"justification":${JSON.stringify(justification)}`}}`
      );
    });

/**
 * The lines of an approver email's text part that look like link lines or hold a URL, less the
 * service's own two: empty when the email is as it must be.
 */
export function forgedLines(text: string, apiUrl: string, requestId: string): string[] {
  const lines = text.split(LINE_BREAKS);
  const own = (line: string, action: string) =>
    line.startsWith(`${action === 'approve' ? 'Approve' : 'Reject'}: ${apiUrl}/links/${requestId}/${action}?`) && !/\s/.test(line.slice(9));
  const linkLike = lines.filter((line) => /^\s*(approve|reject)/i.test(line) || /[a-z][a-z0-9+.-]*:\/\//i.test(line));
  const approve = linkLike.filter((line) => own(line, 'approve'));
  const reject = linkLike.filter((line) => own(line, 'reject'));
  const others = linkLike.filter((line) => !own(line, 'approve') && !own(line, 'reject'));
  return [
    ...(approve.length === 1 ? [] : [`(${approve.length} Approve lines of the service)`]),
    ...(reject.length === 1 ? [] : [`(${reject.length} Reject lines of the service)`]),
    ...others,
  ];
}

/**
 * fetch, tried again (up to 3 times) when the connection fails: a kept-alive socket that the
 * server closed while the run waited for emails resets. Creates carry an Idempotency-Key, so a
 * retried create can only replay the same request.
 */
async function fetchAgain(url: string, init?: RequestInit): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetch(url, init);
    } catch (error) {
      if (attempt >= 3 || !(error instanceof TypeError)) throw error;
    }
  }
}

interface StoredEmail {
  destination: { to: string[] };
  body: { text: string; html: string };
}

export interface HostileRun {
  sent: number;
  created: number;
  refused: number;
  serverErrors: Array<{ body: string; status: number; text: string }>;
  forged: Array<{ body: string; requestId: string; lines: string[] }>;
  seconds: number;
  /** Of which waiting for and reading the approver emails. */
  mailSeconds: number;
}

/**
 * Sends `runs` hostile bodies (fast-check, `seed`) in batches of `batch`, `concurrency` at a time;
 * after each batch, waits for the approver email of every created request, checks it, and clears
 * the mailbox (so a long run does not read an ever larger store).
 */
export async function sendHostileCreates(options: {
  apiUrl: string;
  mailUrl: string;
  token: string;
  profileId: string;
  approver: string;
  runs: number;
  seed: number;
  batch?: number;
  concurrency?: number;
}): Promise<HostileRun> {
  const bodies = fc.sample(hostileBody(options.profileId), { numRuns: options.runs, seed: options.seed });
  const run: HostileRun = { sent: 0, created: 0, refused: 0, serverErrors: [], forged: [], seconds: 0, mailSeconds: 0 };
  const started = Date.now();
  const batchSize = options.batch ?? 250;
  for (let offset = 0; offset < bodies.length; offset += batchSize) {
    const created = new Map<string, string>();
    const queue = bodies
      .slice(offset, offset + batchSize)
      .map((body, index) => ({ body, key: `hostile-${options.seed}-${offset + index}` }));
    await Promise.all(
      Array.from({ length: options.concurrency ?? 8 }, async () => {
        for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
          const { body, key } = next;
          let response: Response;
          let text: string;
          try {
            response = await fetchAgain(`${options.apiUrl}/requests`, {
              method: 'POST',
              headers: { authorization: `Bearer ${options.token}`, 'content-type': 'application/json', 'idempotency-key': key },
              body,
            });
            text = await response.text();
          } catch (error) {
            // No answer at all (the connection reset three times) counts as a server error.
            run.sent += 1;
            run.serverErrors.push({ body: body.slice(0, 500), status: 0, text: String((error as Error).cause ?? error) });
            continue;
          }
          run.sent += 1;
          if (response.status >= 500)
            run.serverErrors.push({ body: body.slice(0, 500), status: response.status, text: text.slice(0, 300) });
          else if (response.status === 201) {
            run.created += 1;
            created.set((JSON.parse(text) as { id: string }).id, body);
          } else run.refused += 1;
        }
      }),
    );
    const mailStarted = Date.now();
    const emails = await approverEmails(options.mailUrl, options.approver, [...created.keys()]);
    for (const [requestId, body] of created) {
      const text = emails.get(requestId);
      const lines = text === undefined ? ['(no approver email)'] : forgedLines(text, options.apiUrl, requestId);
      if (lines.length > 0) run.forged.push({ body: body.slice(0, 500), requestId, lines: lines.slice(0, 5) });
    }
    await fetchAgain(`${options.mailUrl}/clear-store`, { method: 'POST' });
    run.mailSeconds += (Date.now() - mailStarted) / 1000;
  }
  run.seconds = (Date.now() - started) / 1000;
  return run;
}

/**
 * The text part of the email to `approver` about each request, once all have arrived (or, after a
 * minute, those that have: a missing one is then reported as such).
 */
async function approverEmails(mailUrl: string, approver: string, ids: string[]): Promise<Map<string, string>> {
  const wanted = new Set(ids);
  const found = new Map<string, string>();
  const read = async () => {
    const { emails } = (await (await fetchAgain(`${mailUrl}/store`)).json()) as { emails: StoredEmail[] };
    for (const email of emails) {
      const id = /^ {2}\| Request id: (\S+)$/m.exec(email.body.text)?.[1];
      if (id && wanted.has(id) && email.destination.to.includes(approver)) found.set(id, email.body.text);
    }
    return found.size === wanted.size;
  };
  await waitFor(read, { timeoutMs: 60_000, what: `${ids.length} approver emails`, intervalMs: 200 }).catch(() => undefined);
  return found;
}
