/**
 * Faults of the workflow's own plumbing on the real local stack (DynamoDB Local, the workflow
 * engine, the local SES): Step Functions refusing SendTaskSuccess after a decision, longer than the
 * outbox retries (the engine's in-process fault switch answers 503 ServiceUnavailable, as AWS does
 * when down), and the
 * reminder claim's conditional write against DynamoDB Local.
 */
import '../helpers/memory/environment';
import { documentClient } from '../../functions/adapters/clients';
import { Repository } from '../../functions/adapters/dynamodb/repository';
import { waitFor } from '../../local/net';
import { type Api, profile, startApi, users } from '../helpers/stack';
import { about, executionStatus, mailbox, to, waitForEmails } from '../helpers/workflow';

let api: Api;
let repository: Repository;

beforeAll(async () => {
  // The reconciler runs on demand here (api.stack.reconcile()), as its timer would run it.
  api = await startApi({ timeScale: 0.2 });
  repository = new Repository(documentClient(), api.stack.tableName);
  const put = await api.call('PUT', '/profiles/faults', {
    as: users.admin,
    body: profile({ approvers: [users.carol.email, users.dave.email, users.erin.email], remindAfter: 'PT1H', expireAfter: 'P1D' }),
  });
  expect(put.status).toBe(200);
}, 120_000);

afterAll(async () => {
  api?.stack.setWorkflowFault(undefined);
  await api?.stop();
});

async function createPending(): Promise<string> {
  const created = await api.call('POST', '/requests', {
    as: users.bob,
    body: { kind: 'card.request', profileId: 'faults', subject: { holderId: 'h-7', cardProfile: 'PIV' } },
  });
  expect(created.status).toBe(201);
  return created.body.id as string;
}

test('a decision while Step Functions refuses SendTaskSuccess past the outbox retries answers 200; the record is given up, and at the outcome check the reconciler tells the waiting workflow', async () => {
  const id = await createPending();
  await waitForEmails(api, (mail) => to(users.carol.email)(mail) && about(id)(mail));
  await waitFor(async () => (await repository.getRequest(id))?.rounds.taskToken, { timeoutMs: 20_000, what: 'the task token' });
  api.stack.setWorkflowFault({ actions: ['SendTaskSuccess', 'SendTaskFailure'], error: 'unavailable' });
  try {
    const decided = await api.call('POST', `/requests/${id}/decisions`, { as: users.carol, body: { decision: 'approve' } });
    expect(decided.status).toBe(200);
    expect(decided.body.state).toBe('approved');
    // The stream consumer retries (bounded) and gives the record up: the on-failure queue in the cloud.
    const sequence = await waitFor(
      async () =>
        api.stack.outbox.deadLetters.find((letter) => JSON.stringify(letter.keys).includes(id) && letter.eventName === 'MODIFY')
          ?.sequenceNumber,
      { timeoutMs: 30_000, what: 'the change to be given up' },
    );
    expect(sequence).toBeTruthy();
    expect(await executionStatus(api, id)).toBe('RUNNING');
    // The decision is stored with its outcome check (5 minutes ahead): brought forward here, as if they had passed.
    const stored = await repository.getRequest(id);
    expect(stored?.request.state).toBe('approved');
    expect(Date.parse(stored?.rounds.checkAt ?? '')).toBeGreaterThan(Date.now());
    await repository.setRoundBookkeeping(id, { checkAt: new Date().toISOString() });
    // Still down at that run: the repair fails (the run reports it) and stays due for the run after.
    await expect(api.stack.reconcile()).rejects.toThrow(/repair/);
    expect(Date.parse((await repository.getRequest(id))?.rounds.checkAt ?? '')).toBeLessThanOrEqual(Date.now());
    expect((await mailbox(api)).filter((mail) => to(users.bob.email, /approved/i)(mail) && about(id)(mail))).toEqual([]);
  } finally {
    api.stack.setWorkflowFault(undefined);
  }
  // Recovered: one run tells the waiting execution, which sends the outcome; nothing is restarted.
  await api.stack.reconcile();
  await waitForEmails(api, (mail) => to(users.bob.email, /approved/i)(mail) && about(id)(mail));
  await waitFor(async () => (await executionStatus(api, id)) === 'SUCCEEDED', { timeoutMs: 20_000, what: 'the execution to succeed' });
  expect(await executionStatus(api, `${id}-r1`)).toBeUndefined();
  await waitFor(async () => (await repository.getRequest(id))?.rounds.checkAt === undefined, {
    timeoutMs: 20_000,
    what: 'checkAt removed',
  });
  expect((await mailbox(api)).filter((mail) => to(users.bob.email, /approved/i)(mail) && about(id)(mail))).toHaveLength(1);
}, 90_000);

test('a reminder claim is one conditional write in DynamoDB: each approver and reminder number is claimed once, also when raced', async () => {
  const id = await createPending();
  expect(await repository.claimReminder(id, users.carol.email, 1)).toBe(true);
  expect(await repository.claimReminder(id, users.carol.email, 1)).toBe(false);
  expect(await repository.claimReminder(id, users.dave.email, 1)).toBe(true);
  expect(await repository.claimReminder(id, users.carol.email, 2)).toBe(true);
  // An earlier number after a later one is never claimed again.
  expect(await repository.claimReminder(id, users.carol.email, 1)).toBe(false);
  const raced = await Promise.all(Array.from({ length: 10 }, () => repository.claimReminder(id, users.erin.email, 3)));
  expect(raced.filter(Boolean)).toHaveLength(1);
  expect(await repository.claimReminder('7a000000-0000-4000-8000-00000000dead', users.carol.email, 1)).toBe(false);
  // The request itself is unchanged by its claims.
  expect((await repository.getRequest(id))?.request.state).toBe('requested');
});
