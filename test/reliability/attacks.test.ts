/**
 * One named test per attack on the approval gate (issue: identity, callbacks, floods, bad input,
 * history, retried emails), black-box over HTTP, the mailbox's GET /store and a callback
 * receiver. Each refused attack also checks that nothing was written.
 */
import { recordFigures } from '../helpers/reliability/figures';
import {
  about,
  call,
  failNextSends,
  isApproverEmail,
  isErrorShape,
  isReminder,
  linksOf,
  mailbox,
  type Reply,
  sentTo,
  waitForEmails,
} from '../helpers/reliability/http';
import { startInProcess, type InProcess } from '../helpers/reliability/inprocess';
import { callbackKey, holdsFor, signatureMatches, waitFor } from '../helpers/reliability/checks';
import { type Receiver, startReceiver } from '../helpers/reliability/receiver';
import { EXPIRY_BOUND_MS } from '../helpers/reliability/scale';
import type { Person } from '../helpers/reliability/tokens';

let stack: InProcess;
let receiver: Receiver;
let redirecting: Receiver;
let outsider: Receiver;

const admin: Person = { sub: 'admin-1', email: 'admin@example.com', groups: ['admins'] };
const alice: Person = { sub: 'alice', email: 'alice@example.com' };
const karol: Person = { sub: 'karol', email: 'karol@example.com', groups: ['approvers'] };
const dave: Person = { sub: 'dave', email: 'dave@example.com', groups: ['approvers'] };
const erin: Person = { sub: 'erin', email: 'erin@example.com', groups: ['approvers'] };
const BILLING = 'billing-system';
const HR = 'hr-system';

const profileBody = (overrides: Record<string, unknown> = {}) => ({
  name: 'Smart cards',
  requireApprovalFor: ['card.request', 'card.lock'],
  approvers: [karol.email, dave.email],
  requiredApprovals: 1,
  remindAfter: 'PT1H',
  expireAfter: 'P2D',
  ...overrides,
});
const cardRequest = (overrides: Record<string, unknown> = {}) => ({
  kind: 'card.request',
  profileId: 'cards',
  subject: { holderId: 'E-1001', cardProfile: 'PIV standard' },
  ...overrides,
});

const api = async (method: string, path: string, as: Person | string | undefined, body?: unknown, raw?: string): Promise<Reply> =>
  call(stack.apiUrl, method, path, {
    token: as === undefined ? undefined : typeof as === 'string' ? as : await stack.mint.person(as),
    body,
    raw,
  });

async function create(as: Person | string, overrides: Record<string, unknown> = {}): Promise<{ id: string; [key: string]: any }> {
  const reply = await api('POST', '/requests', as, cardRequest(overrides));
  expect(reply.status).toBe(201);
  return reply.body;
}

/** What a refused decision must leave unchanged. */
async function snapshot(id: string) {
  const reply = await api('GET', `/requests/${id}`, admin);
  expect(reply.status).toBe(200);
  const { state, version, approvals, onHold, decision, history } = reply.body;
  // The workflow's own entries (emails sent) come and go on their own time; people's may not.
  const byPeople = history.filter((entry: { actor?: { id?: string } }) => entry.actor?.id !== 'workflow');
  return { state, version, approvals, onHold, decision, historyByPeople: byPeople.length };
}

