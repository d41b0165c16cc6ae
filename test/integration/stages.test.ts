/**
 * Ordered stages on the local stack (DynamoDB Local, the workflow engine running the state machine,
 * the local SES, the local user directory): a 3-stage request with a `group:` stage and an
 * escalation, each stage emailed when it starts, the stage named in emails, link pages and history.
 */
import { waitFor } from '../../local/net';
import { type Api, cardRequest, profile, startApi, users } from '../helpers/stack';
import { about, linksOf, mailbox, waitForEmails } from '../helpers/workflow';

let api: Api;
const pki1 = { sub: 'pki-1', email: 'pki1@example.com', groups: ['approvers', 'pki'] };
const pki2 = { sub: 'pki-2', email: 'pki2@example.com', groups: ['approvers', 'pki'] };
const officer = { sub: 'officer', email: 'officer@example.com', groups: ['approvers'] };

const stages = [
  { name: 'Team lead', approvers: [users.carol.email], requiredApprovals: 1 },
  { name: 'PKI officers', approvers: ['group:pki'], requiredApprovals: 2, escalateAfter: 'PT3S', escalateTo: [officer.email] },
  { name: 'Security', approvers: [users.dave.email], requiredApprovals: 1 },
];

beforeAll(async () => {
  // Rounds and retries wait a fifth of their real time; reminders, escalations and expiry follow the real clock.
  api = await startApi({ timeScale: 0.2 });
  for (const person of [pki1, pki2, officer]) api.directory.put(person);
  const base = profile({ remindAfter: 'PT1H', expireAfter: 'P1D' }) as Record<string, unknown>;
  delete base.approvers;
  delete base.requiredApprovals;
  const put = await api.call('PUT', '/profiles/staged', { as: users.admin, body: { ...base, stages } });
  expect(put.status).toBe(200);
}, 120_000);

afterAll(async () => {
  await api?.stop();
});

const read = async (id: string) => (await api.call('GET', `/requests/${id}`, { as: users.admin })).body;
const decide = (id: string, as: { sub: string; email: string; groups?: string[] }) =>
  api.call('POST', `/requests/${id}/decisions`, { as, body: { decision: 'approve' } });
const post = (url: string) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' });

test('a profile with stages is stored and read back; stages beside approvers is 400 naming the field', async () => {
  expect((await api.call('GET', '/profiles/staged', { as: users.carol })).body).toMatchObject({ stages: expect.any(Array) });
  expect((await api.call('GET', '/profiles/staged', { as: users.carol })).body.approvers).toBeUndefined();
  const both = await api.call('PUT', '/profiles/both', { as: users.admin, body: { ...profile(), stages } });
  expect(both.status).toBe(400);
  expect(both.body.error.details.map((issue: { field: string }) => issue.field)).toEqual(['approvers', 'requiredApprovals']);
  const short = [{ name: 'A', approvers: [users.carol.email], requiredApprovals: 2 }];
  const bad = await api.call('PUT', '/profiles/bad', {
    as: users.admin,
    body: { name: 'x', requireApprovalFor: ['card.request'], remindAfter: 'PT1H', expireAfter: 'P1D', stages: short },
  });
  expect(bad.status).toBe(400);
  expect(bad.body.error.message).toMatch(/^stages\.0\.requiredApprovals /);
});

test('a 3-stage request: each stage emailed when it starts, a group stage decided by link, an escalation, approved at the last stage', async () => {
  const created = await api.call('POST', '/requests', { as: users.alice, body: cardRequest('staged') });
  expect(created.status).toBe(201);
  const id = created.body.id as string;
  expect(created.body).toMatchObject({ currentStage: 0, approvers: [users.carol.email], awaiting: [users.carol.email] });
  expect(created.body.stages[1].approvers).toEqual([pki1.email, pki2.email]);

  const [first] = await waitForEmails(api, about(id), 1);
  expect(first?.destination.to).toEqual([users.carol.email]);
  expect(first?.subject).toContain('Stage 1 of 3 · Team lead');
  // A later stage's approver: 403 until their stage starts.
  expect((await decide(id, pki1)).status).toBe(403);

  expect((await decide(id, users.carol)).status).toBe(200);
  const stage2 = await waitForEmails(api, (mail) => about(id)(mail) && mail.subject.includes('Stage 2 of 3'), 2);
  expect(stage2.map((mail) => mail.destination.to[0]).sort()).toEqual([pki1.email, pki2.email]);

  // A group member decides by link; the page names the stage.
  const toPki1 = stage2.find((mail) => mail.destination.to[0] === pki1.email);
  if (!toPki1) throw new Error('no stage 2 email to pki1');
  const link = linksOf(toPki1).approve;
  expect(await (await fetch(link)).text()).toContain('Stage 2 of 3 · PKI officers');
  expect((await post(link)).status).toBe(200);

  // No second approval within 3 s of the stage's start: the officer joins the stage and is emailed.
  const [escalated] = await waitForEmails(api, (mail) => about(id)(mail) && mail.destination.to[0] === officer.email, 1, 30_000);
  expect(escalated?.subject).toContain('Stage 2 of 3 · PKI officers');
  expect((await decide(id, officer)).status).toBe(200);

  const [last] = await waitForEmails(api, (mail) => about(id)(mail) && mail.subject.includes('Stage 3 of 3'), 1);
  expect(last?.destination.to).toEqual([users.dave.email]);
  expect((await decide(id, users.dave)).status).toBe(200);

  const ended = await waitFor(
    async () => {
      const current = await read(id);
      return current.state === 'approved' ? current : undefined;
    },
    { timeoutMs: 10_000, what: 'the approved request', intervalMs: 100 },
  );
  expect(ended).toMatchObject({ currentStage: null, awaiting: [] });
  expect(ended.stages.map((stage: { status: string }) => stage.status)).toEqual(['approved', 'approved', 'approved']);
  const types = ended.history.map((entry: { type: string }) => entry.type);
  expect(types.filter((type: string) => ['stage-started', 'escalated'].includes(type))).toEqual([
    'stage-started',
    'escalated',
    'stage-started',
  ]);
  expect(ended.history.find((entry: { type: string }) => entry.type === 'escalated').details).toMatchObject({
    stageName: 'Stage 2 of 3 · PKI officers',
    added: [officer.email],
  });
  // Nobody got more than one approval email: each stage was emailed once, at its start; the officer's says he was added.
  const approvalEmails = (await mailbox(api)).filter((mail) => about(id)(mail) && /^(Escalated: a|A)pproval needed/.test(mail.subject));
  expect(approvalEmails.map((mail) => mail.destination.to[0]).sort()).toEqual(
    [users.carol.email, pki1.email, pki2.email, officer.email, users.dave.email].sort(),
  );
  expect(approvalEmails.filter((mail) => mail.subject.startsWith('Escalated')).map((mail) => mail.destination.to[0])).toEqual([
    officer.email,
  ]);
}, 60_000);

