import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SEARCH_INDEX_ATTRIBUTES, TABLE_INDEXES } from '../../functions/adapters/dynamodb/schema';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/net';
import { type Api, cardRequest, profile, startApi, users } from '../helpers/stack';

let api: Api;
const created: string[] = [];

beforeAll(async () => {
  // No outbox: these tests read stored requests; the workflow each create would start (tested in
  // workflow.test.ts and outbox.test.ts) only costs time here.
  api = await startApi({ outbox: false });
  await api.call('PUT', '/profiles/cards', { as: users.admin, body: profile() });
  // 25 pending card requests by alice and bob, 3 pending locks, 2 approved by policy.
  for (let index = 0; index < 25; index++) {
    const who = index % 2 ? users.bob : users.alice;
    const response = await api.call('POST', '/requests', {
      as: who,
      body: cardRequest('cards', { subject: { holderId: `h-${index}`, cardProfile: 'p' } }),
    });
    created.push(response.body.id);
  }
  for (let index = 0; index < 3; index++) {
    await api.call('POST', '/requests', {
      as: users.alice,
      body: cardRequest('cards', { kind: 'card.lock', subject: { cardSerial: `s-${index}`, holderId: 'h' } }),
    });
  }
  for (let index = 0; index < 2; index++) {
    await api.call('POST', '/requests', {
      as: users.alice,
      body: cardRequest('cards', { kind: 'card.deactivate', subject: { cardSerial: `d-${index}`, holderId: 'h' } }),
    });
  }
}, 120_000);

afterAll(async () => {
  await api?.stop();
});