/** Every request id the service holds, through an admin's search. */
async function allRequestIds(): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const query: string = `/requests?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const reply = await api('GET', query, admin);
    expect(reply.status).toBe(200);
    ids.push(...reply.body.items.map((item: { id: string }) => item.id));
    cursor = reply.body.nextCursor;
  } while (cursor);
  return ids.sort();
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/**
 * Runs `attempt` and checks that it wrote no request, sent no email and reached no receiver.
 * Emails about requests that existed before (reminders of earlier tests) may still arrive.
 */
async function writesNothing(attempt: () => Promise<void>) {
  const before = {
    ids: await allRequestIds(),
    emails: new Set((await mailbox(stack.mailUrl)).map((mail) => mail.messageId)),
    received: receiver.received.length + outsider.received.length,
  };
  await attempt();
  expect(await allRequestIds()).toEqual(before.ids);
  const known = new Set(before.ids);
  const strangers = (await mailbox(stack.mailUrl)).filter(
    (mail) => !before.emails.has(mail.messageId) && !(mail.body.text.match(UUID) ?? []).some((id) => known.has(id)),
  );
  expect(strangers.map((mail) => `${mail.destination.to.join(',')}: ${mail.subject}`)).toEqual([]);
  expect(receiver.received.length + outsider.received.length).toBe(before.received);
}

beforeAll(async () => {
  receiver = await startReceiver();
  redirecting = await startReceiver();
  outsider = await startReceiver();
  stack = await startInProcess({ CALLBACK_URL_PREFIXES: `${receiver.url}/hooks/,${redirecting.url}/hooks/` });
  // The listed approvers are enabled directory users in the approvers group (the token command put them there).
  for (const person of [admin, alice, karol, dave, erin]) stack.mint.enter(person);
  expect((await api('PUT', '/profiles/cards', admin, profileBody())).status).toBe(200);
  expect((await api('PUT', '/profiles/trio', admin, profileBody({ approvers: [karol.email, dave.email, erin.email] }))).status).toBe(200);
}, 180_000);

afterAll(async () => {
  await stack?.stop();
  await Promise.all([receiver?.close(), redirecting?.close(), outsider?.close()]);
});

describe('identity: only the listed approver decides', () => {
  test('a listed approver with a verified ASCII email decides, whatever the case of the address', async () => {
    const request = await create(alice);
    const reply = await api('POST', `/requests/${request.id}/decisions`, { ...karol, email: 'KAROL@Example.COM' }, { decision: 'approve' });
    expect(reply.status).toBe(200);
    expect(reply.body.state).toBe('approved');
  });

  test('a token whose email spells a listed approver with a Kelvin sign (U+212A) cannot decide: 403, nothing changes', async () => {
    const request = await create(alice);
    const before = await snapshot(request.id);
    for (const email of ['\u212Aarol@example.com', '\u212AAROL@EXAMPLE.COM', 'karol@example.\u212Aom']) {
      const mallory = { sub: 'mallory', email, groups: ['approvers'] };
      for (const body of [{ decision: 'approve' }, { decision: 'reject', reason: 'x' }, { decision: 'hold' }]) {
        const reply = await api('POST', `/requests/${request.id}/decisions`, mallory, body);
        expect({ email, decision: body.decision, status: reply.status }).toEqual({ email, decision: body.decision, status: 403 });
        expect(isErrorShape(reply)).toBe(true);
      }
    }
    expect(await snapshot(request.id)).toEqual(before);
  });

  test('a profile listing an approver address with non-ASCII characters is refused (400) and not stored', async () => {
    for (const [id, address] of [
      ['lookalike-kelvin', '\u212Aarol@example.com'],
      ['lookalike-idn', 'karol@ex\u00e4mple.com'],
      ['lookalike-cyrillic', 'k\u0430rol@example.com'],
    ] as const) {
      const reply = await api('PUT', `/profiles/${id}`, admin, profileBody({ approvers: [address, dave.email] }));
      expect({ address, status: reply.status }).toEqual({ address, status: 400 });
      expect(isErrorShape(reply)).toBe(true);
      expect((await api('GET', `/profiles/${id}`, admin)).status).toBe(404);
    }
  });

  test('a decision by a token whose email_verified is not true is refused (403) and changes nothing', async () => {
    const request = await create(alice);
    const before = await snapshot(request.id);
    const claims = [{ email_verified: false }, { email_verified: 'false' }, { email_verified: undefined }, { email_verified: 'yes' }];
    for (const extra of claims) {
      for (const body of [{ decision: 'approve' }, { decision: 'reject', reason: 'x' }, { decision: 'hold' }]) {
        const reply = await api('POST', `/requests/${request.id}/decisions`, await stack.mint.person(karol, extra), body);
        expect({ extra, decision: body.decision, status: reply.status }).toEqual({ extra, decision: body.decision, status: 403 });
      }
    }
    expect(await snapshot(request.id)).toEqual(before);
  });

  test('self-approval by sub: the requester cannot decide their own request under another listed email (403)', async () => {
    const request = await create(alice);
    const before = await snapshot(request.id);
    const aliceAsKarol = { sub: alice.sub, email: karol.email, groups: ['approvers'] };
    for (const body of [{ decision: 'approve' }, { decision: 'reject', reason: 'x' }, { decision: 'hold' }]) {
      expect((await api('POST', `/requests/${request.id}/decisions`, aliceAsKarol, body)).status).toBe(403);
    }
    expect(await snapshot(request.id)).toEqual(before);
    stack.mint.enter(alice); // the directory as the other tests know her
  });

  test('self-approval by email: another sub with the requester email cannot decide (403), and that address gets no link', async () => {
    const requester = { sub: 'karol-second-account', email: 'Karol@Example.com' };
    const request = await create(requester);
    expect(request.approvers.map((address: string) => address.toLowerCase())).not.toContain(karol.email);
    const before = await snapshot(request.id);
    for (const body of [{ decision: 'approve' }, { decision: 'reject', reason: 'x' }, { decision: 'hold' }]) {
      expect((await api('POST', `/requests/${request.id}/decisions`, karol, body)).status).toBe(403);
    }
    expect(await snapshot(request.id)).toEqual(before);
    await waitForEmails(stack.mailUrl, (mail) => about(request.id)(mail) && sentTo(dave.email)(mail), 1, 30_000);
    expect((await mailbox(stack.mailUrl)).filter((mail) => about(request.id)(mail) && sentTo(karol.email)(mail))).toEqual([]);
  });

  test('self-approval on behalf: the user a calling system names cannot decide, through the API or an altered link', async () => {
    const request = await create(await stack.mint.client(BILLING), { onBehalfOf: { id: karol.sub, email: karol.email } });
    expect(request.requester).toMatchObject({ id: karol.sub, email: karol.email });
    const before = await snapshot(request.id);
    expect((await api('POST', `/requests/${request.id}/decisions`, karol, { decision: 'approve' })).status).toBe(403);
    const [daveMail] = await waitForEmails(stack.mailUrl, (mail) => about(request.id)(mail) && sentTo(dave.email)(mail), 1, 30_000);
    expect((await mailbox(stack.mailUrl)).filter((mail) => about(request.id)(mail) && sentTo(karol.email)(mail))).toEqual([]);
    const link = new URL(linksOf(daveMail as never).approve);
    link.searchParams.set('approver', karol.email);
    const posted = await fetch(link, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
    expect(posted.status).toBe(403);
    expect(await snapshot(request.id)).toEqual(before);
  });

  test('racing decisions on one request give exactly one approval and 409s, never a 5xx', async () => {
    const deciders = Array.from({ length: 12 }, (_, i) => ({ sub: `racer-${i}`, email: `racer-${i}@example.com`, groups: ['approvers'] }));
    expect((await api('PUT', '/profiles/race', admin, profileBody({ approvers: deciders.map((person) => person.email) }))).status).toBe(
      200,
    );
    const request = await create(alice, { profileId: 'race' });
    const replies = await Promise.all(
      deciders.map((person, i) =>
        api('POST', `/requests/${request.id}/decisions`, person, i % 3 === 0 ? { decision: 'hold' } : { decision: 'approve' }),
      ),
    );
    expect(replies.filter((reply) => reply.status >= 500)).toEqual([]);
    const approvals = replies.filter((_, i) => i % 3 !== 0);
    expect(approvals.filter((reply) => reply.status === 200)).toHaveLength(1);
    expect(approvals.every((reply) => reply.status === 200 || reply.status === 409)).toBe(true);
  });
});

describe('callbacks: no SSRF, no forged events', () => {
  test("a person's token cannot set callbackUrl (403), and nothing is written", async () => {
    await writesNothing(async () => {
      const reply = await api('POST', '/requests', alice, cardRequest({ callbackUrl: `${receiver.url}/hooks/person` }));
      expect(reply.status).toBe(403);
      expect(isErrorShape(reply)).toBe(true);
    });
  });

  test("a calling system's callbackUrl outside CALLBACK_URL_PREFIXES is refused (400), and nothing is written", async () => {
    const mail = new URL(stack.mailUrl);
    const urls = [
      `${outsider.url}/hooks/x`,
      'http://169.254.169.254/latest/meta-data/iam/security-credentials/',
      `http://[::1]:${mail.port}/clear-store`,
      `${stack.mailUrl}/clear-store`,
      `${receiver.url}/hooksx`,
      `${receiver.url}@169.254.169.254/hooks/`,
      `${receiver.url.replace('http:', 'https:')}/hooks/x`,
    ];
    const token = await stack.mint.client(BILLING);
    for (const callbackUrl of urls) {
      await writesNothing(async () => {
        const reply = await api(
          'POST',
          '/requests',
          token,
          cardRequest({ callbackUrl, onBehalfOf: { id: alice.sub, email: alice.email } }),
        );
        expect({ callbackUrl, status: reply.status }).toEqual({ callbackUrl, status: 400 });
        expect(isErrorShape(reply)).toBe(true);
      });
    }
  });

  test("a receiver's redirect is not followed: the event never reaches the redirect target", async () => {
    redirecting.mode = 'redirect';
    redirecting.redirectTo = `${outsider.url}/stolen`;
    const request = await create(await stack.mint.client(BILLING), {
      callbackUrl: `${redirecting.url}/hooks/redirect`,
      onBehalfOf: { id: alice.sub, email: alice.email },
    });
    expect((await api('POST', `/requests/${request.id}/decisions`, dave, { decision: 'reject', reason: 'no budget' })).status).toBe(200);
    // Two attempts: the redirect answer was not taken as a delivery, and was not followed.
    await waitFor(async () => redirecting.received.filter((hit) => hit.body.includes(request.id)).length >= 2, {
      timeoutMs: 120_000,
      what: 'the callback to be attempted twice',
    });
    expect(outsider.received).toEqual([]);
    redirecting.mode = 'ok';
    await waitFor(
      async () =>
        (await api('GET', `/requests/${request.id}`, admin)).body.history.some(
          (entry: { type: string }) => entry.type === 'callback-delivered',
        ),
      {
        timeoutMs: 120_000,
        what: 'the callback to be delivered once the receiver answers 2xx',
      },
    );
    expect(outsider.received).toEqual([]);
  });

  test("the event names its calling system and is signed with that system's own key; another system's key does not verify it", async () => {
    const request = await create(await stack.mint.client(BILLING), {
      callbackUrl: `${receiver.url}/hooks/billing`,
      onBehalfOf: { id: alice.sub, email: alice.email },
    });
    expect((await api('POST', `/requests/${request.id}/decisions`, dave, { decision: 'approve' })).status).toBe(200);
    const hit = await waitFor(
      async () => receiver.received.find((entry) => entry.path === '/hooks/billing' && entry.body.includes(request.id)),
      {
        timeoutMs: 60_000,
        what: 'the callback event',
      },
    );
    const event = JSON.parse(hit.body);
    expect(event).toMatchObject({ type: 'request.approved', client: BILLING, request: { id: request.id, state: 'approved' } });
    const header = String(hit.headers['approvals-signature']);
    const billingKey = callbackKey(stack.dataDir, BILLING);
    const hrKey = callbackKey(stack.dataDir, HR);
    expect(hrKey).not.toBe(billingKey);
    expect(signatureMatches(billingKey, header, hit.body)).toBe(true);
    expect(signatureMatches(hrKey, header, hit.body)).toBe(false);
    expect(hit.body).not.toMatch(/token/i);
  });
});

