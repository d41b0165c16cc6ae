/**
 * Hostile input on a running local stack (DynamoDB Local, the workflow engine, the local SES):
 * forged cursors on every route that takes one, reserved keys in a subject. Each is a 400 that
 * names the field and changes nothing, never a 500.
 */
import { STATE_SHARDS } from '../../functions/adapters/dynamodb/keys';
import { STATES } from '../../functions/domain/model';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Api, cardRequest, profile, startApi, users } from '../helpers/stack';
import { sendHostileCreates } from '../helpers/hostile';
import { about, linksOf, to, waitForEmails } from '../helpers/workflow';

let api: Api;

beforeAll(async () => {
  api = await startApi();
  for (const id of ['hostile-a', 'hostile-b', 'hostile-c']) {
    const put = await api.call('PUT', `/profiles/${id}`, { as: users.admin, body: profile() });
    expect(put.status).toBe(200);
  }
}, 120_000);

afterAll(async () => {
  await api?.stop();
});

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const create = async (body = cardRequest('hostile-a'), as = users.alice) => {
  const response = await api.call('POST', '/requests', { as, body });
  expect(response.status).toBe(201);
  return response.body as { id: string };
};

describe('a forged cursor is a 400 naming the cursor on every route that takes one', () => {
  const sortKey = '2026-11-03T10:00:00.000Z#00000000-0000-4000-8000-000000000001';
  const forged = (partition: string) => [
    encode({ p: partition, s: '' }),
    encode({ p: partition, s: ' ' }),
    encode({ p: partition, s: 5 }),
    encode({ p: partition, s: 'REQUEST' }),
    encode({ p: `${partition}x`, s: sortKey }),
    encode({ p: partition, s: sortKey, extra: 'x' }),
  ];

  const expect400 = async (path: string, as: typeof users.alice) => {
    const response = await api.call('GET', path, { as });
    expect({ path, status: response.status }).toEqual({ path, status: 400 });
    expect(response.body.error.details[0].field).toBe('cursor');
  };

  test('GET /profiles, for any signed-in user', async () => {
    // A cursor this list returned works; forged ones are 400.
    const first = await api.call('GET', '/profiles?limit=1', { as: users.bob });
    expect((await api.call('GET', `/profiles?limit=1&cursor=${first.body.nextCursor}`, { as: users.bob })).status).toBe(200);
    for (const cursor of [...forged('PROFILES'), encode({ p: 'PROFILES', s: 'PROFILE#' })]) {
      await expect400(`/profiles?cursor=${cursor}`, users.bob);
    }
  });

  test('GET /tasks', async () => {
    await create();
    await create();
    const first = await api.call('GET', '/tasks?limit=1', { as: users.carol });
    expect((await api.call('GET', `/tasks?limit=1&cursor=${first.body.nextCursor}`, { as: users.carol })).status).toBe(200);
    for (const cursor of forged('TASKS#carol@example.com')) await expect400(`/tasks?cursor=${cursor}`, users.carol);
  });

  test('GET /requests: by state, over every state, and by requester', async () => {
    // One position per partition searched: the shards of a state, of every state, or the requester's one.
    const positions = (count: number, first: unknown) => Array.from({ length: count }, (_, index) => (index === 0 ? first : null));
    for (const [path, as, f, count] of [
      ['/requests?state=requested', users.carol, 'requested|*|*', STATE_SHARDS],
      ['/requests?', users.carol, '*|*|*', STATE_SHARDS * STATES.length],
      ['/requests?', users.alice, '*|*|alice', 1],
    ] as const) {
      for (const first of ['', ' ', 'REQUEST', 2, {}, [sortKey]]) {
        await expect400(`${path}&cursor=${encode({ f, p: positions(count, first) })}`, as);
      }
      await expect400(`${path}&cursor=${encode({ f, p: positions(count + 1, sortKey) })}`, as);
    }
  });

  test('GET /requests/{id}/history', async () => {
    const { id } = await create();
    for (const sortKey of ['', 'HISTORY#', 'REQUEST', 'HISTORY#x#y']) {
      await expect400(`/requests/${id}/history?cursor=${Buffer.from(sortKey).toString('base64url') || 'AA'}`, users.alice);
    }
  });
});

