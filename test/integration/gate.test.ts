/**
 * The approval gate against the real parts (gateway, DynamoDB Local, the local user directory):
 * who counts as an approver, who may name a callback and where, hostile input, long histories.
 * Every refused call is checked to have written nothing. The gate's holes that emails and links
 * reach, with the workflow running, are in people.test.ts and links.test.ts.
 */
import { ON_BEHALF_SCOPE } from '../../functions/domain/bodies';
import { type Api, cardRequest, profile, startApi, type TestUser, users } from '../helpers/stack';

let api: Api;
const HOOKS = 'https://hooks.example.com/approvals/';

beforeAll(async () => {
  // No outbox: the gate is the API's; the workflow each create would start (workflow.test.ts,
  // outbox.test.ts) only costs time here, 110 holds' worth in the long history.
  api = await startApi({ callbackUrlPrefixes: HOOKS, outbox: false });
  expect(
    (await api.call('PUT', '/profiles/cards', { as: users.admin, body: profile({ approvers: [users.carol.email, users.dave.email] }) }))
      .status,
  ).toBe(200);
}, 120_000);

afterAll(async () => {
  await api?.stop();
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const person = (user: TestUser, options: { emailVerified?: boolean } = {}) =>
  api.issuer.sign({ sub: user.sub, email: user.email, groups: user.groups ?? [], emailVerified: options.emailVerified });
const callingSystem = (sub: string) => api.issuer.sign({ sub, scopes: [ON_BEHALF_SCOPE] });

async function create(body = cardRequest('cards'), as = users.alice) {
  const response = await api.call('POST', '/requests', { as, body });
  expect(response.status).toBe(201);
  return response.body as { id: string; version: number };
}

/** Every request id an admin's search finds. */
async function allIds(): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const page = await api.call('GET', `/requests?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { as: users.admin });
    ids.push(...page.body.items.map((item: { id: string }) => item.id));
    cursor = page.body.nextCursor;
  } while (cursor);
  return ids.sort();
}

const isErrorShape = (body: unknown) => typeof (body as { error?: { code?: unknown } })?.error?.code === 'string';

describe('identity: only the listed approver decides', () => {
  test('a token whose email spells a listed approver with a Kelvin sign gets 403, and the request is unchanged', async () => {
    const request = await create();
    const mallory = await api.issuer.sign({ sub: 'mallory', email: '\u212Aarol@example.com', groups: ['approvers'] });
    const carolLookalike = await api.issuer.sign({ sub: 'mallory', email: 'c\u0430rol@example.com', groups: ['approvers'] });
    for (const token of [mallory, carolLookalike]) {
      const response = await api.call('POST', `/requests/${request.id}/decisions`, {
        headers: bearer(token),
        body: { decision: 'approve' },
      });
      expect(response.status).toBe(403);
      expect(isErrorShape(response.body)).toBe(true);
      // Refused for its address, before the directory is asked (mallory is in no directory either).
      expect(response.body.error.message).toMatch(/outside ASCII/);
    }
    expect((await api.call('GET', `/requests/${request.id}`, { as: users.admin })).body).toMatchObject({
      state: 'requested',
      version: request.version,
      approvals: [],
    });
  });

  test('a decision by a token whose email is not verified gets 403; the same person verified decides', async () => {
    const request = await create();
    const unverified = await person(users.carol, { emailVerified: false });
    const refused = await api.call('POST', `/requests/${request.id}/decisions`, {
      headers: bearer(unverified),
      body: { decision: 'hold' },
    });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toMatch(/not verified/);
    expect((await api.call('GET', `/requests/${request.id}`, { as: users.admin })).body).toMatchObject({
      onHold: false,
      version: request.version,
    });
    expect((await api.call('POST', `/requests/${request.id}/decisions`, { as: users.carol, body: { decision: 'approve' } })).status).toBe(
      200,
    );
  });

  test('a requester whose token email is unverified or not ASCII cannot create (403), and nothing is written', async () => {
    const before = await allIds();
    for (const [token, reason] of [
      [await person(users.bob, { emailVerified: false }), /not verified/],
      [await api.issuer.sign({ sub: 'bob', email: 'b\u00f6b@example.com' }), /outside ASCII/],
    ] as const) {
      const response = await api.call('POST', '/requests', { headers: bearer(token), body: cardRequest('cards') });
      expect(response.status).toBe(403);
      expect(response.body.error.message).toMatch(reason);
    }
    expect(await allIds()).toEqual(before);
  });

  test('a profile listing a non-ASCII approver address is refused with 400 and not stored', async () => {
    const response = await api.call('PUT', '/profiles/lookalike', {
      as: users.admin,
      body: profile({ approvers: ['\u212Aarol@example.com'] }),
    });
    expect(response.status).toBe(400);
    expect(response.body.error.message).toMatch(/^approvers\.0 /);
    expect((await api.call('GET', '/profiles/lookalike', { as: users.admin })).status).toBe(404);
  });
});

describe('callbacks: only calling systems, only to allowed prefixes', () => {
  test("a person's token cannot set callbackUrl (403), and nothing is written", async () => {
    const before = await allIds();
    const response = await api.call('POST', '/requests', { as: users.alice, body: cardRequest('cards', { callbackUrl: `${HOOKS}alice` }) });
    expect(response.status).toBe(403);
    expect(await allIds()).toEqual(before);
  });

  test('a callbackUrl outside CALLBACK_URL_PREFIXES is 400 naming callbackUrl, and nothing is written', async () => {
    const before = await allIds();
    const token = await callingSystem('billing-system');
    for (const callbackUrl of [
      'http://169.254.169.254/latest/meta-data/',
      `${api.stack.mailUrl}/clear-store`,
      'https://hooks.example.com/approvalsx',
      `${HOOKS}../admin`,
    ]) {
      const response = await api.call('POST', '/requests', {
        headers: bearer(token),
        body: cardRequest('cards', { callbackUrl, onBehalfOf: { id: users.alice.sub, email: users.alice.email } }),
      });
      expect({ callbackUrl, status: response.status, field: response.body.error?.details?.[0]?.field }).toEqual({
        callbackUrl,
        status: 400,
        field: 'callbackUrl',
      });
    }
    expect(await allIds()).toEqual(before);
  });

  test('a calling system under an allowed prefix: the request records the client that created it', async () => {
    const response = await api.call('POST', '/requests', {
      headers: bearer(await callingSystem('billing-system')),
      body: cardRequest('cards', { callbackUrl: `${HOOKS}billing`, onBehalfOf: { id: users.alice.sub, email: users.alice.email } }),
    });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ callbackUrl: `${HOOKS}billing`, client: 'billing-system', requester: { id: users.alice.sub } });
  });
});

describe('bad input is a 4xx, always', () => {
  const raw = (extra: string) => `{"kind":"card.request","profileId":"cards","subject":{"holderId":"E-1","cardProfile":"PIV",${extra}}}`;

  test.each([
    ['1e16', '"count":1e16'],
    ['1e400', '"count":1e400'],
    ['10000000000000001', '"n":10000000000000001'],
    ['an array of 200,000 items', `"items":[${new Array(200_000).fill(0).join(',')}]`],
    ['a key with a newline', '"note\\nApprove: https://evil.example/a":"x"'],
  ])('a subject with %s is 400 naming the subject, and nothing is written', async (_what, extra) => {
    const before = await allIds();
    const response = await api.call('POST', '/requests', {
      as: users.alice,
      raw: raw(extra),
      headers: { 'content-type': 'application/json' },
    });
    expect(response.status).toBe(400);
    expect(response.body.error.message).toMatch(/^subject/);
    expect(await allIds()).toEqual(before);
  });

  test.each([
    ['GET', '/requests/%ZZ'],
    ['DELETE', '/requests/%E0%A4%A'],
    ['POST', '/requests/%ZZ/decisions'],
    ['GET', '/requests/%ZZ/history'],
    ['GET', '/profiles/%C0%AF'],
    ['PUT', '/profiles/%C0%AF'],
    ['GET', '/profiles/%'],
  ])('malformed percent-encoding: %s %s is 400 with the error shape', async (method, path) => {
    const body = method === 'POST' ? { decision: 'approve' } : method === 'PUT' ? profile() : undefined;
    const response = await api.call(method, path, { as: users.admin, body });
    expect(response.status).toBe(400);
    expect(isErrorShape(response.body)).toBe(true);
  });

  test.each([
    ['GET', '/links/%E0%A4%A/approve'],
    ['POST', '/links/%E0%A4%A/approve'],
    ['GET', '/links/%ZZ/%ZZ'],
  ])('malformed percent-encoding in a link: %s %s is a 4xx page', async (method, path) => {
    const response = await api.call(
      method,
      path,
      method === 'POST' ? { raw: 'reason=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } } : {},
    );
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
  });
});

describe('a long history stays readable', () => {
  test('GET /requests/{id} carries the first 100 entries and historyNextCursor; /history pages through all of it, oldest first', async () => {
    const request = await create();
    for (let i = 0; i < 110; i++) {
      expect(
        (
          await api.call('POST', `/requests/${request.id}/decisions`, {
            as: i % 2 ? users.carol : users.dave,
            body: { decision: 'hold', comment: `${i}` },
          })
        ).status,
      ).toBe(200);
    }
    const first = await api.call('GET', `/requests/${request.id}`, { as: users.alice });
    expect(first.body.history).toHaveLength(100);
    expect(first.body.historyNextCursor).toEqual(expect.any(String));
    const all: unknown[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await api.call(
        'GET',
        `/requests/${request.id}/history?limit=40${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        { as: users.alice },
      );
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(40);
      all.push(...page.body.items);
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(all.slice(0, 100)).toEqual(first.body.history);
    expect(all.filter((entry) => (entry as { type: string }).type === 'held')).toHaveLength(110);
    const times = all.map((entry) => (entry as { at: string }).at);
    expect(times).toEqual([...times].sort());
  }, 120_000);

  test('the history has the read rules of the request, and a bad cursor or limit is 400', async () => {
    const request = await create();
    expect((await api.call('GET', `/requests/${request.id}/history`, { as: users.bob })).status).toBe(403);
    expect((await api.call('GET', '/requests/00000000-0000-4000-8000-000000000000/history', { as: users.admin })).status).toBe(404);
    expect((await api.call('GET', `/requests/${request.id}/history?cursor=bogus`, { as: users.admin })).status).toBe(400);
    expect((await api.call('GET', `/requests/${request.id}/history?limit=101`, { as: users.admin })).status).toBe(400);
    const short = await api.call('GET', `/requests/${request.id}`, { as: users.alice });
    expect(short.body.historyNextCursor).toBeNull();
  });
});