describe('the workflow never floods', () => {
  /** Counts one approver's emails about a request while `remindAfter` PT1S runs, for `windowMs`. */
  async function emailsDuring(profileId: string, windowMs: number) {
    const request = await create(alice, { profileId });
    const started = Date.now();
    await waitForEmails(stack.mailUrl, (mail) => about(request.id)(mail) && sentTo(karol.email)(mail), 1, 30_000);
    let most = 0;
    try {
      await holdsFor(
        async () => {
          most = (await mailbox(stack.mailUrl)).filter((mail) => about(request.id)(mail) && sentTo(karol.email)(mail)).length;
          return most <= 21;
        },
        Math.max(0, started + windowMs - Date.now()),
        'at most 21 emails to one approver',
        1000,
      );
    } finally {
      // End it, so that its reminders do not run on through the other tests.
      await api('DELETE', `/requests/${request.id}`, admin);
    }
    return most;
  }

  test('default maxReminders (5): remindAfter PT1S with a long expireAfter sends one approver at most 6 emails', async () => {
    expect(
      (
        await api(
          'PUT',
          '/profiles/flood-default',
          admin,
          profileBody({ approvers: [karol.email], remindAfter: 'PT1S', expireAfter: 'P30D' }),
        )
      ).status,
    ).toBe(200);
    const stored = await api('GET', '/profiles/flood-default', admin);
    expect(stored.body.maxReminders).toBe(5);
    const most = await emailsDuring('flood-default', 20_000);
    expect(most).toBeGreaterThanOrEqual(2);
    expect(most).toBeLessThanOrEqual(6);
    recordFigures(__filename, 'flood-default', { remindAfter: 'PT1S', windowSeconds: 20, emailsToOneApprover: most });
  }, 120_000);

  test('maxReminders 20: remindAfter PT1S with a long expireAfter never sends one approver more than 21 emails', async () => {
    const reply = await api(
      'PUT',
      '/profiles/flood-max',
      admin,
      profileBody({ approvers: [karol.email], remindAfter: 'PT1S', expireAfter: 'P30D', maxReminders: 20 }),
    );
    expect(reply.status).toBe(200);
    const most = await emailsDuring('flood-max', 30_000);
    expect(most).toBeGreaterThanOrEqual(2);
    expect(most).toBeLessThanOrEqual(21);
    recordFigures(__filename, 'flood-max', { remindAfter: 'PT1S', maxReminders: 20, windowSeconds: 30, emailsToOneApprover: most });
  }, 120_000);

  test('profile limits: maxReminders 0..20 and expireAfter at most P360D; anything else is 400 and not stored', async () => {
    for (const [id, overrides] of [
      ['limit-max-21', { maxReminders: 21 }],
      ['limit-max-neg', { maxReminders: -1 }],
      ['limit-max-frac', { maxReminders: 2.5 }],
      ['limit-expire-361', { expireAfter: 'P361D' }],
      ['limit-expire-365', { expireAfter: 'P365D' }],
    ] as const) {
      const reply = await api('PUT', `/profiles/${id}`, admin, profileBody(overrides));
      expect({ id, status: reply.status }).toEqual({ id, status: 400 });
      expect(isErrorShape(reply)).toBe(true);
      expect((await api('GET', `/profiles/${id}`, admin)).status).toBe(404);
    }
    for (const [id, overrides] of [
      ['limit-max-0', { maxReminders: 0 }],
      ['limit-max-20', { maxReminders: 20 }],
      ['limit-expire-360', { expireAfter: 'P360D' }],
    ] as const) {
      expect({ id, status: (await api('PUT', `/profiles/${id}`, admin, profileBody(overrides))).status }).toEqual({ id, status: 200 });
    }
  });
});

