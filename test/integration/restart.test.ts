import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Api, cardRequest, profile, startApi, users } from '../helpers/stack';
import { about, executionStatus, to, waitForEmails, waitForExecution, waitForState } from '../helpers/workflow';

const dataDir = mkdtempSync(join(tmpdir(), 'approvals-restart-'));
let api: Api | undefined;

afterAll(async () => {
  await api?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

test('restart while pending: requests, mail and workflows survive; decisions and expiry still work', async () => {
  api = await startApi({ dataDir, ephemeral: false });
  await api.call('PUT', '/profiles/cards', { as: users.admin, body: profile({ approvers: [users.carol.email] }) });
  await api.call('PUT', '/profiles/short', { as: users.admin, body: profile({ approvers: [users.carol.email], remindAfter: 'PT2S', expireAfter: 'PT6S' }) });
  const toApprove = (await api.call('POST', '/requests', { as: users.alice, body: cardRequest('cards') })).body;
  const toExpire = (await api.call('POST', '/requests', { as: users.alice, body: cardRequest('short') })).body;
  await waitForEmails(api, about(toApprove.id));
  await waitForEmails(api, about(toExpire.id));
  await api.stop();

  api = await startApi({ dataDir, ephemeral: false });
  // The mailbox kept what was sent before the restart, and the token still works (same issuer key).
  await waitForEmails(api, about(toApprove.id));
  expect(await executionStatus(api, toApprove.id)).toBe('RUNNING');
  const approved = await api.call('POST', `/requests/${toApprove.id}/decisions`, { as: users.carol, body: { decision: 'approve' } });
  expect(approved.status).toBe(200);
  await waitForExecution(api, toApprove.id);
  await waitForEmails(api, (mail) => to(users.alice.email, /approved/i)(mail) && about(toApprove.id)(mail));
  // The approver was emailed once, not again after the restart.
  expect((await waitForEmails(api, (mail) => to(users.carol.email)(mail) && about(toApprove.id)(mail))).length).toBe(1);

  await waitForState(api, toExpire.id, 'expired', 20_000);
  await waitForExecution(api, toExpire.id);
}, 90_000);