test('a stage start that opens and closes more task items than one transaction holds (two stages of 50) is stored, and the tasks follow it', async () => {
  const listed = (stage: number) => Array.from({ length: 50 }, (_, i) => `wide${stage}-${i}@example.com`);
  const base = profile({ remindAfter: 'PT1H', expireAfter: 'P1D' }) as Record<string, unknown>;
  delete base.approvers;
  delete base.requiredApprovals;
  const wide = [
    { name: 'First', approvers: [users.carol.email, ...listed(1).slice(1)], requiredApprovals: 1 },
    { name: 'Second', approvers: listed(2), requiredApprovals: 1 },
  ];
  expect((await api.call('PUT', '/profiles/wide', { as: users.admin, body: { ...base, stages: wide } })).status).toBe(200);
  const created = await api.call('POST', '/requests', { as: users.alice, body: cardRequest('wide') });
  expect(created.status).toBe(201);
  const id = created.body.id as string;

  // Carol's approval closes 49 task items, opens 50, and writes the request and two history entries: 102 writes.
  const approved = await decide(id, users.carol);
  expect(approved.status).toBe(200);
  expect(approved.body).toMatchObject({ currentStage: 1, stages: [{ status: 'approved' }, { status: 'active' }] });
  const second = { sub: 'wide2-49', email: 'wide2-49@example.com', groups: ['approvers'] };
  const first = { sub: 'wide1-2', email: 'wide1-2@example.com', groups: ['approvers'] };
  const idsOf = async (as: typeof first) =>
    ((await api.call('GET', '/tasks?limit=100', { as })).body.items as Array<{ id: string }>).map((task) => task.id);
  expect(await idsOf(second)).toContain(id);
  expect(await idsOf(first)).not.toContain(id);
});

test("an email to a stage's approvers is claimed only while that stage is current (DynamoDB's condition on the request item); reminders are counted", async () => {
  const created = await api.call('POST', '/requests', { as: users.alice, body: cardRequest('staged') });
  expect(created.status).toBe(201);
  const id = created.body.id as string;
  const { Repository } = await import('../../functions/adapters/dynamodb/repository');
  const { documentClient } = await import('../../functions/adapters/clients');
  const repository = new Repository(documentClient(), api.stack.tableName);
  const now = new Date().toISOString();
  const address = 'not-listed@example.com';
  expect(await repository.claimApprovalEmail(id, address, now, new Date(0).toISOString(), 1)).toBe(false);
  expect(await repository.claimReminder(id, address, 1, 1)).toBe(false);
  expect((await repository.getRequest(id))?.rounds.approvalEmails?.[address]).toBeUndefined();
  expect(await repository.claimApprovalEmail(id, address, now, new Date(0).toISOString(), 0)).toBe(true);
  expect(await repository.claimReminder(id, address, 1, 0)).toBe(true);
  expect((await repository.getRequest(id))?.rounds).toMatchObject({ approvalEmails: { [address]: now }, reminderClaims: { [address]: 1 } });
  // Reminder numbers run across the request; each approver's are counted beside the highest.
  expect(await repository.claimReminder(id, address, 3, 0)).toBe(true);
  expect(await repository.claimReminder(id, address, 3, 0)).toBe(false);
  expect((await repository.getRequest(id))?.rounds).toMatchObject({ reminderClaims: { [address]: 3 }, reminderCounts: { [address]: 2 } });
});