describe('no request gets stuck', () => {
  test(
    'holds repeated across the expiry cannot keep a request from expiring',
    async () => {
      expect(
        (
          await api(
            'PUT',
            '/profiles/short',
            admin,
            profileBody({ approvers: [karol.email, dave.email], remindAfter: 'PT2S', expireAfter: 'PT6S' }),
          )
        ).status,
      ).toBe(200);
      const request = await create(alice, { profileId: 'short' });
      const bound = Date.parse(request.expiresAt) + EXPIRY_BOUND_MS;
      const token = await stack.mint.person(karol);
      let holds = 0;
      const final = await waitFor(
        async () => {
          const reply = await call(stack.apiUrl, 'POST', `/requests/${request.id}/decisions`, {
            token,
            body: { decision: 'hold', comment: `hold ${holds}` },
          });
          expect([200, 409]).toContain(reply.status);
          if (reply.status === 200) {
            holds += 1;
            return undefined;
          }
          // A hold past expiresAt is refused (409) before the workflow has written the expiry: keep
          // watching until the request has really ended.
          const current = (await api('GET', `/requests/${request.id}`, admin)).body;
          return current.state === 'requested' ? undefined : current;
        },
        {
          timeoutMs: Math.max(1000, bound - Date.now()),
          what: 'the held request to expire within 10 minutes of its expiresAt',
          intervalMs: 100,
        },
      );
      expect(final.state).toBe('expired');
      expect(holds).toBeGreaterThan(5);
      recordFigures(__filename, 'holds-across-expiry', {
        holds,
        expiredSecondsAfterExpiresAt: Math.round((Date.now() - Date.parse(request.expiresAt)) / 1000),
      });
    },
    15 * 60_000,
  );
});

