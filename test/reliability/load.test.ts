/**
 * Load: 2,000 requests (at RELIABILITY_SCALE=1) from 50 concurrent clients, each created,
 * emailed to its approvers and approved; nothing lost: every request stored and approved,
 * every approver's first email sent exactly once, every requester told.
 */
import { recordFigures } from '../helpers/reliability/figures';
import { call, isApproverEmail, isReminder, pool, type StoredEmail, sentTo } from '../helpers/reliability/http';
import { type InProcess, startInProcess } from '../helpers/reliability/inprocess';
import { explainRequest } from '../helpers/reliability/explain';
import { type MailWatch, watchMail } from '../helpers/reliability/mailwatch';
import { scaled } from '../helpers/reliability/scale';
import type { Person } from '../helpers/reliability/tokens';

const REQUESTS = scaled(2_000, 40);
const CLIENTS = Math.min(50, REQUESTS);
const EMAIL_TIMEOUT_MS = 10 * 60_000;

const admin: Person = { sub: 'admin-1', email: 'admin@example.com', groups: ['admins'] };
const approvers: Person[] = [
  { sub: 'karol', email: 'karol@example.com', groups: ['approvers'] },
  { sub: 'dave', email: 'dave@example.com', groups: ['approvers'] },
];

let stack: InProcess;
let mail: MailWatch;
const explain = async (id: string) =>
  explainRequest(
    {
      apiUrl: stack.apiUrl,
      sfnUrl: stack.stack.sfnUrl,
      stateMachineArn: stack.stack.stateMachineArn,
      token: await stack.mint.person(admin),
    },
    id,
  );

beforeAll(async () => {
  stack = await startInProcess();
  const profile = {
    name: 'Load',
    requireApprovalFor: ['card.request'],
    approvers: approvers.map((a) => a.email),
    requiredApprovals: 1,
    remindAfter: 'PT1H',
    expireAfter: 'P2D',
  };
  // The listed approvers are enabled directory users in the approvers group (the token command put them there).
  for (const approver of approvers) stack.mint.enter(approver);
  expect((await call(stack.apiUrl, 'PUT', '/profiles/load', { token: await stack.mint.person(admin), body: profile })).status).toBe(200);
  mail = watchMail(stack.mailUrl, 1000);
}, 180_000);

afterAll(async () => {
  mail?.stop();
  await stack?.stop();
});

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};
const firstEmailTo = (address: string) => (email: StoredEmail) => sentTo(address)(email) && isApproverEmail(email) && !isReminder(email);

test(
  `${REQUESTS} requests from ${CLIENTS} concurrent clients are created, emailed and approved with nothing lost`,
  async () => {
    const started = Date.now();
    const statuses: number[] = [];
    const createMs: number[] = [];
    const decideMs: number[] = [];
    const ids: string[] = [];
    const requesters: string[] = [];
    const failures: string[] = [];
    const perClient = Array.from({ length: CLIENTS }, (_, c) =>
      Array.from({ length: Math.ceil((REQUESTS - c) / CLIENTS) }, (_, k) => c + k * CLIENTS),
    );

    await Promise.all(
      perClient.map(async (indexes, c) => {
        const requester = { sub: `load-user-${c}`, email: `load-user-${c}@example.com` };
        const token = await stack.mint.person(requester);
        for (const index of indexes) {
          try {
            const t0 = Date.now();
            const created = await call(stack.apiUrl, 'POST', '/requests', {
              token,
              headers: { 'idempotency-key': `load-${index}` },
              body: { kind: 'card.request', profileId: 'load', subject: { holderId: `E-${index}`, cardProfile: 'PIV' } },
            });
            createMs.push(Date.now() - t0);
            statuses.push(created.status);
            if (created.status !== 201) throw new Error(`create ${index} answered ${created.status}: ${created.text.slice(0, 200)}`);
            const id = created.body.id as string;
            ids[index] = id;
            requesters[index] = requester.email;
            // The approver acts on the email, as in real use.
            await mail
              .until(
                id,
                (emails) => approvers.every((a) => emails.some(firstEmailTo(a.email))),
                EMAIL_TIMEOUT_MS,
                'both approvers to be emailed',
              )
              .catch(async (error: Error) => {
                const sent = mail.about(id).map((email) => `${email.destination.to.join(',')}: ${email.subject}`);
                throw new Error(`${error.message}\n  emails: ${sent.join('; ') || 'none'}\n  ${await explain(id)}`);
              });
            const approver = approvers[index % approvers.length] as Person;
            const t1 = Date.now();
            const decided = await call(stack.apiUrl, 'POST', `/requests/${id}/decisions`, {
              token: await stack.mint.person(approver),
              body: { decision: 'approve' },
            });
            decideMs.push(Date.now() - t1);
            statuses.push(decided.status);
            if (decided.status !== 200) throw new Error(`approval of ${id} answered ${decided.status}: ${decided.text.slice(0, 200)}`);
          } catch (error) {
            failures.push((error as Error).message);
          }
        }
      }),
    );
    const loadSeconds = (Date.now() - started) / 1000;
    expect(failures.slice(0, 5)).toEqual([]);
    expect(statuses.filter((status) => status >= 500)).toEqual([]);

    // Every requester is told; then nothing is missing or doubled.
    await pool(ids, 50, (id, index) =>
      mail.until(
        id,
        (emails) => emails.some((email) => sentTo(requesters[index] as string)(email) && /approved/i.test(email.subject)),
        EMAIL_TIMEOUT_MS,
        'the requester to be told',
      ),
    );
    await mail.refresh();
    const adminToken = await stack.mint.person(admin);
    const stored = await pool(
      ids,
      20,
      async (id) => (await call(stack.apiUrl, 'GET', `/requests/${id}`, { token: adminToken })).body?.state,
    );
    const problems: string[] = [];
    ids.forEach((id, index) => {
      if (stored[index] !== 'approved') problems.push(`${id}: state ${stored[index]}`);
      const emails = mail.about(id);
      for (const approver of approvers) {
        const count = emails.filter(firstEmailTo(approver.email)).length;
        if (count !== 1) problems.push(`${id}: ${count} first emails to ${approver.email}`);
      }
      const outcome = emails.filter((email) => sentTo(requesters[index] as string)(email)).length;
      if (outcome !== 1) problems.push(`${id}: ${outcome} outcome emails to the requester`);
    });
    expect({ requests: ids.filter(Boolean).length, problems: problems.slice(0, 10) }).toEqual({ requests: REQUESTS, problems: [] });
    const totalSeconds = (Date.now() - started) / 1000;
    recordFigures(__filename, 'load', {
      requests: REQUESTS,
      clients: CLIENTS,
      serverErrors: 0,
      lost: 0,
      emailsChecked: mail.total(),
      loadSeconds: Math.round(loadSeconds),
      totalSeconds: Math.round(totalSeconds),
      requestsPerSecond: Number((REQUESTS / loadSeconds).toFixed(1)),
      createP50ms: percentile(createMs, 50),
      createP95ms: percentile(createMs, 95),
      decideP50ms: percentile(decideMs, 50),
      decideP95ms: percentile(decideMs, 95),
    });
  },
  25 * 60_000,
);
