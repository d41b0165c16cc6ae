import { createServer, type IncomingMessage } from 'node:http';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { clientCallbackKey } from '../../functions/callbacks/keys';
import { ON_BEHALF_SCOPE } from '../../functions/domain/bodies';
import { type Api, cardRequest, profile, startApi, users } from '../helpers/stack';
import { waitFor } from '../../local/net';
import { about, executionStatus, linksOf, mailbox, to, waitForEmails, waitForExecution, waitForState } from '../helpers/workflow';

let api: Api;
/** The calling system's receiver: answers 503 twice, then 204. */
const received: Array<{ headers: IncomingMessage['headers']; body: string }> = [];
const receiver = createServer((req, res) => {
  let body = '';
  req.on('data', (chunk) => (body += chunk));
  req.on('end', () => {
    received.push({ headers: req.headers, body });
    res.statusCode = received.length < 3 ? 503 : 204;
    res.end();
  });
});

beforeAll(async () => {
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const port = (receiver.address() as { port: number }).port;
  // Rounds and retries wait a fifth of their real time; reminders and expiry still follow the real clock.
  api = await startApi({ timeScale: 0.2, callbackUrlPrefixes: `http://127.0.0.1:${port}/hooks/` });
  await api.call('PUT', '/profiles/cards', { as: users.admin, body: profile() });
  await api.call('PUT', '/profiles/quorum', {
    as: users.admin,
    body: profile({ requiredApprovals: 2, approvers: [users.carol.email, users.dave.email, users.erin.email] }),
  });
  await api.call('PUT', '/profiles/fast', {
    as: users.admin,
    body: profile({ remindAfter: 'PT1S', expireAfter: 'PT2S', approvers: [users.carol.email] }),
  });
  await api.call('PUT', '/profiles/remind', {
    as: users.admin,
    body: profile({ remindAfter: 'PT1S', expireAfter: 'PT60S', approvers: [users.carol.email, users.dave.email] }),
  });
  await api.call('PUT', '/profiles/steady', {
    as: users.admin,
    body: profile({ remindAfter: 'PT1H', expireAfter: 'P1D', approvers: [users.carol.email, users.dave.email] }),
  });
}, 120_000);

afterAll(async () => {
  await api?.stop();
  await new Promise((resolve) => receiver.close(resolve));
});

const create = async (profileId: string, overrides: Record<string, unknown> = {}, as = users.alice) => {
  const response = await api.call('POST', '/requests', { as, body: cardRequest(profileId, overrides) });
  expect(response.status).toBe(201);
  return response.body as { id: string; state: string };
};
const decide = (id: string, as: (typeof users)[keyof typeof users], body: unknown) =>
  api.call('POST', `/requests/${id}/decisions`, { as, body });
const historyTypes = async (id: string) =>
  (await api.call('GET', `/requests/${id}`, { as: users.admin })).body.history.map((entry: { type: string }) => entry.type) as string[];

test('policy approval: no approver email; the requester is told at once and the workflow ends', async () => {
  const request = await create('cards', { kind: 'card.reactivate', subject: { cardSerial: 'P-1', holderId: 'h' } });
  await waitForExecution(api, request.id);
  const [email] = await waitForEmails(api, (mail) => to(users.alice.email, /approved/i)(mail) && about(request.id)(mail));
  expect(email?.subject).toMatch(/approved/i);
  expect((await mailbox(api)).filter((mail) => about(request.id)(mail) && !mail.destination.to.includes(users.alice.email))).toEqual([]);
});

/** The `cards` profile lists four addresses; frank's holder is not in `approvers`, so three may decide. */
const MAY_DECIDE = 3;

