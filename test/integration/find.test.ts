import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Api, cardRequest, profile, startApi, type TestUser, users } from '../helpers/stack';

let api: Api;
const ids = { bobCard: '', deactivate: '', revoke: '', enroll: '' };
const aliceHolderRequests: string[] = [];

async function create(as: TestUser, body: Record<string, unknown>): Promise<string> {
  const response = await api.call('POST', '/requests', { as, body: cardRequest('cards', body) });
  expect(response.status).toBe(201);
  return response.body.id;
}

beforeAll(async () => {
  // No outbox: these tests read stored requests; the workflow each create would start (tested in
  // workflow.test.ts and outbox.test.ts) only costs time here.
  api = await startApi({ outbox: false });
  // card.deactivate is not listed: approved at once by policy, so states differ.
  await api.call('PUT', '/profiles/cards', { as: users.admin, body: profile() });
  for (let index = 0; index < 5; index++) {
    aliceHolderRequests.push(await create(users.alice, { subject: { holderId: 'H-42', cardProfile: `p-${index}` } }));
  }
  ids.bobCard = await create(users.bob, { subject: { holderId: 'H-42', cardProfile: 'p' } });
  ids.deactivate = await create(users.alice, { kind: 'card.deactivate', subject: { cardSerial: 'CS-9', holderId: 'H-42' } });
  aliceHolderRequests.push(ids.deactivate);
  ids.revoke = await create(users.bob, { kind: 'certificate.revoke', subject: { serialNumber: '0A1B2C', issuerDn: 'CN=Issuing CA' } });
  ids.enroll = await create(users.alice, {
    kind: 'certificate.enroll',
    subject: {
      method: 'P10',
      subjectDn: 'CN=web.example.com,O=Example',
      csr: readFileSync(join(__dirname, '../fixtures/csr/rsa-3072.csr'), 'utf8'),
    },
  });
}, 120_000);

afterAll(async () => {
  await api?.stop();
});

type Item = { id: string; createdAt: string; state: string; kind: string; requester: { id: string } };

async function find(query: string, as: TestUser = users.carol): Promise<{ items: Item[]; nextCursor: string | null }> {
  const response = await api.call('GET', `/requests?${query}`, { as });
  expect(response.status).toBe(200);
  return response.body;
}

async function allPages(query: string, as: TestUser = users.carol) {
  const pages: Array<{ items: Item[]; nextCursor: string | null }> = [];
  let cursor: string | null = null;
  do {
    pages.push(await find(`${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, as));
    cursor = pages.at(-1)?.nextCursor ?? null;
  } while (cursor && pages.length < 20);
  return pages;
}

test.each([
  ['the request id', () => ids.enroll, () => [ids.enroll]],
  ['a card serial', () => 'CS-9', () => [ids.deactivate]],
  ['a certificate serial in another case, with colons', () => '0a:1b:2c', () => [ids.revoke]],
  ['a certificate serial with 0x', () => '0x0a1b2c', () => [ids.revoke]],
  ["the CSR's CN in another case", () => 'WEB.Example.com', () => [ids.enroll]],
  ["a DNS name of the CSR's", () => 'www.example.com', () => [ids.enroll]],
  ["the requester's email in another case", () => ' Bob@Example.COM ', () => [ids.revoke, ids.bobCard]],
  ['a holder id', () => 'H-42', () => [...aliceHolderRequests, ids.bobCard]],
])('an approver finds a request by %s', async (_what, value, expected) => {
  const items = (await allPages(`find=${encodeURIComponent(value())}`)).flatMap((page) => page.items);
  expect(items.map((item) => item.id).sort()).toEqual([...expected()].sort());
  const times = items.map((item) => `${item.createdAt}#${item.id}`);
  expect([...times].sort().reverse()).toEqual(times);
});

test('a holder id and a card serial are found exactly: another case finds nothing', async () => {
  expect((await find('find=h-42')).items).toEqual([]);
  expect((await find('find=cs-9')).items).toEqual([]);
  expect((await find('find=H-4')).items).toEqual([]);
});

test('find pages past one page, newest first, each request once', async () => {
  const pages = await allPages('find=H-42&limit=2');
  expect(pages.length).toBeGreaterThanOrEqual(4);
  expect(pages.slice(0, -1).every((page) => page.items.length === 2)).toBe(true);
  const items = pages.flatMap((page) => page.items);
  expect(items).toHaveLength(7);
  expect(new Set(items.map((item) => item.id)).size).toBe(7);
  const keys = items.map((item) => `${item.createdAt}#${item.id}`);
  expect([...keys].sort().reverse()).toEqual(keys);
});

test('find combines with state and kind', async () => {
  const approved = (await allPages('find=H-42&state=approved')).flatMap((page) => page.items);
  expect(approved.map((item) => item.id)).toEqual([ids.deactivate]);
  const pending = (await allPages('find=H-42&state=requested&kind=card.request&limit=4')).flatMap((page) => page.items);
  expect(pending.map((item) => item.id).sort()).toEqual([...aliceHolderRequests.filter((id) => id !== ids.deactivate), ids.bobCard].sort());
  expect((await find(`find=${ids.enroll}&state=approved`)).items).toEqual([]);
  expect((await find('find=H-42&kind=certificate.revoke')).items).toEqual([]);
});

test('a requester finds only their own requests', async () => {
  const alice = (await allPages('find=H-42&limit=3', users.alice)).flatMap((page) => page.items);
  expect(alice.map((item) => item.id).sort()).toEqual([...aliceHolderRequests].sort());
  expect((await find(`find=${ids.enroll}`, users.bob)).items).toEqual([]);
  expect((await find('find=0a1b2c', users.alice)).items).toEqual([]);
  expect((await find('find=0a1b2c', users.bob)).items.map((item) => item.id)).toEqual([ids.revoke]);
});

test('a cursor from another find, other filters or forged is refused with 400 naming cursor', async () => {
  const first = await find('find=H-42&limit=2');
  expect(first.nextCursor).toEqual(expect.any(String));
  const cursor = first.nextCursor as string;
  const forged = Buffer.from(JSON.stringify({ p: 'FIND#h-42', s: '2026-01-01T00:00:00.000Z#x', f: '*|*|*|*' })).toString('base64url');
  for (const path of [
    `/requests?find=CS-9&cursor=${cursor}`,
    `/requests?find=H-42&state=approved&cursor=${cursor}`,
    `/requests?find=H-42&cursor=${forged.replace(/..$/, 'xx')}`,
    `/requests?find=H-42&cursor=${Buffer.from(JSON.stringify({ p: 'FIND#h-42', s: '', f: '*|*|*|*' })).toString('base64url')}`,
    `/requests?find=H-42&cursor=${Buffer.from(JSON.stringify({ p: 'TASKS#carol@example.com', s: '2026-01-01T00:00:00.000Z#x', f: '*|*|*|*' })).toString('base64url')}`,
    `/requests?find=H-42&cursor=${encodeURIComponent(cursor.slice(0, -3))}`,
  ]) {
    const response = await api.call('GET', path, { as: users.carol });
    expect([path, response.status]).toEqual([path, 400]);
    expect(response.body.error.message).toMatch(/^cursor /);
  }
});

test.each([
  ['empty', ''],
  ['only spaces', '%20%20'],
  ['longer than 256 characters', 'x'.repeat(257)],
  ['a control character', 'a%01b'],
])('a find that is %s is refused with 400 naming find', async (_what, value) => {
  const response = await api.call('GET', `/requests?find=${value}`, { as: users.carol });
  expect(response.status).toBe(400);
  expect(response.body.error.message).toMatch(/^find /);
});
