import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Api, cardRequest, profile, startApi, users } from '../helpers/stack';

let api: Api;

beforeAll(async () => {
  // No outbox: these tests check the routes' answers and what they store; the workflow each create
  // would start (workflow.test.ts, outbox.test.ts) only costs time here. A stored task token never
  // shows in a response: workflow.test.ts checks it once the wait has stored one.
  api = await startApi({ outbox: false });
  const put = await api.call('PUT', '/profiles/cards', { as: users.admin, body: profile() });
  expect(put.status).toBe(200);
  const quorum = await api.call('PUT', '/profiles/two-of-three', {
    as: users.admin,
    body: profile({ requiredApprovals: 2, approvers: [users.carol.email, users.dave.email, users.erin.email] }),
  });
  expect(quorum.status).toBe(200);
}, 120_000);

afterAll(async () => {
  await api?.stop();
});

const create = async (body = cardRequest('cards'), as = users.alice) => {
  const response = await api.call('POST', '/requests', { as, body });
  expect(response.status).toBe(201);
  return response.body;
};

describe('health and identity', () => {
  test('GET /health answers ok without a token', async () => {
    const response = await api.call('GET', '/health');
    expect(response).toMatchObject({ status: 200, body: { status: 'ok' } });
  });

  test('a route that needs a token answers 401 without one, with a bad one, and with an expired one', async () => {
    expect((await api.call('GET', '/profiles/cards')).status).toBe(401);
    expect((await api.call('GET', '/profiles/cards', { headers: { authorization: 'Bearer not-a-jwt' } })).status).toBe(401);
    const expired = await api.issuer.sign({ sub: 'x', email: 'x@example.com' }, -60);
    const response = await api.call('GET', '/profiles/cards', { headers: { authorization: `Bearer ${expired}` } });
    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe('unauthorized');
  });

  test('GET /openapi.json describes the API without a token', async () => {
    const response = await api.call('GET', '/openapi.json');
    expect(response.status).toBe(200);
    expect(response.body.openapi).toBe('3.1.0');
    expect(response.body.servers).toEqual([{ url: api.stack.apiUrl, description: 'This deployment' }]);
    expect(Object.keys(response.body.paths)).toEqual(
      expect.arrayContaining(['/health', '/profiles/{id}', '/requests', '/requests/{id}', '/requests/{id}/decisions']),
    );
  });

  test('an unknown route answers 404 in the contract format', async () => {
    const response = await api.call('GET', '/nowhere', { as: users.alice });
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('not_found');
  });
});

describe('profiles', () => {
  test('an admin creates and replaces a profile; version counts the writes', async () => {
    const first = await api.call('PUT', '/profiles/replace-me', { as: users.admin, body: profile() });
    const second = await api.call('PUT', '/profiles/replace-me', { as: users.admin, body: profile({ name: 'Renamed' }) });
    expect(first.body).toMatchObject({ id: 'replace-me', version: 1 });
    expect(second.body).toMatchObject({ id: 'replace-me', name: 'Renamed', version: 2, createdAt: first.body.createdAt });
    const read = await api.call('GET', '/profiles/replace-me', { as: users.bob });
    expect(read).toMatchObject({ status: 200, body: { name: 'Renamed' } });
  });

  test('only admins may manage profiles', async () => {
    const response = await api.call('PUT', '/profiles/nope', { as: users.carol, body: profile() });
    expect(response.status).toBe(403);
    expect((await api.call('GET', '/profiles/nope', { as: users.admin })).status).toBe(404);
  });

  test.each([
    [{ requiredApprovals: 0 }, 'requiredApprovals'],
    [{ requiredApprovals: 11 }, 'requiredApprovals'],
    [{ remindAfter: 'soon' }, 'remindAfter'],
    [{ remindAfter: 'P3D', expireAfter: 'P2D' }, 'remindAfter'],
    [{ requireApprovalFor: ['card.explode'] }, 'requireApprovalFor.0'],
    [{ approvers: ['not-an-email'] }, 'approvers.0'],
    [{ requiredApprovals: 5 }, 'requiredApprovals'],
    [{ extra: true }, '(body)'],
  ])('an invalid profile (case %#) is refused with 400 naming the field', async (change, field) => {
    const response = await api.call('PUT', '/profiles/invalid', { as: users.admin, body: profile(change) });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('invalid_request');
    expect(response.body.error.message.startsWith(field)).toBe(true);
    expect((await api.call('GET', '/profiles/invalid', { as: users.admin })).status).toBe(404);
  });

  test('a malformed profile id is refused with 400', async () => {
    const response = await api.call('GET', `/profiles/${encodeURIComponent('a b')}`, { as: users.admin });
    expect(response.status).toBe(400);
    expect(response.body.error.message).toMatch(/^id /);
  });
});

