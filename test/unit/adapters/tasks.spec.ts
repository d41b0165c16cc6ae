/**
 * The task entries are written in the same transaction as the request change that opens or
 * closes them, and the task list is a Query of one approver's partition: checked on the commands
 * the DynamoDB adapter sends (DynamoDB Local runs them in test/integration/console-api.test.ts).
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { requestKey } from '../../../functions/adapters/dynamodb/keys';
import { DynamoRequestStore } from '../../../functions/adapters/dynamodb/requests';
import { DynamoTasks } from '../../../functions/adapters/dynamodb/tasks';
import type { Identity } from '../../../functions/domain/model';
import { createRequest, decide } from '../../../functions/domain/rules';
import { profile as fixtureProfile } from '../../helpers/memory/fixtures';

const now = '2026-11-03T10:00:00.000Z';
const alice: Identity = { id: 'alice', email: 'alice@example.com', groups: [] };
const profile = fixtureProfile({ approvers: ['bob@example.com', 'carol@example.com'], requiredApprovals: 2, createdAt: now });
const id = '00000000-0000-4000-8000-000000000001';
const created = createRequest(
  id,
  { kind: 'card.request', profileId: 'p', subject: { holderId: 'h', cardProfile: 'c' } },
  profile,
  alice,
  now,
);

function recordingClient(answer: (command: unknown) => unknown = () => ({})) {
  const sent: unknown[] = [];
  const send = async (command: unknown) => {
    sent.push(command);
    return answer(command);
  };
  const db = { send } as unknown as DynamoDBDocumentClient;
  return { db, sent };
}
type Items = NonNullable<TransactWriteCommand['input']['TransactItems']>;
const transactionOf = (sent: unknown[]): Items => {
  expect(sent).toHaveLength(1);
  expect(sent[0]).toBeInstanceOf(TransactWriteCommand);
  return (sent[0] as TransactWriteCommand).input.TransactItems ?? [];
};
const taskPuts = (items: Items) =>
  items.flatMap((item) => (item.Put?.Item?.type === 'task' ? [[item.Put.Item.PK, item.Put.Item.SK, item.Put.Item.requestId]] : []));
const taskDeletes = (items: Items) => items.flatMap((item) => (item.Delete ? [[item.Delete.Key?.PK, item.Delete.Key?.SK]] : []));
const sortKey = `${now}#${id}`;

describe('task entries in the request transactions', () => {
  test('a new pending request puts one task entry per listed approver, in its create transaction', async () => {
    const { db, sent } = recordingClient();
    await new DynamoRequestStore(db, 'approvals').createRequest(created, {
      sub: 'alice',
      key: 'k',
      requestId: id,
      bodyHash: 'h',
      expiresAtEpoch: 1,
    });
    const items = transactionOf(sent);
    expect(taskPuts(items)).toEqual([
      ['TASKS#bob@example.com', sortKey, id],
      ['TASKS#carol@example.com', sortKey, id],
    ]);
    // The idempotency record keeps its position (its condition failure is read by index).
    expect(items[2]?.Put?.Item?.type).toBe('idempotency');
  });

  test("an approval deletes that approver's entry in the change's transaction; the request update stays conditional", async () => {
    const { db, sent } = recordingClient();
    const change = decide(created.request, { id: 'bob', email: 'bob@example.com' }, { decision: 'approve' }, now);
    await new DynamoRequestStore(db, 'approvals').saveChange(change, created.request);
    const items = transactionOf(sent);
    expect(items[0]?.Update?.ConditionExpression).toBe('#version = :expected');
    expect(taskPuts(items)).toEqual([]);
    expect(taskDeletes(items)).toEqual([['TASKS#bob@example.com', sortKey]]);
  });

  test('a rejection deletes every remaining entry; a hold touches none', async () => {
    const rejected = recordingClient();
    await new DynamoRequestStore(rejected.db, 'approvals').saveChange(
      decide(created.request, { id: 'carol', email: 'carol@example.com' }, { decision: 'reject', reason: 'no' }, now),
      created.request,
    );
    expect(taskDeletes(transactionOf(rejected.sent))).toEqual([
      ['TASKS#bob@example.com', sortKey],
      ['TASKS#carol@example.com', sortKey],
    ]);
    const held = recordingClient();
    await new DynamoRequestStore(held.db, 'approvals').saveChange(
      decide(created.request, { id: 'carol', email: 'carol@example.com' }, { decision: 'hold' }, now),
      created.request,
    );
    expect(taskDeletes(transactionOf(held.sent))).toEqual([]);
  });
});

describe('the task list', () => {
  test("is a Query of the approver's partition, newest first, then a consistent read of each request", async () => {
    const { db, sent } = recordingClient((command) =>
      command instanceof QueryCommand
        ? {
            Items: [{ PK: 'TASKS#carol@example.com', SK: sortKey, type: 'task', requestId: id }],
            LastEvaluatedKey: { PK: 'TASKS#carol@example.com', SK: sortKey },
          }
        : { Item: { ...requestKey(id), doc: created.request } },
    );
    const page = await new DynamoTasks(db, 'approvals').tasksOf('Carol@Example.com', { limit: 1 });
    const query = sent[0] as QueryCommand;
    expect(query).toBeInstanceOf(QueryCommand);
    expect(query.input).toMatchObject({
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': 'TASKS#carol@example.com' },
      ScanIndexForward: false,
      Limit: 1,
    });
    expect(query.input.IndexName).toBeUndefined();
    expect(sent[1]).toBeInstanceOf(GetCommand);
    expect((sent[1] as GetCommand).input).toMatchObject({ Key: requestKey(id), ConsistentRead: true });
    expect(page.items.map((request) => request.id)).toEqual([id]);
    expect(page.nextCursor).toEqual(expect.any(String));
  });

  test('leaves out a request that is no longer open for the approver when read', async () => {
    const approvedByCarol = decide(created.request, { id: 'carol', email: 'carol@example.com' }, { decision: 'approve' }, now).request;
    const { db } = recordingClient((command) =>
      command instanceof QueryCommand
        ? { Items: [{ PK: 'TASKS#carol@example.com', SK: sortKey, requestId: id }] }
        : { Item: { ...requestKey(id), doc: approvedByCarol } },
    );
    expect(await new DynamoTasks(db, 'approvals').tasksOf('carol@example.com', { limit: 10 })).toEqual({ items: [], nextCursor: null });
  });
});