describe('reserved keys in a subject', () => {
  test.each([
    ['constructor', { holderId: 'h', cardProfile: 'c', constructor: 'x' }, 'subject.constructor'],
    [
      'a nested constructor',
      { holderId: 'h', cardProfile: 'c', extra: { deep: [{ constructor: { name: 'x' } }] } },
      'subject.extra.deep.0.constructor',
    ],
    ['prototype', { holderId: 'h', cardProfile: 'c', prototype: { x: 1 } }, 'subject.prototype'],
  ])('%s is a 400 naming the field, and nothing is stored', async (_what, subject, field) => {
    const before = await api.call('GET', '/requests?limit=100', { as: users.bob });
    const response = await api.call('POST', '/requests', { as: users.bob, body: cardRequest('hostile-b', { subject }) });
    expect(response.status).toBe(400);
    expect(response.body.error.details[0].field).toBe(field);
    expect((await api.call('GET', '/requests?limit=100', { as: users.bob })).body.items).toHaveLength(before.body.items.length);
  });

  test('__proto__ as JSON text sends it (JSON.stringify of an object would drop it): a 400 naming it, at the top and nested', async () => {
    for (const [subject, field] of [
      ['{"holderId":"h","cardProfile":"c","__proto__":{"admin":true}}', 'subject.__proto__'],
      ['{"holderId":"h","cardProfile":"c","a":{"__proto__":{"admin":true}}}', 'subject.a.__proto__'],
    ]) {
      const raw = `{"kind":"card.request","profileId":"hostile-b","subject":${subject}}`;
      const response = await api.call('POST', '/requests', { as: users.bob, raw, headers: { 'content-type': 'application/json' } });
      expect(response.status).toBe(400);
      expect(response.body.error.details[0].field).toBe(field);
    }
  });

  test('no other field of a JSON body carries them: create, decision and profile bodies answer 400 naming the field', async () => {
    const { id } = await create();
    const json = { 'content-type': 'application/json' };
    for (const [method, path, as, raw, field] of [
      [
        'POST',
        '/requests',
        users.bob,
        '{"kind":"card.request","profileId":"hostile-b","subject":{"holderId":"h","cardProfile":"c"},"constructor":{}}',
        'constructor',
      ],
      ['POST', `/requests/${id}/decisions`, users.carol, '{"decision":"approve","__proto__":{"decision":"reject"}}', '__proto__'],
      ['PUT', '/profiles/hostile-c', users.admin, `${JSON.stringify(profile()).slice(0, -1)},"prototype":{"x":1}}`, 'prototype'],
    ] as const) {
      const response = await api.call(method, path, { as, raw, headers: json });
      expect({ path, status: response.status }).toEqual({ path, status: 400 });
      expect(JSON.stringify(response.body.error)).toContain(field);
    }
    expect((await api.call('GET', `/requests/${id}`, { as: users.alice })).body.state).toBe('requested');
  });
});

describe('idempotency records', () => {
  test('user x#k with key z and user x with key k#z never share a record', async () => {
    const first = await api.call('POST', '/requests', {
      as: { sub: 'x#k', email: 'xk@example.com' },
      body: cardRequest('hostile-a'),
      headers: { 'idempotency-key': 'z' },
    });
    const second = await api.call('POST', '/requests', {
      as: { sub: 'x', email: 'x@example.com' },
      body: cardRequest('hostile-a'),
      headers: { 'idempotency-key': 'k#z' },
    });
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(second.headers.get('idempotent-replayed')).toBeNull();
    expect(second.body.id).not.toBe(first.body.id);
    expect(second.body.requester).toMatchObject({ id: 'x', email: 'x@example.com' });
    // Each still replays for its owner.
    const again = await api.call('POST', '/requests', {
      as: { sub: 'x', email: 'x@example.com' },
      body: cardRequest('hostile-a'),
      headers: { 'idempotency-key': 'k#z' },
    });
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.id).toBe(second.body.id);
  });
});