describe('creating requests', () => {
  test('a request that needs approval is created pending for the profile approvers but the requester', async () => {
    const request = await create(cardRequest('cards'), users.frank);
    expect(request).toMatchObject({
      kind: 'card.request',
      profileId: 'cards',
      state: 'requested',
      requester: { id: 'frank', email: users.frank.email },
      approvers: [users.carol.email, users.dave.email, users.erin.email],
      requiredApprovals: 1,
      approvals: [],
      onHold: false,
      version: 1,
    });
    expect(Date.parse(request.expiresAt) - Date.parse(request.createdAt)).toBe(2 * 86400 * 1000);
    const read = await api.call('GET', `/requests/${request.id}`, { as: users.frank });
    expect(read.body.history.map((entry: { type: string }) => entry.type)).toContain('created');
  });

  test('a kind the profile does not list is approved at once by policy, with a history entry saying so', async () => {
    const request = await create(cardRequest('cards', { kind: 'card.reactivate', subject: { cardSerial: 'C-1', holderId: 'h-1' } }));
    expect(request.state).toBe('approved');
    expect(request.decision).toMatchObject({ decision: 'approved', by: { id: 'policy' } });
    const read = await api.call('GET', `/requests/${request.id}`, { as: users.alice });
    const approved = read.body.history.find((entry: { type: string }) => entry.type === 'approved');
    expect(approved).toMatchObject({ actor: { id: 'policy' } });
    expect(approved.details.reason).toMatch(/does not require approval/);
  });

  test.each([
    ['certificate.enroll', { method: 'ACME', subjectDn: 'CN=a' }],
    [
      'certificate.enroll',
      { method: 'P10', subjectDn: 'CN=ec.example.com', csr: readFileSync(join(__dirname, '../fixtures/csr/ec-p384.csr'), 'utf8') },
    ],
    ['certificate.revoke', { serialNumber: '0a1b2c', issuerDn: 'CN=CA' }],
    ['certificate.lock', { serialNumber: 'FF', issuerDn: 'CN=CA' }],
    ['card.request', { holderId: 'h', cardProfile: 'p' }],
    ['card.request-multiple', { holderId: 'h', cardProfile: 'p', count: 100 }],
    ['card.deactivate', { cardSerial: 's', holderId: 'h' }],
    ['card.reactivate', { cardSerial: 's', holderId: 'h' }],
    ['card.lock', { cardSerial: 's', holderId: 'h', extra: 'allowed' }],
  ])('kind %s with a valid subject is accepted', async (kind, subject) => {
    const response = await api.call('POST', '/requests', { as: users.alice, body: { kind, profileId: 'cards', subject } });
    expect(response.status).toBe(201);
    expect(response.body.subject).toMatchObject(subject);
  });

  test.each([
    ['kind', { kind: 'card.explode' }],
    ['subject.csr', { kind: 'certificate.enroll', subject: { method: 'P10', subjectDn: 'CN=a' } }],
    ['subject.serialNumber', { kind: 'certificate.revoke', subject: { serialNumber: 'xyz', issuerDn: 'CN=CA' } }],
    ['subject.count', { kind: 'card.request-multiple', subject: { holderId: 'h', cardProfile: 'p', count: 101 } }],
    ['subject.cardProfile', { subject: { holderId: 'h' } }],
    ['subject', { subject: 'card' }],
    ['subject', { subject: { holderId: 'h', cardProfile: 'p', photo: 'x'.repeat(500_000) } }],
    ['subject', { subject: { holderId: 'h', cardProfile: 'p', deep: JSON.parse(`${'{"a":'.repeat(40)}1${'}'.repeat(40)}`) } }],
    ['profileId', { profileId: 'missing' }],
    ['profileId', { profileId: '../etc' }],
    ['justification', { justification: 'x'.repeat(2001) }],
    ['callbackUrl', { callbackUrl: 'ftp://example.com' }],
    ['(body)', { unexpected: 1 }],
  ])('a request with a bad %s is refused with 400 naming it, and nothing is stored', async (field, change) => {
    const response = await api.call('POST', '/requests', { as: users.bob, body: cardRequest('cards', change) });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('invalid_request');
    expect(response.body.error.message.startsWith(field)).toBe(true);
    const mine = await api.call('GET', '/requests', { as: users.bob });
    expect(mine.status).toBe(200);
    expect(mine.body.items).toEqual([]);
  });

  test('malformed JSON, a wrong content type and an empty body give 400, never 500', async () => {
    const broken = await api.call('POST', '/requests', { as: users.bob, raw: '{"kind":', headers: { 'content-type': 'application/json' } });
    const text = await api.call('POST', '/requests', { as: users.bob, raw: 'kind=card', headers: { 'content-type': 'text/plain' } });
    const empty = await api.call('POST', '/requests', { as: users.bob, headers: { 'content-type': 'application/json' } });
    for (const response of [broken, text, empty]) {
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('invalid_request');
    }
  });

  test('the same Idempotency-Key and body give the same request once; another body gives 409', async () => {
    const headers = { 'idempotency-key': 'order-42' };
    const body = cardRequest('cards', { subject: { holderId: 'idem', cardProfile: 'p' } });
    const first = await api.call('POST', '/requests', { as: users.bob, body, headers });
    const second = await api.call('POST', '/requests', { as: users.bob, body: { ...body }, headers });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body.id).toBe(first.body.id);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    const mine = await api.call('GET', '/requests?limit=100', { as: users.bob });
    expect(mine.body.items.filter((item: { subject: { holderId: string } }) => item.subject.holderId === 'idem')).toHaveLength(1);
    const other = await api.call('POST', '/requests', { as: users.bob, body: cardRequest('cards'), headers });
    expect(other.status).toBe(409);
    expect(other.body.error.details.requestId).toBe(first.body.id);
  });

  test('a calling system with the on-behalf scope creates a request for a named user; without the scope it gets 403', async () => {
    const system = await api.issuer.sign({ sub: 'billing-system', scopes: ['approvals/requests.create-on-behalf'] });
    const body = cardRequest('cards', { onBehalfOf: { id: 'bob', email: 'Bob@example.com' } });
    const created = await api.call('POST', '/requests', { body, headers: { authorization: `Bearer ${system}` } });
    expect(created.status).toBe(201);
    expect(created.body.requester).toEqual({ id: 'bob', email: users.bob.email });
    const history = (await api.call('GET', `/requests/${created.body.id}`, { as: users.bob })).body.history;
    expect(history[0].details.createdBy).toEqual({ id: 'billing-system' });
    const plainUser = await api.call('POST', '/requests', { as: users.alice, body });
    expect(plainUser.status).toBe(403);
    const noEmail = await api.call('POST', '/requests', { body: cardRequest('cards'), headers: { authorization: `Bearer ${system}` } });
    expect(noEmail.status).toBe(400);
  });

  test('concurrent creates with the same Idempotency-Key make one request', async () => {
    const headers = { 'idempotency-key': 'burst-1' };
    const body = cardRequest('cards', { subject: { holderId: 'burst', cardProfile: 'p' } });
    const responses = await Promise.all(Array.from({ length: 8 }, () => api.call('POST', '/requests', { as: users.bob, body, headers })));
    expect(responses.map((response) => response.status)).toEqual(Array(8).fill(201));
    expect(new Set(responses.map((response) => response.body.id)).size).toBe(1);
  });
});

