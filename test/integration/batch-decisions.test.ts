/**
 * POST /decisions on the local stack: each item is answered as its single route would answer it,
 * and one item's failure changes nothing for the others.
 */
import { randomUUID } from 'node:crypto';
import { type Api, cardRequest, profile, startApi, users } from '../helpers/stack';

let api: Api;

beforeAll(async () => {
  // No outbox: these tests check the batch's answers and the stored requests; the workflows each
  // create and decision would set off (tested in workflow.test.ts and outbox.test.ts) only cost time here.
  api = await startApi({ outbox: false });
  const put = await api.call('PUT', '/profiles/batch', { as: users.admin, body: profile() });
  expect(put.status).toBe(200);
  const quorum = await api.call('PUT', '/profiles/batch-two', {
    as: users.admin,
    body: profile({ requiredApprovals: 2, approvers: [users.carol.email, users.dave.email, users.erin.email] }),
  });
  expect(quorum.status).toBe(200);
}, 120_000);

afterAll(async () => {
  await api?.stop();
});

const create = async (profileId = 'batch', as: (typeof users)[keyof typeof users] = users.alice) => {
  const response = await api.call('POST', '/requests', { as, body: cardRequest(profileId) });
  expect(response.status).toBe(201);
  return response.body as { id: string; version: number };
};
const read = async (id: string) => (await api.call('GET', `/requests/${id}`, { as: users.admin })).body;
const batch = (items: unknown, as: (typeof users)[keyof typeof users] = users.carol) =>
  api.call('POST', '/decisions', { as, body: { items } });

test('a batch with failures: each item gets its single route status and error, the others are applied', async () => {
  const approve = await create();
  const reject = await create();
  const own = await create('batch', users.carol);
  const ended = await create();
  const untouched = await create();
  expect((await api.call('POST', `/requests/${ended.id}/decisions`, { as: users.dave, body: { decision: 'approve' } })).status).toBe(200);
  const unknown = randomUUID();

  const items = [
    { requestId: approve.id, decision: 'approve', comment: 'ok' },
    { requestId: own.id, decision: 'approve' },
    { requestId: unknown, decision: 'approve' },
    { requestId: untouched.id, decision: 'reject' },
    { requestId: ended.id, decision: 'reject', reason: 'too late' },
    { requestId: 'not-a-uuid', decision: 'approve' },
    { requestId: reject.id, decision: 'reject', reason: 'no budget' },
  ];
  const response = await batch(items);
  expect(response.status).toBe(200);
  const results = response.body.results as Array<{ requestId: string; status: number; request?: any; error?: any }>;
  expect(results.map((result) => [result.requestId, result.status])).toEqual([
    [approve.id, 200],
    [own.id, 403],
    [unknown, 404],
    [untouched.id, 400],
    [ended.id, 409],
    ['not-a-uuid', 400],
    [reject.id, 200],
  ]);
  expect(results[0]?.request).toMatchObject({ id: approve.id, state: 'approved' });
  expect(results[6]?.request).toMatchObject({ id: reject.id, state: 'rejected', decision: { reason: 'no budget' } });
  expect(results[3]?.error).toMatchObject({ code: 'invalid_request', message: expect.stringMatching(/^reason /) });
  expect(results[5]?.error).toMatchObject({ code: 'invalid_request', message: expect.stringMatching(/^requestId /) });

  // Each answer is what the single route answers for the same call.
  for (const index of [1, 2, 3, 4]) {
    const { requestId, ...decision } = items[index] as { requestId: string };
    const single = await api.call('POST', `/requests/${requestId}/decisions`, { as: users.carol, body: decision });
    expect([single.status, single.body.error.code]).toEqual([results[index]?.status, results[index]?.error.code]);
  }
  expect(await read(approve.id)).toMatchObject({ state: 'approved', approvals: [{ by: { id: users.carol.sub }, comment: 'ok' }] });
  expect(await read(untouched.id)).toMatchObject({ state: 'requested', approvals: [] });
  expect(await read(own.id)).toMatchObject({ state: 'requested', approvals: [] });
  expect(await read(ended.id)).toMatchObject({ state: 'approved' });
});

