/**
 * The routes the operator console reads besides search: GET /tasks (from the approvers' task
 * entries), GET /profiles (paged), the profileId filter of search, and a P10 CSR that must parse.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Api, cardRequest, profile, startApi, users } from '../helpers/stack';

let api: Api;

beforeAll(async () => {
  // No outbox: these tests read what the API stores (task entries come with the create and the
  // decision); the workflow each create would start (workflow.test.ts, outbox.test.ts) only costs time here.
  api = await startApi({ outbox: false });
  for (const id of ['tasks-a', 'tasks-b', 'tasks-c']) {
    const put = await api.call('PUT', `/profiles/${id}`, {
      as: users.admin,
      body: profile({ approvers: [users.carol.email, users.dave.email], requiredApprovals: 2 }),
    });
    expect(put.status).toBe(200);
  }
}, 120_000);

afterAll(async () => {
  await api?.stop();
});

const create = async (profileId: string, as = users.alice, body = cardRequest(profileId)) => {
  const response = await api.call('POST', '/requests', { as, body });
  expect(response.status).toBe(201);
  return response.body.id as string;
};
const taskIds = async (as: typeof users.carol, query = '') => {
  const response = await api.call('GET', `/tasks${query}`, { as });
  expect(response.status).toBe(200);
  return response.body.items.map((request: { id: string }) => request.id) as string[];
};

describe('GET /tasks', () => {
  test('lists what waits for the approver, newest first; an approval takes it off that list only; on hold stays, marked', async () => {
    const older = await create('tasks-a');
    const newer = await create('tasks-a');
    expect((await taskIds(users.carol)).filter((id) => [older, newer].includes(id))).toEqual([newer, older]);

    expect((await api.call('POST', `/requests/${older}/decisions`, { as: users.carol, body: { decision: 'approve' } })).status).toBe(200);
    expect(
      (await api.call('POST', `/requests/${newer}/decisions`, { as: users.dave, body: { decision: 'hold', comment: 'asking HR' } })).status,
    ).toBe(200);

    expect(await taskIds(users.carol)).not.toContain(older);
    const dave = await api.call('GET', '/tasks', { as: users.dave });
    const held = dave.body.items.find((request: { id: string }) => request.id === newer);
    expect(held).toMatchObject({ state: 'requested', onHold: true });
    expect(dave.body.items.map((request: { id: string }) => request.id)).toContain(older);
  });

  test('a request that ends leaves every list: rejected, deleted, approved by quorum', async () => {
    const rejected = await create('tasks-b');
    const deleted = await create('tasks-b');
    const approved = await create('tasks-b');
    await api.call('POST', `/requests/${rejected}/decisions`, { as: users.dave, body: { decision: 'reject', reason: 'not needed' } });
    expect((await api.call('DELETE', `/requests/${deleted}`, { as: users.alice })).status).toBe(200);
    await api.call('POST', `/requests/${approved}/decisions`, { as: users.carol, body: { decision: 'approve' } });
    const last = await api.call('POST', `/requests/${approved}/decisions`, { as: users.dave, body: { decision: 'approve' } });
    expect(last.body.state).toBe('approved');
    for (const as of [users.carol, users.dave]) {
      const ids = await taskIds(as, '?limit=100');
      for (const id of [rejected, deleted, approved]) expect(ids).not.toContain(id);
    }
  });

  test('pages with nextCursor; a cursor of another list is a 400', async () => {
    const created = [await create('tasks-c'), await create('tasks-c'), await create('tasks-c')];
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const response = await api.call('GET', `/tasks?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { as: users.carol });
      expect(response.status).toBe(200);
      expect(response.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...response.body.items.map((request: { id: string }) => request.id));
      cursor = response.body.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.filter((id) => created.includes(id))).toEqual([...created].reverse());

    const first = await api.call('GET', '/tasks?limit=1', { as: users.carol });
    const foreign = await api.call('GET', `/tasks?limit=1&cursor=${encodeURIComponent(first.body.nextCursor)}`, { as: users.dave });
    expect(foreign.status).toBe(400);
    expect(foreign.body.error.details).toEqual([{ field: 'cursor', message: 'is malformed' }]);
    expect((await api.call('GET', '/tasks?limit=0', { as: users.carol })).status).toBe(400);
  });

  test('someone outside the approvers group, even listed by email, has no tasks; no token is 401', async () => {
    await create('tasks-a');
    expect(await api.call('GET', '/tasks', { as: users.frank })).toMatchObject({ status: 200, body: { items: [], nextCursor: null } });
    expect((await api.call('GET', '/tasks')).status).toBe(401);
  });
});

describe('GET /profiles', () => {
  test('any signed-in user pages through every profile in id order', async () => {
    const first = await api.call('GET', '/profiles?limit=2', { as: users.alice });
    expect(first.status).toBe(200);
    expect(first.body.items.map((p: { id: string }) => p.id)).toEqual(['tasks-a', 'tasks-b']);
    expect(first.body.items[0]).toMatchObject({ name: 'Smart cards', requiredApprovals: 2, version: 1 });
    const second = await api.call('GET', `/profiles?limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`, { as: users.alice });
    expect(second.body.items.map((p: { id: string }) => p.id)).toEqual(['tasks-c']);
    expect(second.body.nextCursor).toBeNull();
  });

  test('a bad cursor or limit is a 400 naming the field', async () => {
    const cursor = await api.call('GET', '/profiles?cursor=bm9wZQ', { as: users.alice });
    expect(cursor.status).toBe(400);
    expect(cursor.body.error.details[0].field).toBe('cursor');
    const limit = await api.call('GET', '/profiles?limit=101', { as: users.alice });
    expect(limit.status).toBe(400);
    expect(limit.body.error.message).toMatch(/^limit /);
  });
});

describe('GET /requests?profileId=', () => {
  test('filters by profile on both search paths: by state (approvers) and by requester (own)', async () => {
    const a = await create('tasks-a', users.bob);
    const b = await create('tasks-b', users.bob);
    const byState = await api.call('GET', '/requests?state=requested&profileId=tasks-b&limit=100', { as: users.carol });
    expect(byState.body.items.every((request: { profileId: string }) => request.profileId === 'tasks-b')).toBe(true);
    expect(byState.body.items.map((request: { id: string }) => request.id)).toContain(b);
    const own = await api.call('GET', '/requests?profileId=tasks-a&limit=100', { as: users.bob });
    expect(own.body.items.map((request: { id: string }) => request.id)).toEqual([a]);
    expect((await api.call('GET', '/requests?profileId=not%20an%20id', { as: users.bob })).status).toBe(400);
  });
});

describe('a P10 enrollment', () => {
  const csr = (name: string) => readFileSync(join(__dirname, '../fixtures/csr', name), 'utf8');
  const enroll = (pem: string) =>
    cardRequest('tasks-a', { kind: 'certificate.enroll', subject: { method: 'P10', subjectDn: 'CN=web.example.com,O=Example', csr: pem } });

  test('with a CSR that parses is created', async () => {
    expect((await api.call('POST', '/requests', { as: users.alice, body: enroll(csr('rsa-3072.csr')) })).status).toBe(201);
  });

  test('with a PEM block that is not a PKCS#10 request is refused with 400 naming subject.csr, and nothing is written', async () => {
    const before = await api.call('GET', '/requests?limit=100', { as: users.alice });
    const response = await api.call('POST', '/requests', { as: users.alice, body: enroll(csr('truncated.csr')) });
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({ code: 'invalid_request', message: 'subject.csr is not a PKCS#10 certificate request' });
    const after = await api.call('GET', '/requests?limit=100', { as: users.alice });
    expect(after.body.items.length).toBe(before.body.items.length);
  });
});