describe('a P10 enrollment', () => {
  const pem = readFileSync(join(__dirname, '../fixtures/csr/rsa-3072.csr'), 'utf8');
  const enroll = (subjectDn: string) =>
    cardRequest('hostile-c', { kind: 'certificate.enroll', subject: { method: 'P10', subjectDn, csr: pem } });

  test("whose subjectDn names another subject than its CSR's is a 400 naming subject.subjectDn, and nothing is written", async () => {
    const before = await api.call('GET', '/requests?limit=100', { as: users.bob });
    const response = await api.call('POST', '/requests', { as: users.bob, body: enroll('CN=harmless.example.com') });
    expect(response.status).toBe(400);
    expect(response.body.error.details).toEqual([
      { field: 'subject.subjectDn', message: 'does not name the subject of the CSR (CN=web.example.com, O=Example)' },
    ]);
    expect((await api.call('GET', '/requests?limit=100', { as: users.bob })).body.items).toHaveLength(before.body.items.length);
  });

  test('whose subjectDn names the same subject is created with the CSR decoded; the email and the link page show it', async () => {
    const response = await api.call('POST', '/requests', { as: users.bob, body: enroll('o=EXAMPLE, cn=web.example.com') });
    expect(response.status).toBe(201);
    expect(response.body.csr).toEqual({
      subject: 'CN=web.example.com, O=Example',
      key: 'RSA 3072 bits',
      subjectAlternativeNames: ['DNS:web.example.com', 'DNS:www.example.com', 'IP:10.0.0.1'],
    });
    const [email] = await waitForEmails(api, (mail) => about(response.body.id)(mail) && to(users.carol.email)(mail));
    for (const part of [email?.body.text ?? '', email?.body.html ?? '']) {
      for (const shown of ['CN=web.example.com, O=Example', 'RSA 3072 bits', 'DNS:www.example.com, IP:10.0.0.1'])
        expect(part).toContain(shown);
    }
    const page = await fetch(linksOf(email as Parameters<typeof linksOf>[0]).approve);
    const html = await page.text();
    for (const shown of ['CSR subject', 'CN=web.example.com, O=Example', 'RSA 3072 bits']) expect(html).toContain(shown);
  });
});

describe('forged link lines', () => {
  test("a subject key named Approve, values with line breaks and URLs: the approver's text email has only the service's own link lines", async () => {
    const forged = 'https://evil.example/links/x/approve';
    const subject = {
      holderId: `h\nApprove: ${forged}`,
      cardProfile: 'c',
      Approve: forged,
      ' reject ': forged,
      nested: { Reject: forged, lines: `a\r\nApprove: ${forged}\u2028Reject: ${forged}` },
    };
    const { id } = await create(cardRequest('hostile-a', { subject, justification: `see ${forged}\nApprove: ${forged}` }));
    const [email] = await waitForEmails(api, (mail) => about(id)(mail) && to(users.carol.email)(mail));
    const lines = (email?.body.text ?? '').split(/\r\n|\r|\n|\u2028|\u2029|\u0085|\v|\f/);
    const links = linksOf(email as Parameters<typeof linksOf>[0]);
    expect(lines.filter((line) => /^\s*(approve|reject)/i.test(line) || /[a-z]:\/\//i.test(line))).toEqual([
      `Approve: ${links.approve}`,
      `Reject: ${links.reject}`,
    ]);
    expect(links.approve.startsWith(api.stack.apiUrl)).toBe(true);
    expect(email?.body.html).not.toContain('https://evil.example');
  });
});

describe('fuzzed hostile subjects (fast-check)', () => {
  // The same property as the reliability suite's 10,000 inputs (test/reliability/fuzz.test.ts), on 60.
  test('60 hostile creates: zero 5xx, and every approver email holds exactly the service’s own link lines', async () => {
    expect(
      (await api.call('PUT', '/profiles/hostile-fuzz', { as: users.admin, body: profile({ approvers: [users.carol.email] }) })).status,
    ).toBe(200);
    const run = await sendHostileCreates({
      apiUrl: api.stack.apiUrl,
      mailUrl: api.stack.mailUrl,
      token: await api.token(users.bob),
      profileId: 'hostile-fuzz',
      approver: users.carol.email,
      runs: 60,
      seed: 20261206,
      batch: 60,
    });
    expect({ serverErrors: run.serverErrors.slice(0, 3), forged: run.forged.slice(0, 3) }).toEqual({ serverErrors: [], forged: [] });
    expect(run.sent).toBe(60);
    // Both outcomes are exercised: hostile but valid subjects are created, reserved keys and the like refused.
    expect(run.created).toBeGreaterThan(6);
    expect(run.refused).toBeGreaterThan(6);
  }, 120_000);
});
