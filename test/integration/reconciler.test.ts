/**
 * The reconciler on the real local stack (DynamoDB Local and its byDue index, the workflow
 * engine, the local SES), run by npm start's timer: whatever left a request without its workflow,
 * it gets one; overdue requests expire; ended ones get their outcome email and callback.
 * Each request is written as the failure left it, with the same repository the functions use.
 */
import { createServer } from 'node:http';
import { documentClient } from '../../functions/adapters/clients';
import { Repository } from '../../functions/adapters/dynamodb/repository';
import type { ApprovalRequest } from '../../functions/domain/model';
import { createRequest } from '../../functions/domain/rules';
import { waitFor } from '../../local/net';
import { type Api, profile, startApi, users } from '../helpers/stack';
import { about, executionStatus, to, waitForEmails, waitForState } from '../helpers/workflow';

let api: Api;
let repository: Repository;
const received: string[] = [];
let receiver: ReturnType<typeof createServer>;
let receiverUrl = '';

beforeAll(async () => {
  // The reconciler's timer runs every 300 ms here (60 s by default, a minute in the cloud). Nothing
  // reads the table's stream: each request is left as if the outbox had given up on it.
  api = await startApi({ timeScale: 0.2, reconcileEveryMs: 300, outbox: false });
  repository = new Repository(documentClient(), api.stack.tableName);
  receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      received.push(body);
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const address = receiver.address();
  receiverUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/hook`;
}, 120_000);

afterAll(async () => {
  await api?.stop();
  await new Promise((resolve) => receiver?.close(resolve));
});

let next = 0;
/** A request as the create use case builds it, stored without starting its workflow. */
function build(overrides: Partial<ApprovalRequest> = {}, createdAt = new Date().toISOString()) {
  const id = `7a000000-0000-4000-8000-${String(++next).padStart(12, '0')}`;
  const body = profile({ approvers: [users.carol.email], remindAfter: 'PT1H', expireAfter: 'PT2S', maxReminders: 5 });
  const change = createRequest(
    id,
    { kind: 'card.request', profileId: 'cards', subject: { holderId: 'h', cardProfile: 'p' } },
    { ...body, id: 'cards', createdAt, updatedAt: createdAt, version: 1 } as never,
    { id: users.alice.sub, email: users.alice.email, groups: [] },
    createdAt,
  );
  change.request = { ...change.request, ...overrides };
  return change;
}

test('a request stored without a workflow (the outbox never started it) gets one: its approver is emailed', async () => {
  const change = build({ expireAfter: 'P1D', expiresAt: new Date(Date.now() + 86400_000).toISOString() });
  // As create leaves it when the outbox gives up on its record: stored, first check due (now, for the test).
  await repository.createRequest(change, undefined, new Date().toISOString());
  const [email] = await waitForEmails(api, (mail) => to(users.carol.email)(mail) && about(change.request.id)(mail));
  expect(email?.subject).not.toMatch(/Reminder/);
  expect(await executionStatus(api, `${change.request.id}-r1`)).toBe('RUNNING');
});

test('a pending request past its expiry with no workflow is expired, and the requester is told', async () => {
  const createdAt = new Date(Date.now() - 60_000).toISOString();
  const change = build({ expiresAt: new Date(Date.now() - 58_000).toISOString() }, createdAt);
  await repository.createRequest(change, undefined, createdAt);
  const expired = await waitForState(api, change.request.id, 'expired');
  expect(Date.parse(expired.decision.at) - Date.parse(expired.expiresAt)).toBeLessThan(10 * 60_000);
  await waitForEmails(api, (mail) => to(users.alice.email, /expired/i)(mail) && about(change.request.id)(mail));
});

test('an ended request whose outcome email and callback were never attempted gets both', async () => {
  const now = new Date().toISOString();
  const change = build({ callbackUrl: receiverUrl, client: 'billing-system' });
  change.request = {
    ...change.request,
    state: 'rejected',
    decision: { decision: 'rejected', by: { id: 'carol', email: users.carol.email }, at: now, reason: 'no budget' },
  };
  await repository.createRequest(change, undefined, now);
  await waitForEmails(api, (mail) => to(users.alice.email, /rejected/i)(mail) && about(change.request.id)(mail));
  await waitFor(async () => received.some((body) => body.includes(change.request.id) && body.includes('request.rejected')), {
    timeoutMs: 20_000,
    what: 'the callback',
  });
  // Nothing more is owed: the request leaves the reconciler's index.
  await waitFor(async () => (await repository.getRequest(change.request.id))?.rounds.checkAt === undefined, {
    timeoutMs: 20_000,
    what: 'checkAt removed',
  });
});

test('a request decided while its workflow waits, whose wait the outbox never ended, is told by the reconciler at its outcome check', async () => {
  const change = build({ expireAfter: 'P1D', expiresAt: new Date(Date.now() + 86400_000).toISOString() });
  await repository.createRequest(change, undefined, new Date().toISOString());
  const id = change.request.id;
  await waitForEmails(api, (mail) => to(users.carol.email)(mail) && about(id)(mail));
  await waitFor(async () => (await repository.getRequest(id))?.rounds.taskToken, { timeoutMs: 20_000, what: 'the wait of the round' });
  const decided = await api.call('POST', `/requests/${id}/decisions`, { as: users.carol, body: { decision: 'approve' } });
  expect(decided.status).toBe(200);
  expect(await executionStatus(api, `${id}-r1`)).toBe('RUNNING');
  // The outcome check is 5 minutes after the decision: brought forward here, as if they had passed.
  await repository.setRoundBookkeeping(id, { checkAt: new Date().toISOString() });
  await waitForEmails(api, (mail) => to(users.alice.email, /approved/i)(mail) && about(id)(mail));
  await waitFor(async () => (await executionStatus(api, `${id}-r1`)) === 'SUCCEEDED', { timeoutMs: 20_000, what: 'the execution to end' });
  expect(await executionStatus(api, `${id}-r2`)).toBeUndefined();
});
