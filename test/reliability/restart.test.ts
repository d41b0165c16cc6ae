import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localIssuer } from '../../local/identity';
import { waitFor } from '../../local/net';
import { startService, type RunningService } from '../helpers/process';
import { cardRequest, profile, putDirectoryUser, users } from '../helpers/stack';

const dataDir = mkdtempSync(join(tmpdir(), 'approvals-restart-'));
let service: RunningService | undefined;

afterAll(async () => {
  await service?.stop('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

async function call(method: string, path: string, as: (typeof users)[keyof typeof users], body?: unknown) {
  const issuer = await localIssuer(dataDir);
  const response = await fetch(`${service?.apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${await issuer.sign(as)}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: response.status, body: (await response.json()) as any };
}

async function emails(): Promise<Array<{ destination: { to: string[] }; subject: string; body: { text: string } }>> {
  return ((await (await fetch(`${service?.mailUrl}/store`)).json()) as { emails: any[] }).emails;
}

const waitForEmail = (match: (email: { destination: { to: string[] }; subject: string; body: { text: string } }) => boolean) =>
  waitFor(async () => (await emails()).some(match), { timeoutMs: 20_000, what: 'an email', intervalMs: 100 });

const waitForState = (id: string, state: string) =>
  waitFor(async () => (await call('GET', `/requests/${id}`, users.admin)).body.state === state, {
    timeoutMs: 30_000,
    what: `state ${state}`,
    intervalMs: 200,
  });

test('npm start stops cleanly on SIGTERM and, restarted on the same DATA_DIR, loses nothing: pending workflows, mail, tokens', async () => {
  // The test's people are users of this DATA_DIR's directory, as the token command would put them.
  for (const user of Object.values(users)) putDirectoryUser(dataDir, user);
  service = await startService(dataDir);
  expect((await call('PUT', '/profiles/cards', users.admin, profile({ approvers: [users.carol.email] }))).status).toBe(200);
  expect(
    (
      await call(
        'PUT',
        '/profiles/short',
        users.admin,
        profile({ approvers: [users.carol.email], remindAfter: 'PT2S', expireAfter: 'PT8S' }),
      )
    ).status,
  ).toBe(200);
  const created = [
    await call('POST', '/requests', users.alice, cardRequest('cards')),
    await call('POST', '/requests', users.alice, cardRequest('short')),
  ];
  expect(created.map((response) => response.status)).toEqual([201, 201]);
  const [toApprove, toExpire] = created.map((response) => response.body);
  await waitForEmail((email) => email.body.text.includes(toApprove.id));
  await waitForEmail((email) => email.body.text.includes(toExpire.id));
  expect(await service.stop('SIGTERM')).toBe(0);

  service = await startService(dataDir);
  // The mailbox kept what was sent before, and tokens of the same issuer still work.
  expect((await emails()).some((email) => email.body.text.includes(toApprove.id))).toBe(true);
  const approved = await call('POST', `/requests/${toApprove.id}/decisions`, users.carol, { decision: 'approve' });
  expect(approved.status).toBe(200);
  await waitForEmail(
    (email) =>
      email.destination.to.includes(users.alice.email) && /approved/i.test(email.subject) && email.body.text.includes(toApprove.id),
  );
  // The approver was emailed once, not again after the restart.
  const toCarol = (await emails()).filter(
    (email) => email.destination.to.includes(users.carol.email) && email.body.text.includes(toApprove.id),
  );
  expect(toCarol).toHaveLength(1);
  // The short request keeps being reminded and expires on time after the restart.
  await waitForState(toExpire.id, 'expired');
  await waitForEmail(
    (email) => email.destination.to.includes(users.alice.email) && /expired/i.test(email.subject) && email.body.text.includes(toExpire.id),
  );
  expect(await service.stop('SIGINT')).toBe(0);
}, 120_000);