async function allPages(path: string, as = users.carol) {
  const pages: Array<{ items: Array<{ id: string; createdAt: string; state: string; kind: string; requester: { id: string } }> }> = [];
  let cursor: string | null = null;
  do {
    const response = await api.call('GET', `${path}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { as });
    expect(response.status).toBe(200);
    pages.push(response.body);
    cursor = response.body.nextCursor;
  } while (cursor && pages.length < 50);
  return pages;
}

test('search by state pages through every match once, newest first', async () => {
  const pages = await allPages('/requests?state=requested&limit=7');
  expect(pages.length).toBe(4);
  expect(pages.slice(0, -1).every((page) => page.items.length === 7)).toBe(true);
  const items = pages.flatMap((page) => page.items);
  expect(items).toHaveLength(28);
  expect(new Set(items.map((item) => item.id)).size).toBe(28);
  expect(items.every((item) => item.state === 'requested')).toBe(true);
  const times = items.map((item) => item.createdAt);
  expect([...times].sort().reverse()).toEqual(times);
  expect(items.map((item) => item.id)).toEqual(expect.arrayContaining(created));
});

test('a page that ends the results says so with nextCursor null', async () => {
  const response = await api.call('GET', '/requests?state=approved&limit=10', { as: users.carol });
  expect(response.body.items).toHaveLength(2);
  expect(response.body.nextCursor).toBeNull();
});

test('the kind filter narrows a state search, across pages', async () => {
  const pages = await allPages('/requests?state=requested&kind=card.lock&limit=2');
  const items = pages.flatMap((page) => page.items);
  expect(items).toHaveLength(3);
  expect(items.every((item) => item.kind === 'card.lock')).toBe(true);
});

test('without a state, approvers see every request newest first', async () => {
  const items = (await allPages('/requests?limit=9')).flatMap((page) => page.items);
  expect(items).toHaveLength(30);
  const times = items.map((item) => item.createdAt);
  expect([...times].sort().reverse()).toEqual(times);
});

test('a user outside approvers and admins sees only their own requests', async () => {
  const items = (await allPages('/requests?state=requested&limit=5', users.bob)).flatMap((page) => page.items);
  expect(items).toHaveLength(12);
  expect(items.every((item) => item.requester.id === 'bob')).toBe(true);
});

test.each([
  ['/requests?state=unknown', 'state'],
  ['/requests?limit=0', 'limit'],
  ['/requests?limit=abc', 'limit'],
  ['/requests?kind=card.explode', 'kind'],
  ['/requests?cursor=garbage', 'cursor'],
  ['/requests?from=yesterday', 'from'],
  ['/requests?to=2026-12-01', 'to'],
  ['/requests?from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z', 'to'],
  ['/requests?from=2026-12-01T00:00:00Z&to=2026-12-01T00:00:00Z', 'to'],
])('%s is refused with 400 naming %s', async (path, field) => {
  const response = await api.call('GET', path, { as: users.carol });
  expect(response.status).toBe(400);
  expect(response.body.error.message.startsWith(field)).toBe(true);
});

test('a cursor from one search is refused by a search with other filters', async () => {
  const first = await api.call('GET', '/requests?state=requested&limit=2', { as: users.carol });
  const response = await api.call('GET', `/requests?state=approved&limit=2&cursor=${first.body.nextCursor}`, { as: users.carol });
  expect(response.status).toBe(400);
  expect(response.body.error.message).toMatch(/^cursor /);
});

describe('a date range (from, to) narrows any search to the requests created in it', () => {
  /** Every request, newest first, and the window [from, to) between the 6th and 21st oldest createdAt. */
  async function window() {
    const everything = (await allPages('/requests?limit=100')).flatMap((page) => page.items);
    const times = [...new Set(everything.map((item) => item.createdAt))].sort();
    const from = times[5] as string;
    const to = times[20] as string;
    const inside = (item: { createdAt: string }) => item.createdAt >= from && item.createdAt < to;
    return { everything, from, to, inside };
  }

  test('by state and without one, across pages, newest first, each once', async () => {
    const { everything, from, to, inside } = await window();
    for (const state of ['requested', undefined]) {
      const expected = everything.filter((item) => inside(item) && (!state || item.state === state)).map((item) => item.id);
      expect(expected.length).toBeGreaterThan(3);
      const path = `/requests?limit=3&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}${state ? `&state=${state}` : ''}`;
      const items = (await allPages(path)).flatMap((page) => page.items);
      expect(items.map((item) => item.id)).toEqual(expected);
    }
  });

  test("a requester's own requests, and a time zone other than UTC", async () => {
    const { everything, from, inside } = await window();
    const expected = everything.filter((item) => item.createdAt >= from && item.requester.id === 'bob').map((item) => item.id);
    // The same instant written at UTC+02:00.
    const local = new Date(Date.parse(from) + 2 * 3600_000).toISOString().replace('Z', '+02:00');
    const items = (await allPages(`/requests?limit=4&from=${encodeURIComponent(local)}`, users.bob)).flatMap((page) => page.items);
    expect(items.map((item) => item.id)).toEqual(expected);
    expect(items.some(inside)).toBe(true);
  });

  test('with find: a holder found inside the range, nothing outside it', async () => {
    const { everything, from, to, inside } = await window();
    const request = everything.find((item) => inside(item) && item.kind === 'card.request') as { id: string; createdAt: string };
    const holder = (await api.call('GET', `/requests/${request.id}`, { as: users.carol })).body.subject.holderId;
    const range = (a: string, b: string) => `&from=${encodeURIComponent(a)}&to=${encodeURIComponent(b)}`;
    const found = await api.call('GET', `/requests?find=${holder}${range(from, to)}`, { as: users.carol });
    expect(found.body.items.map((item: { id: string }) => item.id)).toEqual([request.id]);
    const after = await api.call('GET', `/requests?find=${holder}${range(to, '2100-01-01T00:00:00Z')}`, { as: users.carol });
    expect(after.body.items).toEqual([]);
    const byId = await api.call('GET', `/requests?find=${request.id}${range(to, '2100-01-01T00:00:00Z')}`, { as: users.carol });
    expect(byId.body.items).toEqual([]);
  });

  test('a cursor from a search with another range is refused', async () => {
    const { from, to } = await window();
    const first = await api.call('GET', `/requests?state=requested&limit=2&from=${encodeURIComponent(from)}`, { as: users.carol });
    const response = await api.call(
      'GET',
      `/requests?state=requested&limit=2&from=${encodeURIComponent(to)}&cursor=${first.body.nextCursor}`,
      { as: users.carol },
    );
    expect(response.status).toBe(400);
    expect(response.body.error.message).toMatch(/^cursor /);
  });
});

test("DynamoDB Local's search indexes project what the cloud's do: the keys, doc and state", async () => {
  const client = new DynamoDBClient({ endpoint: api.stack.dynamoEndpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: api.stack.tableName }));
    const projections = Object.fromEntries((Table?.GlobalSecondaryIndexes ?? []).map((index) => [index.IndexName, index.Projection]));
    for (const index of TABLE_INDEXES) {
      expect(projections[index.indexName]).toEqual({ ProjectionType: 'INCLUDE', NonKeyAttributes: [...SEARCH_INDEX_ATTRIBUTES] });
    }
    // This file's stack runs without the outbox, so its table goes without the stream nothing reads.
    expect(Table?.StreamSpecification).toBeUndefined();
  } finally {
    client.destroy();
  }
});
