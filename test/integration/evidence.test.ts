/**
 * GET /requests/{id}/evidence on the local stack: the request, its whole history, the emails the
 * local SES took (to, subject, at) and the callback attempts, as one JSON document.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { ON_BEHALF_SCOPE } from '../../functions/domain/bodies';
import { waitFor } from '../../local/net';
import { type Api, cardRequest, profile, startApi, users } from '../helpers/stack';
import { about, mailbox, waitForEmails, waitForExecution } from '../helpers/workflow';

let api: Api;
/** The calling system's receiver: answers 503 once, then 204. */
let calls = 0;
const receiver = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    calls += 1;
    res.statusCode = calls < 2 ? 503 : 204;
    res.end();
  });
});

beforeAll(async () => {
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const port = (receiver.address() as { port: number }).port;
  api = await startApi({ timeScale: 0.2, callbackUrlPrefixes: `http://127.0.0.1:${port}/hooks/` });
  const put = await api.call('PUT', '/profiles/evidence', {
    as: users.admin,
    body: profile({ approvers: [users.carol.email, users.dave.email], requiredApprovals: 1 }),
  });
  expect(put.status).toBe(200);
}, 120_000);

afterAll(async () => {
  await api?.stop();
  await new Promise((resolve) => receiver.close(resolve));
});

test('an approved request with a callback: the evidence holds its history, every email with its subject, and each callback attempt', async () => {
  const port = (receiver.address() as { port: number }).port;
  const client = await api.issuer.sign({ sub: 'billing-system', scopes: [ON_BEHALF_SCOPE] });
  const created = await api.call('POST', '/requests', {
    headers: { authorization: `Bearer ${client}` },
    body: cardRequest('evidence', {
      callbackUrl: `http://127.0.0.1:${port}/hooks/approvals`,
      onBehalfOf: { id: users.alice.sub, email: users.alice.email },
    }),
  });
  expect(created.status).toBe(201);
  const id = created.body.id as string;
  await waitForEmails(api, about(id), 2);
  expect((await api.call('POST', `/requests/${id}/decisions`, { as: users.carol, body: { decision: 'approve' } })).status).toBe(200);
  await waitForExecution(api, id, 'SUCCEEDED', 30_000);

  const evidence = await waitFor(
    async () => {
      const response = await api.call('GET', `/requests/${id}/evidence`, { as: users.alice });
      expect(response.status).toBe(200);
      return response.body.callbacks.some((callback: { outcome: string }) => callback.outcome === 'delivered') ? response.body : undefined;
    },
    { timeoutMs: 10_000, what: 'the delivered callback in the evidence', intervalMs: 100 },
  );
  expect(evidence.request).toMatchObject({ id, state: 'approved' });
  const read = await api.call('GET', `/requests/${id}`, { as: users.alice });
  expect(evidence.history).toEqual(read.body.history);
  // The receipt as GET /requests/{id}/receipt serves it (signed once, when approved).
  const receipt = await api.call('GET', `/requests/${id}/receipt`, { as: users.alice });
  expect(evidence.receipt).toBe(receipt.body.receipt);
  expect(evidence.receipt).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);

  // Every email the local SES took for this request is in the evidence, with its subject.
  const sent = (await mailbox(api)).filter(about(id));
  expect(sent.length).toBe(4);
  const listed = evidence.emails.map((email: { to: string; subject: string }) => [email.to, email.subject]).sort();
  expect(listed).toEqual(sent.map((mail) => [mail.destination.to[0], mail.subject]).sort());
  expect(evidence.emails.map((email: { purpose: string; to: string }) => [email.purpose, email.to])).toEqual([
    ['approval', users.carol.email],
    ['approval', users.dave.email],
    ['closing', users.dave.email],
    ['outcome', users.alice.email],
  ]);
  expect(
    evidence.emails.every((email: { outcome: string; at: string }) => email.outcome === 'sent' && !Number.isNaN(Date.parse(email.at))),
  ).toBe(true);
  expect(evidence.callbacks).toEqual([
    { at: expect.any(String), outcome: 'failed', type: 'request.approved', status: 503 },
    { at: expect.any(String), outcome: 'delivered', type: 'request.approved', status: 204 },
  ]);
}, 60_000);

test('the requester, approvers and admins may read the evidence; others may not', async () => {
  const created = await api.call('POST', '/requests', { as: users.alice, body: cardRequest('evidence') });
  const id = created.body.id as string;
  for (const who of [users.alice, users.carol, users.admin]) {
    expect((await api.call('GET', `/requests/${id}/evidence`, { as: who })).status).toBe(200);
  }
  expect((await api.call('GET', `/requests/${id}/evidence`, { as: users.bob })).status).toBe(403);
  expect((await api.call('GET', `/requests/${randomUUID()}/evidence`, { as: users.admin })).status).toBe(404);
  // Pending: no receipt yet.
  expect((await api.call('GET', `/requests/${id}/evidence`, { as: users.carol })).body.receipt).toBeNull();
  expect((await api.call('GET', '/requests/nope/evidence', { as: users.admin })).status).toBe(400);
});