test('approve: every approver who may decide gets an email with signed links; an approval ends the workflow and tells the requester', async () => {
  const request = await create('cards');
  const emails = await waitForEmails(api, about(request.id), MAY_DECIDE);
  const recipients = emails.map((mail) => mail.destination.to[0]).sort();
  expect(recipients).toEqual([users.carol.email, users.dave.email, users.erin.email].sort());
  // Frank is listed but not in the approvers group: the round records him as skipped, after which
  // the mailbox holds nothing for him (his link would not work).
  const notified = await waitFor(
    async () =>
      (
        (await api.call('GET', `/requests/${request.id}`, { as: users.admin })).body.history as Array<{ type: string; details?: unknown }>
      ).find((entry) => entry.type === 'notified'),
    { timeoutMs: 10_000, what: 'the notified entry', intervalMs: 100 },
  );
  expect(notified.details).toEqual({
    recipients: [users.carol.email, users.dave.email, users.erin.email],
    skipped: [users.frank.email],
    // The subject every approver got, as the mailbox shows it.
    subject: emails[0]?.subject,
  });
  expect((await mailbox(api)).filter((mail) => about(request.id)(mail) && mail.destination.to.includes(users.frank.email))).toEqual([]);
  for (const mail of emails) {
    const links = linksOf(mail);
    expect(links.approve).toContain(`/links/${request.id}/approve`);
    expect(mail.body.html).toContain(links.approve.replace(/&/g, '&amp;'));
    expect(mail.body.html).toContain('PIV standard');
    expect(mail.body.text + mail.body.html).not.toMatch(/token/i);
  }
  expect((await decide(request.id, users.carol, { decision: 'approve' })).status).toBe(200);
  await waitForExecution(api, request.id);
  await waitForEmails(api, (mail) => to(users.alice.email, /approved/i)(mail) && about(request.id)(mail));
  expect(await historyTypes(request.id)).toEqual(expect.arrayContaining(['created', 'notified', 'approved']));
});

test('reject: the requester is told, with the reason', async () => {
  const request = await create('cards');
  await waitForEmails(api, about(request.id), MAY_DECIDE);
  await decide(request.id, users.dave, { decision: 'reject', reason: 'badge already issued' });
  await waitForExecution(api, request.id);
  const [email] = await waitForEmails(api, (mail) => to(users.alice.email, /rejected/i)(mail) && about(request.id)(mail));
  expect(email?.body.text).toContain('badge already issued');
});

test('quorum of 2: the workflow waits after the first approval and ends after the second', async () => {
  const request = await create('quorum');
  await waitForEmails(api, about(request.id), 3);
  await decide(request.id, users.carol, { decision: 'approve' });
  expect(await executionStatus(api, request.id)).toBe('RUNNING');
  await decide(request.id, users.dave, { decision: 'approve' });
  await waitForExecution(api, request.id);
  expect((await waitForState(api, request.id, 'approved')).approvals).toHaveLength(2);
});

test('hold then approve: hold keeps the workflow waiting; the approval ends it', async () => {
  const request = await create('cards');
  await waitForEmails(api, about(request.id), MAY_DECIDE);
  await decide(request.id, users.carol, { decision: 'hold', comment: 'asking HR' });
  expect(await executionStatus(api, request.id)).toBe('RUNNING');
  await decide(request.id, users.carol, { decision: 'approve' });
  await waitForExecution(api, request.id);
  expect(await historyTypes(request.id)).toEqual(expect.arrayContaining(['held', 'approved']));
});

test('reminder then approve: approvers who have not approved get a Reminder; the approval still ends it', async () => {
  const request = await create('remind', {}, users.bob);
  const reminders = await waitForEmails(api, (mail) => about(request.id)(mail) && /Reminder/.test(mail.subject), 2);
  expect(reminders.map((mail) => mail.destination.to[0]).sort()).toEqual([users.carol.email, users.dave.email]);
  expect(linksOf(reminders[0] as never).approve).toContain(request.id);
  await decide(request.id, users.dave, { decision: 'approve' });
  await waitForExecution(api, request.id);
  expect(await historyTypes(request.id)).toEqual(expect.arrayContaining(['reminded', 'approved']));
});

test('expiry: with no decision the request expires after expireAfter and the requester is told', async () => {
  const request = await create('fast');
  const expired = await waitForState(api, request.id, 'expired', 15_000);
  expect(Date.parse(expired.decision.at)).toBeGreaterThanOrEqual(Date.parse(expired.expiresAt));
  await waitForExecution(api, request.id);
  await waitForEmails(api, (mail) => to(users.alice.email, /expired/i)(mail) && about(request.id)(mail));
  const types = await historyTypes(request.id);
  expect(types).toEqual(expect.arrayContaining(['reminded', 'expired']));
  expect((await decide(request.id, users.carol, { decision: 'approve' })).status).toBe(409);
});