describe('bad input is a 4xx, always', () => {
  const subject = (extra: string) =>
    `{"kind":"card.request","profileId":"cards","subject":{"holderId":"E-1","cardProfile":"PIV",${extra}}}`;

  test('subject numbers 1e16 and 1e400 are refused (400), and nothing is written', async () => {
    for (const extra of ['"count":1e16', '"count":1e400', '"n":-1e400', '"n":10000000000000001', '"n":{"deep":1e400}']) {
      await writesNothing(async () => {
        const reply = await api('POST', '/requests', alice, undefined, subject(extra));
        expect({ extra, status: reply.status }).toEqual({ extra, status: 400 });
        expect(isErrorShape(reply)).toBe(true);
      });
    }
  });

  test('a subject array of 200,000 items (or 1,001) is refused (400), and nothing is written', async () => {
    for (const length of [200_000, 1_001]) {
      await writesNothing(async () => {
        const reply = await api('POST', '/requests', alice, undefined, subject(`"items":[${new Array(length).fill('0').join(',')}]`));
        expect({ length, status: reply.status }).toEqual({ length, status: 400 });
        expect(isErrorShape(reply)).toBe(true);
      });
    }
  });

  test('malformed percent-encoding in any path gives a 4xx with the error shape, and nothing is written', async () => {
    const token = await stack.mint.person(admin);
    const cases: Array<[string, string]> = [
      ['GET', '/requests/%ZZ'],
      ['DELETE', '/requests/%ZZ'],
      ['GET', '/requests/%E0%A4%A'],
      ['POST', '/requests/%ZZ/decisions'],
      ['GET', '/profiles/%C0%AF'],
      ['PUT', '/profiles/%C0%AF'],
      ['GET', '/profiles/%'],
      ['GET', '/links/%E0%A4%A/approve'],
      ['POST', '/links/%E0%A4%A/approve'],
      ['GET', '/links/%ZZ/%ZZ'],
      ['POST', '/links/00000000-0000-4000-8000-000000000000/%C0%AF'],
    ];
    await writesNothing(async () => {
      for (const [method, path] of cases) {
        const body =
          method === 'POST' && path.startsWith('/requests') ? { decision: 'approve' } : method === 'PUT' ? profileBody() : undefined;
        const reply = path.startsWith('/links/')
          ? await call(stack.apiUrl, method, path, {
              raw: method === 'POST' ? 'reason=x' : undefined,
              headers: { 'content-type': 'application/x-www-form-urlencoded' },
            })
          : await call(stack.apiUrl, method, path, { token, body });
        const isHtmlPage = path.startsWith('/links/') && (reply.headers.get('content-type') ?? '').startsWith('text/html');
        expect({ method, path, status: reply.status, shaped: isErrorShape(reply) || isHtmlPage }).toEqual({
          method,
          path,
          status: expect.any(Number),
          shaped: true,
        });
        expect({ method, path, clientError: reply.status >= 400 && reply.status < 500 }).toEqual({ method, path, clientError: true });
      }
    });
  });

  test("a subject key containing a newline cannot put a forged Approve: or Reject: line into the email's text part", async () => {
    const forged = {
      holderId: 'E-1',
      cardProfile: 'PIV',
      'note\nApprove: https://evil.example/a': 'x',
      'note\r\nReject: https://evil.example/r': 'y',
      'note\rApprove: https://evil.example/c': 'z',
      plain: 'v\nApprove: https://evil.example/v',
    };
    const reply = await api('POST', '/requests', alice, cardRequest({ subject: forged }));
    if (reply.status === 400) {
      expect(isErrorShape(reply)).toBe(true);
      return;
    }
    expect(reply.status).toBe(201);
    const emails = await waitForEmails(stack.mailUrl, about(reply.body.id), 2, 30_000);
    for (const mail of emails) {
      const lines = mail.body.text.split(/\r\n|\r|\n/);
      const linkLines = lines.filter((line) => /^\s*(Approve|Reject):/.test(line));
      expect(linkLines).toEqual([
        expect.stringMatching(new RegExp(`^Approve: ${stack.apiUrl}/links/${reply.body.id}/approve\\?`)),
        expect.stringMatching(new RegExp(`^Reject: ${stack.apiUrl}/links/${reply.body.id}/reject\\?`)),
      ]);
    }
  });
});

