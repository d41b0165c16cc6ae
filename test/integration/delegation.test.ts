/**
 * Delegation (out of office) on the local stack: `/me/delegation` through the gateway against
 * DynamoDB Local and the local user directory, and a delegated approval by link from the
 * delegate's own email (the workflow engine, the local SES).
 */
import { type Api, cardRequest, profile, startApi, users } from '../helpers/stack';
import { about, linksOf, to, waitForEmails, waitForState } from '../helpers/workflow';

let api: Api;

beforeAll(async () => {
  api = await startApi({ timeScale: 0.2 });
}, 120_000);

afterAll(async () => {
  await api?.stop();
});

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

test('an approver sets, reads, replaces and removes their delegation', async () => {
  expect((await api.call('GET', '/me/delegation', { as: users.carol })).status).toBe(404);
  const until = inDays(7);
  const put = await api.call('PUT', '/me/delegation', { as: users.carol, body: { to: 'Dave@example.com', until } });
  expect(put.status).toBe(200);
  expect(put.body).toMatchObject({ to: users.dave.email, until, active: true });
  expect((await api.call('GET', '/me/delegation', { as: users.carol })).body).toEqual(put.body);

  const replaced = await api.call('PUT', '/me/delegation', { as: users.carol, body: { to: users.erin.email, until: inDays(3) } });
  expect(replaced.body).toMatchObject({ to: users.erin.email, active: true });
  expect((await api.call('GET', '/me/delegation', { as: users.carol })).body.to).toBe(users.erin.email);

  expect((await api.call('DELETE', '/me/delegation', { as: users.carol })).status).toBe(204);
  expect((await api.call('GET', '/me/delegation', { as: users.carol })).status).toBe(404);
  expect((await api.call('DELETE', '/me/delegation', { as: users.carol })).status).toBe(404);
});

test('bad input is a 400 naming the field and stores nothing; non-approvers get 403', async () => {
  const cases: Array<[unknown, string]> = [
    [{ to: users.dave.email, until: inDays(-1) }, 'until'],
    [{ to: users.dave.email, from: inDays(2), until: inDays(1) }, 'until'],
    [{ to: users.dave.email, until: inDays(120) }, 'until'],
    [{ to: users.erin.email.toUpperCase().replace('ERIN', 'erin+x'), until: inDays(1) }, 'to'],
    [{ to: 'nobody@example.com', until: inDays(1) }, 'to'],
    [{ to: users.dave.email }, 'until'],
  ];
  for (const [body, field] of cases) {
    const response = await api.call('PUT', '/me/delegation', { as: users.erin, body });
    expect(response.status).toBe(400);
    expect(response.body.error.details[0].field).toBe(field);
  }
  expect((await api.call('GET', '/me/delegation', { as: users.erin })).status).toBe(404);
  expect((await api.call('PUT', '/me/delegation', { as: users.alice, body: { to: users.dave.email, until: inDays(1) } })).status).toBe(403);
});

test("a delegated approval by link from the delegate's own email: recorded by the delegate for the approver", async () => {
  await api.call('PUT', '/profiles/away', {
    as: users.admin,
    body: profile({ approvers: [users.carol.email, users.dave.email], requiredApprovals: 1, remindAfter: 'PT1H', expireAfter: 'P1D' }),
  });
  // Bob is a user of the directory outside the approvers group: Carol's delegate while she is away.
  expect((await api.call('PUT', '/me/delegation', { as: users.carol, body: { to: users.bob.email, until: inDays(2) } })).status).toBe(200);
  const created = await api.call('POST', '/requests', { as: users.alice, body: cardRequest('away') });
  expect(created.status).toBe(201);
  const id = created.body.id as string;

  const [copy] = await waitForEmails(api, (mail) => about(id)(mail) && to(users.bob.email)(mail));
  expect(copy?.subject).toMatch(/^Approval needed for carol@example\.com: /);
  const links = linksOf(copy as NonNullable<typeof copy>);
  expect(new URL(links.approve).searchParams.get('for')).toBe(users.carol.email);
  expect(new URL(links.approve).searchParams.get('approver')).toBe(users.bob.email);
  // Carol and Dave got their own emails as well.
  await waitForEmails(api, (mail) => about(id)(mail) && (to(users.carol.email)(mail) || to(users.dave.email)(mail)), 2);

  const page = await fetch(links.approve);
  expect(page.status).toBe(200);
  expect(await page.text()).toContain('for carol@example.com (out of office; you are their delegate)');
  const posted = await fetch(links.approve, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ comment: 'for Carol' }).toString(),
  });
  expect(posted.status).toBe(200);

  const approved = await waitForState(api, id, 'approved');
  expect(approved.approvals).toEqual([
    expect.objectContaining({ by: { id: users.bob.sub, email: users.bob.email }, for: { id: users.carol.sub, email: users.carol.email } }),
  ]);
  expect(approved.decision).toMatchObject({ by: { id: users.bob.sub }, for: { id: users.carol.sub } });
  const history = (await api.call('GET', `/requests/${id}`, { as: users.admin })).body.history as Array<{ type: string; details?: any }>;
  expect(history.find((entry) => entry.type === 'delegated')?.details).toMatchObject({
    for: { email: users.carol.email },
    to: { email: users.bob.email },
  });
  // Carol decides herself after her delegate: still one vote (the request has ended anyway: 409).
  expect((await api.call('POST', `/requests/${id}/decisions`, { as: users.carol, body: { decision: 'approve' } })).status).toBe(409);
  await api.call('DELETE', '/me/delegation', { as: users.carol });
});

test('by the API: the delegate approves for the approver; where the profile forbids delegation, 403', async () => {
  await api.call('PUT', '/profiles/no-delegates', {
    as: users.admin,
    body: profile({ approvers: [users.carol.email, users.dave.email], requiredApprovals: 2, allowDelegation: false }),
  });
  await api.call('PUT', '/profiles/two', {
    as: users.admin,
    body: profile({ approvers: [users.carol.email, users.dave.email], requiredApprovals: 2 }),
  });
  await api.call('PUT', '/me/delegation', { as: users.dave, body: { to: users.bob.email, until: inDays(1) } });
  const forbidden = (await api.call('POST', '/requests', { as: users.alice, body: cardRequest('no-delegates') })).body.id;
  const refused = await api.call('POST', `/requests/${forbidden}/decisions`, { as: users.bob, body: { decision: 'approve' } });
  expect(refused.status).toBe(403);
  expect(refused.body.error.message).toContain('allowDelegation is false');

  const allowed = (await api.call('POST', '/requests', { as: users.alice, body: cardRequest('two') })).body.id;
  const decided = await api.call('POST', `/requests/${allowed}/decisions`, { as: users.bob, body: { decision: 'approve' } });
  expect(decided.status).toBe(200);
  expect(decided.body.approvals).toEqual([
    expect.objectContaining({ by: { id: users.bob.sub, email: users.bob.email }, for: { id: users.dave.sub, email: users.dave.email } }),
  ]);
  expect((await api.call('POST', `/requests/${allowed}/decisions`, { as: users.dave, body: { decision: 'approve' } })).status).toBe(409);
  await api.call('DELETE', '/me/delegation', { as: users.dave });
});
