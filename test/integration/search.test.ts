import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SEARCH_INDEX_ATTRIBUTES, TABLE_INDEXES } from '../../functions/adapters/dynamodb/schema';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/net';
import { type Api, cardRequest, profile, startApi, users } from '../helpers/stack';

let api: Api;
const created: string[] = [];

beforeAll(async () => {
  api = await startApi();
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

test("DynamoDB Local's search indexes project what the cloud's do: the keys, doc and state", async () => {
  const client = new DynamoDBClient({ endpoint: api.stack.dynamoEndpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: api.stack.tableName }));
    const projections = Object.fromEntries((Table?.GlobalSecondaryIndexes ?? []).map((index) => [index.IndexName, index.Projection]));
    for (const index of TABLE_INDEXES) {
      expect(projections[index.indexName]).toEqual({ ProjectionType: 'INCLUDE', NonKeyAttributes: [...SEARCH_INDEX_ATTRIBUTES] });
    }
  } finally {
    client.destroy();
  }
});