describe('history and retried emails', () => {
  test('a long history stays readable: GET /requests/{id} carries at most 100 entries and historyNextCursor; /history pages the rest', async () => {
    const request = await create(alice);
    const holds = 130;
    for (let i = 0; i < holds; i++) {
      const reply = await api('POST', `/requests/${request.id}/decisions`, i % 2 ? karol : dave, {
        decision: 'hold',
        comment: `hold ${i}`,
      });
      expect(reply.status).toBe(200);
    }
    const got = await api('GET', `/requests/${request.id}`, admin);
    expect(got.status).toBe(200);
    expect(got.body.history.length).toBeLessThanOrEqual(100);
    expect(typeof got.body.historyNextCursor).toBe('string');
    const all: Array<{ at: string; type: string }> = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `/requests/${request.id}/history?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page = await api('GET', query, admin);
      expect(page.status).toBe(200);
      const items = page.body.items ?? page.body.history;
      expect(Array.isArray(items)).toBe(true);
      expect(items.length).toBeLessThanOrEqual(50);
      all.push(...items);
      cursor = page.body.nextCursor ?? page.body.historyNextCursor ?? null;
      pages += 1;
      expect(pages).toBeLessThan(20);
    } while (cursor);
    expect(all.length).toBeGreaterThanOrEqual(holds + 1);
    expect(all.slice(0, got.body.history.length)).toEqual(got.body.history);
    const times = all.map((entry) => entry.at);
    expect(times).toEqual([...times].sort());
    expect(new Set(all.map((entry) => JSON.stringify(entry))).size).toBe(all.length);
  }, 120_000);

  test('the first approval email goes to each approver once, even when the task is retried after SES throttles', async () => {
    await failNextSends(stack.mailUrl, 4, 'throttle');
    const request = await create(alice, { profileId: 'trio' });
    const approvers = [karol.email, dave.email, erin.email];
    const firstEmails = async () =>
      (await mailbox(stack.mailUrl)).filter((mail) => about(request.id)(mail) && isApproverEmail(mail) && !isReminder(mail));
    await waitFor(
      async () => {
        const emails = await firstEmails();
        return approvers.every((address) => emails.some(sentTo(address)));
      },
      { timeoutMs: 180_000, what: 'a first email to each approver' },
    );
    await holdsFor(
      async () => {
        const emails = await firstEmails();
        return approvers.every((address) => emails.filter(sentTo(address)).length === 1) && emails.length === 3;
      },
      10_000,
      'exactly one first email per approver',
    );
  }, 240_000);
});
