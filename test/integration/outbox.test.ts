/**
 * The outbox on the real local stack: the table's stream (DynamoDB Local's Streams API) feeds the
 * stream consumer, which starts the workflow of a new request and ends the wait of a decided one.
 * Create and decide answer without Step Functions; while it is unreachable (the engine's fault
 * switch answers 503 ServiceUnavailable, as AWS does when down) the consumer's retries catch up
 * once it is back, and nothing is left to the reconciler. The local poller relays a change as soon as
 * the API answer or workflow step that stored it returns.
 */
import '../helpers/memory/environment';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { documentClient } from '../../functions/adapters/clients';
import { Repository } from '../../functions/adapters/dynamodb/repository';
import { logger } from '../../functions/commons/observability';
import { SHARED_DB_FILE } from '../../local/dynamodb';
import { LOCAL_CREDENTIALS, LOCAL_REGION, waitFor } from '../../local/net';
import type { StepFunctionsFault } from '../../local/stepfunctions/server';
import { SHARED_DYNAMODB_ENV } from '../setup/shared-dynamodb';
import { type Api, profile, startApi, users } from '../helpers/stack';
import { about, executionStatus, mailbox, to, waitForEmails, waitForExecution } from '../helpers/workflow';

let api: Api;
let repository: Repository;

beforeAll(async () => {
  // The poller reads an idle stream once a minute: every relay here is woken by the API answer or
  // the workflow step that stored the change, not found by an idle poll.
  api = await startApi({ timeScale: 0.2, outboxIdlePollMs: 60_000 });
  repository = new Repository(documentClient(), api.stack.tableName);
  const put = await api.call('PUT', '/profiles/outbox', {
    as: users.admin,
    body: profile({ approvers: [users.carol.email, users.dave.email], remindAfter: 'PT1H', expireAfter: 'P1D' }),
  });
  expect(put.status).toBe(200);
}, 120_000);

afterAll(async () => {
  api?.stack.setWorkflowFault(undefined);
  await api?.stop();
});

const create = () =>
  api.call('POST', '/requests', {
    as: users.bob,
    body: { kind: 'card.request', profileId: 'outbox', subject: { holderId: 'h-17', cardProfile: 'PIV' } },
  });

const waitingToken = (id: string) =>
  waitFor(async () => (await repository.getRequest(id))?.rounds.taskToken, { timeoutMs: 20_000, what: 'the wait of the first round' });

const outcomeEmails = async (id: string) =>
  (await mailbox(api)).filter((mail) => to(users.bob.email, /approved/i)(mail) && about(id)(mail));

test("the table has the cloud's stream, with new and old images, which the outbox reads", async () => {
  const client = new DynamoDBClient({ endpoint: api.stack.dynamoEndpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: api.stack.tableName }));
    expect(Table?.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' });
  } finally {
    client.destroy();
  }
});

test("DynamoDB Local's stream records are indexed by stream and by shard: a write and a shard's read look their records up without scanning all", async () => {
  const shared = JSON.parse(process.env[SHARED_DYNAMODB_ENV] ?? '{}') as { dbPath?: string };
  expect(shared.dbPath).toEqual(expect.any(String));
  const plan = () => {
    const db = new DatabaseSync(join(shared.dbPath as string, SHARED_DB_FILE), { readOnly: true });
    try {
      // DynamoDB Local's own queries: a stream's first record (on every write), a shard's first record (on its reads).
      const steps = [
        ...db.prepare('EXPLAIN QUERY PLAN SELECT MIN(SequenceNumber) FROM us WHERE StreamID = ?').all('any'),
        ...db
          .prepare(
            'EXPLAIN QUERY PLAN SELECT SequenceNumber, CreationDateTime FROM us WHERE ShardID = ? AND CreationDateTime >= ? ORDER BY SequenceNumber ASC LIMIT 1',
          )
          .all('any', 0),
      ];
      return steps.map((step) => step.detail).join('\n');
    } finally {
      db.close();
    }
  };
  // The run's setup indexes them as soon as DynamoDB Local answers, which this file may have seen first.
  await waitFor(async () => /USING COVERING INDEX us_by_stream\b[\s\S]*USING INDEX us_by_shard \(ShardID=\?\)/.test(plan()), {
    timeoutMs: 10_000,
    what: 'the index of the stream records',
  });
});

