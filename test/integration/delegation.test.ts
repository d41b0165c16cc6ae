/**
 * Delegation (out of office) on the local stack: `/me/delegation` through the gateway against
 * DynamoDB Local and the local user directory.
 */
import { type Api, startApi, users } from '../helpers/stack';

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