test('delete while pending: the wait ends at once and no reminder follows', async () => {
  const request = await create('remind');
  await waitForEmails(api, about(request.id), 2);
  await api.call('DELETE', `/requests/${request.id}`, { as: users.alice });
  await waitForExecution(api, request.id);
  const deletedAt = Date.now() / 1000;
  const reminderAfterDelete = (await mailbox(api)).filter(
    (mail) => about(request.id)(mail) && /Reminder/.test(mail.subject) && mail.at > deletedAt,
  );
  expect(reminderAfterDelete).toEqual([]);
  // A reminder may come before the delete on a slow machine (remindAfter is 1 s); none after it.
  const types = await historyTypes(request.id);
  expect(types.slice(types.indexOf('deleted'))).not.toContain('reminded');
  expect(types).toContain('deleted');
});

/**
 * A request of the `remind` profile (or `profileId`) whose wait round has emailed its approvers, as
 * stored, with the repository and a decision of carol's on it: to change it behind the workflow's back.
 */
async function waitingRequest(profileId = 'remind') {
  const request = await create(profileId);
  await waitForEmails(api, about(request.id), 2);
  const { Repository } = await import('../../functions/adapters/dynamodb/repository');
  const { documentClient } = await import('../../functions/adapters/clients');
  const { decide: applyDecision } = await import('../../functions/domain/rules');
  const repository = new Repository(documentClient(), api.stack.tableName);
  const stored = await repository.getRequest(request.id);
  if (!stored) throw new Error('request not stored');
  const carolDecides = (decision: 'approve' | 'hold') =>
    applyDecision(stored.request, { id: users.carol.sub, email: users.carol.email }, { decision }, new Date().toISOString());
  return { request, repository, stored, carolDecides };
}

test('a decision whose task token was already closed is not lost: the next round sees it and ends the workflow', async () => {
  const { request, repository, stored, carolDecides } = await waitingRequest();
  // Decide behind the workflow's back, as if SendTaskSuccess had hit a closed token.
  await repository.saveChange(carolDecides('approve'), stored.request);
  expect(await executionStatus(api, request.id)).toBe('RUNNING');
  await waitForExecution(api, request.id, 'SUCCEEDED', 10_000);
  await waitForEmails(api, (mail) => to(users.alice.email, /approved/i)(mail) && about(request.id)(mail));
});

test('no response carries the task token the wait stored, nor the table keys', async () => {
  const { request, stored } = await waitingRequest('steady');
  const token = stored.rounds.taskToken;
  if (!token) throw new Error('the wait round stored no token');
  // Stored beside the token: what the wait was planned from (the reconciler compares it).
  expect(stored.rounds.waitBasis).toBe(`0||${stored.request.expiresAt}`);
  const reads = [
    await api.call('GET', `/requests/${request.id}`, { as: users.alice }),
    await api.call('GET', `/requests/${request.id}/history`, { as: users.admin }),
    await api.call('GET', '/requests?state=requested', { as: users.admin }),
    await api.call('GET', '/tasks', { as: users.carol }),
  ];
  for (const read of reads) {
    expect(read.status).toBe(200);
    expect(JSON.stringify(read.body)).not.toContain(token);
    expect(JSON.stringify(read.body)).not.toMatch(/taskToken|waitBasis|GSI1PK|"PK"/);
  }
  expect(JSON.stringify(reads[2]?.body)).toContain(request.id);
  expect((await decide(request.id, users.carol, { decision: 'approve' })).status).toBe(200);
  await waitForExecution(api, request.id, 'SUCCEEDED', 10_000);
});

test('a change conditioned on the task token it read is refused once the stored token is another one', async () => {
  // No reminder round may store a newer token meanwhile: a profile that reminds after an hour.
  const { request, repository, stored, carolDecides } = await waitingRequest('steady');
  const token = stored.rounds.taskToken;
  if (!token) throw new Error('the wait round stored no token');
  const hold = carolDecides('hold');
  expect(await repository.saveChange(hold, stored.request, undefined, { sameTaskToken: `${token}-older` })).toBe('conflict');
  expect(await repository.saveChange(hold, stored.request, undefined, { sameTaskToken: null })).toBe('conflict');
  expect((await repository.getRequest(request.id))?.request.version).toBe(stored.request.version);
  expect(await repository.saveChange(hold, stored.request, undefined, { sameTaskToken: token })).toBe('saved');
  expect((await repository.getRequest(request.id))?.request.onHold).toBe(true);
  expect((await decide(request.id, users.carol, { decision: 'approve' })).status).toBe(200);
  await waitForExecution(api, request.id, 'SUCCEEDED', 10_000);
});