test('quorum counts as one by one: two approvers by batch reach a two-approval quorum, a repeat in the batch is 409', async () => {
  const request = await create('batch-two');
  const first = await batch([
    { requestId: request.id, decision: 'approve' },
    { requestId: request.id, decision: 'approve' },
  ]);
  expect(first.body.results.map((result: { status: number }) => result.status)).toEqual([200, 409]);
  expect(first.body.results[0].request).toMatchObject({ state: 'requested', approvals: [{ by: { id: users.carol.sub } }] });
  const second = await batch([{ requestId: request.id, decision: 'approve' }], users.dave);
  expect(second.body.results[0]).toMatchObject({ status: 200, request: { state: 'approved' } });
});

test('a hold and a release by batch behave as the single route', async () => {
  const request = await create();
  const held = await batch([{ requestId: request.id, decision: 'hold', comment: 'checking' }]);
  expect(held.body.results[0]).toMatchObject({ status: 200, request: { onHold: true } });
  const released = await batch([
    { requestId: request.id, decision: 'release' },
    { requestId: request.id, decision: 'release' },
  ]);
  expect(released.body.results.map((result: { status: number }) => result.status)).toEqual([200, 409]);
  expect(await read(request.id)).toMatchObject({ state: 'requested', onHold: false });
});

test('someone outside the approvers group gets 403 per item, and nothing changes', async () => {
  const request = await create();
  const response = await batch([{ requestId: request.id, decision: 'approve' }], users.bob);
  expect(response.status).toBe(200);
  expect(response.body.results[0]).toMatchObject({ requestId: request.id, status: 403, error: { code: 'forbidden' } });
  expect(await read(request.id)).toMatchObject({ state: 'requested', approvals: [] });
});

test.each([
  [{}, 'items'],
  [{ items: [] }, 'items'],
  [{ items: 'approve' }, 'items'],
  [{ items: [42] }, 'items.0'],
  [{ items: Array.from({ length: 51 }, () => ({ requestId: randomUUID(), decision: 'approve' })) }, 'items'],
  [{ items: [{ requestId: randomUUID(), decision: 'approve' }], extra: 1 }, '(body)'],
])('a body that is not 1-50 decisions (case %#) is 400 naming the field, and nothing is decided', async (body, field) => {
  const request = await create();
  const items = (body as { items?: unknown }).items;
  const withRequest =
    Array.isArray(items) && items.length === 51
      ? { ...body, items: [{ requestId: request.id, decision: 'approve' }, ...items.slice(1)] }
      : body;
  const response = await api.call('POST', '/decisions', { as: users.carol, body: withRequest });
  expect(response.status).toBe(400);
  expect(response.body.error.message.startsWith(`${field} `)).toBe(true);
  expect(await read(request.id)).toMatchObject({ state: 'requested', approvals: [] });
});

test('50 items are all decided', async () => {
  const requests = await Promise.all(Array.from({ length: 50 }, () => create()));
  const response = await batch(requests.map((request) => ({ requestId: request.id, decision: 'approve' })));
  expect(response.status).toBe(200);
  expect(response.body.results.map((result: { requestId: string; status: number }) => [result.requestId, result.status])).toEqual(
    requests.map((request) => [request.id, 200]),
  );
  const states = await Promise.all(requests.map(async (request) => (await read(request.id)).state));
  expect(new Set(states)).toEqual(new Set(['approved']));
}, 60_000);

test('a delegate decides by batch as by the single route: once, for the approver who handed over', async () => {
  const solo = await api.call('PUT', '/profiles/batch-solo', { as: users.admin, body: profile({ approvers: [users.carol.email] }) });
  expect(solo.status).toBe(200);
  const until = new Date(Date.now() + 86_400_000).toISOString();
  expect((await api.call('PUT', '/me/delegation', { as: users.carol, body: { to: users.dave.email, until } })).status).toBe(200);
  try {
    const request = await create('batch-solo');
    const answer = await batch([{ requestId: request.id, decision: 'approve' }], users.dave);
    expect(answer.body.results[0]).toMatchObject({
      status: 200,
      request: { state: 'approved', approvals: [{ by: { id: users.dave.sub }, for: { id: users.carol.sub } }] },
    });
  } finally {
    await api.call('DELETE', '/me/delegation', { as: users.carol });
  }
});