test('create: the outbox starts the workflow and the approvers are emailed; decide: the outbox ends the wait and the requester is told', async () => {
  const created = await create();
  expect(created.status).toBe(201);
  const id = created.body.id as string;
  await waitForEmails(api, (mail) => to(users.carol.email)(mail) && about(id)(mail));
  expect(await executionStatus(api, id)).toBe('RUNNING');
  await waitingToken(id);
  const decided = await api.call('POST', `/requests/${id}/decisions`, { as: users.carol, body: { decision: 'approve' } });
  expect(decided.status).toBe(200);
  await waitForEmails(api, (mail) => to(users.bob.email, /approved/i)(mail) && about(id)(mail));
  await waitForExecution(api, id);
  // Neither start was the reconciler's (it runs on demand here and was not run), nothing was given up.
  expect(await executionStatus(api, `${id}-r1`)).toBeUndefined();
  expect(api.stack.outbox.deadLetters).toEqual([]);
}, 60_000);

/** Waits until the consumer has failed to relay a change of request `id` (logged by the request id, never the token). */
const failedRelay = (warn: jest.SpyInstance, id: string, change: 'insert' | 'modify') =>
  waitFor(
    async () =>
      warn.mock.calls.some(
        ([message, details]) => String(message).includes('not relayed') && details?.approvalRequestId === id && details?.change === change,
      ),
    { timeoutMs: 20_000, what: `a failed relay of the ${change} of ${id}` },
  );

test('with Step Functions unreachable, create answers 201 and decide 200; once it is back the consumer catches up', async () => {
  const warn = jest.spyOn(logger, 'warn');
  const fault: StepFunctionsFault = { actions: ['StartExecution', 'SendTaskSuccess', 'SendTaskFailure'], error: 'unavailable' };
  let id = '';
  try {
    api.stack.setWorkflowFault(fault);
    const created = await create();
    expect(created.status).toBe(201);
    id = created.body.id as string;
    // The consumer tried, failed, and keeps the record: nothing started yet.
    await failedRelay(warn, id, 'insert');
    expect(await executionStatus(api, id)).toBeUndefined();
    api.stack.setWorkflowFault(undefined);
    // The stream delivers the new request again until its workflow starts.
    await waitForEmails(api, (mail) => to(users.carol.email)(mail) && about(id)(mail));
    const token = await waitingToken(id);

    api.stack.setWorkflowFault(fault);
    const decided = await api.call('POST', `/requests/${id}/decisions`, { as: users.carol, body: { decision: 'approve' } });
    expect(decided.status).toBe(200);
    expect(decided.body.state).toBe('approved');
    await failedRelay(warn, id, 'modify');
    expect(await executionStatus(api, id)).toBe('RUNNING');
    expect(await outcomeEmails(id)).toEqual([]);
    expect(JSON.stringify(warn.mock.calls)).not.toContain(token);
  } finally {
    api.stack.setWorkflowFault(undefined);
    warn.mockRestore();
  }
  await waitForEmails(api, (mail) => to(users.bob.email, /approved/i)(mail) && about(id)(mail));
  await waitForExecution(api, id);
  expect(await executionStatus(api, `${id}-r1`)).toBeUndefined();
  expect(await outcomeEmails(id)).toHaveLength(1);
  expect(api.stack.outbox.deadLetters).toEqual([]);
}, 60_000);

test('a request on its normal path is never touched by the reconciler: one execution, one approval email', async () => {
  await api.call('PUT', '/profiles/normal', {
    as: users.admin,
    body: profile({ approvers: [users.carol.email], remindAfter: 'PT1H', expireAfter: 'P1D' }),
  });
  const created = await api.call('POST', '/requests', {
    as: users.bob,
    body: { kind: 'card.request', profileId: 'normal', subject: { holderId: 'h', cardProfile: 'p' } },
  });
  expect(created.status).toBe(201);
  const id = created.body.id as string;
  await waitForEmails(api, (mail) => to(users.carol.email)(mail) && about(id)(mail));
  // Several reconciler runs later, still one email and no restarted execution.
  await api.stack.reconcile();
  await api.stack.reconcile();
  expect(await executionStatus(api, `${id}-r1`)).toBeUndefined();
  expect((await repository.getRequest(id))?.rounds.checkAt).toBeDefined();
  // Decided: the outcome step tells the requester and takes the request out of the reconciler's index.
  expect((await api.call('POST', `/requests/${id}/decisions`, { as: users.carol, body: { decision: 'approve' } })).status).toBe(200);
  await waitForEmails(api, (mail) => to(users.bob.email, /approved/i)(mail) && about(id)(mail));
  await waitFor(async () => (await repository.getRequest(id))?.rounds.checkAt === undefined, {
    timeoutMs: 20_000,
    what: 'checkAt removed',
  });
  expect(await executionStatus(api, id)).toBe('SUCCEEDED');
  await api.stack.reconcile();
  expect(await executionStatus(api, `${id}-r1`)).toBeUndefined();
});