test("a round's bookkeeping and its history entry are one transaction: both or neither; an ended request refuses the bookkeeping and keeps the entry", async () => {
  const { request, repository } = await waitingRequest('steady');
  const entry = (note: string) => ({
    at: new Date().toISOString(),
    type: 'reminded' as const,
    actor: { id: 'workflow' },
    details: { note },
  });
  const lastEmailAt = async () => (await repository.getRequest(request.id))?.rounds.lastEmailAt;
  const notes = async () =>
    ((await api.call('GET', `/requests/${request.id}/history`, { as: users.admin })).body.items as Array<{ details?: { note?: string } }>)
      .map((item) => item.details?.note)
      .filter(Boolean);
  const before = await lastEmailAt();
  // An entry DynamoDB refuses (an item over its 400 KB) takes the bookkeeping with it.
  await expect(
    repository.setRoundBookkeeping(request.id, { lastEmailAt: '2030-01-01T00:00:00.000Z' }, { history: entry('x'.repeat(410_000)) }),
  ).rejects.toThrow(/size/i);
  expect(await lastEmailAt()).toBe(before);
  /** Bookkeeping while pending, with its entry. */
  const keep = (at: string, note: string) =>
    repository.setRoundBookkeeping(request.id, { lastEmailAt: at }, { whilePending: true, history: entry(note) });
  expect(await keep('2030-01-02T00:00:00.000Z', 'both')).toBe(true);
  expect(await lastEmailAt()).toBe('2030-01-02T00:00:00.000Z');
  expect(await notes()).toEqual(['both']);
  expect((await decide(request.id, users.carol, { decision: 'approve' })).status).toBe(200);
  expect(await keep('2030-01-03T00:00:00.000Z', 'after the end')).toBe(false);
  expect(await lastEmailAt()).toBe('2030-01-02T00:00:00.000Z');
  expect(await notes()).toEqual(['both', 'after the end']);
  await waitForExecution(api, request.id, 'SUCCEEDED', 10_000);
});

describe('callback to the calling system', () => {
  test("is retried with backoff until it answers 2xx, names the calling system and is signed with that system's key", async () => {
    const port = (receiver.address() as { port: number }).port;
    const client = await api.issuer.sign({ sub: 'billing-system', scopes: [ON_BEHALF_SCOPE] });
    const created = await api.call('POST', '/requests', {
      headers: { authorization: `Bearer ${client}` },
      body: cardRequest('cards', {
        callbackUrl: `http://127.0.0.1:${port}/hooks/approvals`,
        onBehalfOf: { id: users.alice.sub, email: users.alice.email },
      }),
    });
    expect(created.status).toBe(201);
    const request = created.body as { id: string };
    await waitForEmails(api, about(request.id), MAY_DECIDE);
    await decide(request.id, users.erin, { decision: 'reject', reason: 'duplicate' });
    await waitForExecution(api, request.id, 'SUCCEEDED', 30_000);
    expect(received).toHaveLength(3);
    const last = received[2];
    const event = JSON.parse(last?.body ?? '{}');
    expect(event).toMatchObject({ type: 'request.rejected', client: 'billing-system', request: { id: request.id, state: 'rejected' } });
    const signature = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(last?.headers['approvals-signature']));
    expect(signature).not.toBeNull();
    const secrets = JSON.parse(readFileSync(join(api.dataDir, 'secrets.json'), 'utf8'));
    const keys = JSON.parse(secrets['approvals/callback-signing-keys']);
    const clientKey = clientCallbackKey(keys.keys[keys.currentKeyId], 'billing-system');
    const expected = createHmac('sha256', clientKey).update(`${signature?.[1]}.${last?.body}`).digest('hex');
    expect(signature?.[2]).toBe(expected);
    // The service's own key, or another system's, does not verify it.
    for (const other of [keys.keys[keys.currentKeyId], clientCallbackKey(keys.keys[keys.currentKeyId], 'hr-system')]) {
      expect(createHmac('sha256', other).update(`${signature?.[1]}.${last?.body}`).digest('hex')).not.toBe(signature?.[2]);
    }
    expect(await historyTypes(request.id)).toContain('callback-delivered');
  });
});