describe('reading requests', () => {
  test('the requester, approvers and admins read a request with its history; others get 403', async () => {
    const request = await create();
    for (const who of [users.alice, users.carol, users.admin]) {
      const response = await api.call('GET', `/requests/${request.id}`, { as: who });
      expect(response.status).toBe(200);
      expect(response.body.history[0]).toMatchObject({ type: 'created', actor: { id: 'alice' } });
    }
    expect((await api.call('GET', `/requests/${request.id}`, { as: users.bob })).status).toBe(403);
  });

  test('an unknown request is 404 and a malformed id 400', async () => {
    expect((await api.call('GET', '/requests/9b2f3c1e-1111-4222-8333-444455556666', { as: users.admin })).status).toBe(404);
    const bad = await api.call('GET', '/requests/not-a-uuid', { as: users.admin });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/^id /);
  });
});

describe('decisions', () => {
  const decide = (id: string, as: (typeof users)[keyof typeof users], body: unknown) =>
    api.call('POST', `/requests/${id}/decisions`, { as, body });

  test('an approval by a listed approver approves a 1-approval request', async () => {
    const request = await create();
    const response = await decide(request.id, users.carol, { decision: 'approve', comment: 'ok' });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      state: 'approved',
      approvals: [{ by: { id: 'carol', email: users.carol.email } }],
      decision: { decision: 'approved', by: { id: 'carol' } },
    });
    const again = await decide(request.id, users.dave, { decision: 'reject', reason: 'late' });
    expect(again.status).toBe(409);
  });

  test('nobody decides on their own request', async () => {
    const request = await create(cardRequest('cards'), users.carol);
    const response = await decide(request.id, users.carol, { decision: 'approve' });
    expect(response.status).toBe(403);
    expect(response.body.error.message).toMatch(/requested/);
  });

  test('an approver not listed on the request, or outside the approvers group, gets 403', async () => {
    const request = await create(cardRequest('two-of-three'));
    const outsider = { sub: 'zed', email: 'zed@example.com', groups: ['approvers'] };
    expect((await decide(request.id, outsider, { decision: 'approve' })).status).toBe(403);
    const listedNotInGroup = await create();
    expect((await decide(listedNotInGroup.id, users.frank, { decision: 'approve' })).status).toBe(403);
  });

  test('a rejection needs a reason (400) and then rejects with it', async () => {
    const request = await create();
    const missing = await decide(request.id, users.carol, { decision: 'reject' });
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toMatch(/^reason /);
    const rejected = await decide(request.id, users.carol, { decision: 'reject', reason: 'not entitled' });
    expect(rejected.body).toMatchObject({ state: 'rejected', decision: { decision: 'rejected', reason: 'not entitled' } });
  });

  test('with a quorum of 2, one approval keeps it pending, the same approver again gets 409, a second approver approves', async () => {
    const request = await create(cardRequest('two-of-three'));
    const first = await decide(request.id, users.carol, { decision: 'approve' });
    expect(first.body).toMatchObject({ state: 'requested', approvals: [{ by: { email: users.carol.email } }] });
    const twice = await decide(request.id, users.carol, { decision: 'approve' });
    expect(twice.status).toBe(409);
    const second = await decide(request.id, users.dave, { decision: 'approve' });
    expect(second.body.state).toBe('approved');
    expect(second.body.approvals).toHaveLength(2);
    const history = (await api.call('GET', `/requests/${request.id}`, { as: users.alice })).body.history.map(
      (entry: { type: string }) => entry.type,
    );
    expect(history).toEqual(expect.arrayContaining(['created', 'approval', 'approved']));
  });

  test('one rejection rejects a quorum request', async () => {
    const request = await create(cardRequest('two-of-three'));
    await decide(request.id, users.carol, { decision: 'approve' });
    const rejected = await decide(request.id, users.dave, { decision: 'reject', reason: 'no' });
    expect(rejected.body.state).toBe('rejected');
  });

  test('hold keeps the request pending with onHold set; it can still be approved', async () => {
    const request = await create();
    const held = await decide(request.id, users.carol, { decision: 'hold', comment: 'checking with HR' });
    expect(held.body).toMatchObject({ state: 'requested', onHold: true, hold: { by: { id: 'carol' }, comment: 'checking with HR' } });
    const approved = await decide(request.id, users.dave, { decision: 'approve' });
    expect(approved.body).toMatchObject({ state: 'approved', onHold: false });
    const history = (await api.call('GET', `/requests/${request.id}`, { as: users.alice })).body.history.map(
      (entry: { type: string }) => entry.type,
    );
    expect(history).toEqual(expect.arrayContaining(['held', 'approved']));
  });

  test.each([
    [{ decision: 'maybe' }, 'decision'],
    [{}, 'decision'],
    [{ decision: 'approve', reason: 'x'.repeat(2001) }, 'reason'],
  ])('an invalid decision %j gives 400 naming %s', async (body, field) => {
    const request = await create();
    const response = await decide(request.id, users.carol, body);
    expect(response.status).toBe(400);
    expect(response.body.error.message.startsWith(field)).toBe(true);
    expect((await api.call('GET', `/requests/${request.id}`, { as: users.alice })).body.version).toBe(1);
  });

  test('deciding on an unknown request is 404', async () => {
    const response = await decide('9b2f3c1e-1111-4222-8333-444455556666', users.carol, { decision: 'approve' });
    expect(response.status).toBe(404);
  });

  test('twenty simultaneous approvals of a 1-approval request give one 200, nineteen 409 and one approved entry', async () => {
    const approvers = Array.from({ length: 20 }, (_, index) => ({
      sub: `ap-${index}`,
      email: `ap-${index}@example.com`,
      groups: ['approvers'],
    }));
    await api.call('PUT', '/profiles/crowd', { as: users.admin, body: profile({ approvers: approvers.map((who) => who.email) }) });
    const request = await create(cardRequest('crowd'));
    const responses = await Promise.all(approvers.map((who) => decide(request.id, who, { decision: 'approve' })));
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 409)).toHaveLength(19);
    const read = await api.call('GET', `/requests/${request.id}`, { as: users.admin });
    expect(read.body.approvals).toHaveLength(1);
    expect(read.body.history.filter((entry: { type: string }) => entry.type === 'approved')).toHaveLength(1);
  });
});

describe('deleting requests', () => {
  test('the requester deletes a pending request; it is kept, in state deleted, with its history', async () => {
    const request = await create();
    const response = await api.call('DELETE', `/requests/${request.id}`, { as: users.alice });
    expect(response.body).toMatchObject({ state: 'deleted', decision: { decision: 'deleted', by: { id: 'alice' } } });
    const read = await api.call('GET', `/requests/${request.id}`, { as: users.alice });
    expect(read.body.history.map((entry: { type: string }) => entry.type)).toEqual(expect.arrayContaining(['created', 'deleted']));
    expect((await api.call('POST', `/requests/${request.id}/decisions`, { as: users.carol, body: { decision: 'approve' } })).status).toBe(
      409,
    );
  });

  test('an ended request stays ended: DELETE is 409 for the requester and admins alike, and changes nothing', async () => {
    const request = await create();
    await api.call('POST', `/requests/${request.id}/decisions`, { as: users.carol, body: { decision: 'approve' } });
    const before = await api.call('GET', `/requests/${request.id}`, { as: users.admin });
    expect(before.body.state).toBe('approved');
    expect((await api.call('DELETE', `/requests/${request.id}`, { as: users.alice })).status).toBe(409);
    expect((await api.call('DELETE', `/requests/${request.id}`, { as: users.bob })).status).toBe(403);
    const byAdmin = await api.call('DELETE', `/requests/${request.id}`, { as: users.admin });
    expect(byAdmin.status).toBe(409);
    expect(byAdmin.body).toMatchObject({ error: { code: 'conflict', details: { state: 'approved' } } });
    const after = await api.call('GET', `/requests/${request.id}`, { as: users.admin });
    expect(after.body).toMatchObject({ state: 'approved', decision: before.body.decision, version: before.body.version });
    expect(after.body.history.map((entry: { type: string }) => entry.type)).not.toContain('deleted');
  });

  test('an admin deletes a pending request; a second DELETE is 409', async () => {
    const request = await create();
    const deleted = await api.call('DELETE', `/requests/${request.id}`, { as: users.admin });
    expect(deleted.body.state).toBe('deleted');
    expect((await api.call('DELETE', `/requests/${request.id}`, { as: users.admin })).status).toBe(409);
  });
});
