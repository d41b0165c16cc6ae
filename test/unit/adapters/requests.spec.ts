import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, type GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoHistory } from '../../../functions/adapters/dynamodb/history';
import { DynamoRoundBookkeeping } from '../../../functions/adapters/dynamodb/rounds';
import { Repository } from '../../../functions/adapters/dynamodb/repository';
import { DynamoRequestStore } from '../../../functions/adapters/dynamodb/requests';
import type { ApprovalRequest } from '../../../functions/domain/model';
import type { Change } from '../../../functions/domain/rules';
import { changeRequest } from '../../../functions/lifecycle/change';
import { FakeClock, RecordingMeter, RecordingWorkflow } from '../../helpers/memory/memory-store';

const ID = '00000000-0000-4000-8000-000000000001';
const AT = '2026-11-03T10:00:00.000Z';
const request: ApprovalRequest = {
  id: ID,
  kind: 'card.request',
  profileId: 'cards',
  state: 'requested',
  subject: { holderId: 'E-1', cardProfile: 'PIV' },
  requester: { id: 'alice', email: 'alice@example.com' },
  approvers: ['bob@example.com'],
  requiredApprovals: 1,
  approvals: [],
  onHold: false,
  remindAfter: 'PT1H',
  expireAfter: 'P2D',
  maxReminders: 5,
  createdAt: AT,
  updatedAt: AT,
  expiresAt: '2026-11-05T10:00:00.000Z',
  version: 1,
};
const change: Change = { request: { ...request, version: 2, onHold: true }, history: { at: AT, type: 'held', actor: { id: 'bob' } } };

const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });

/** A document client whose every call is answered by `answer`, recording the commands sent. */
function fakeClient(answer: (command: unknown) => unknown) {
  const sent: unknown[] = [];
  const client = {
    send: async (command: unknown) => {
      sent.push(command);
      const result = answer(command);
      if (result instanceof Error) throw result;
      return result;
    },
  } as unknown as DynamoDBDocumentClient;
  return { client, sent };
}

describe('the DynamoDB request store', () => {
  test('a transaction cancelled by TransactionConflict is a conflict, like a failed version condition', async () => {
    const { client } = fakeClient(() => cancelled('TransactionConflict', 'None'));
    await expect(new DynamoRequestStore(client, 'approvals').saveChange(change, request)).resolves.toBe('conflict');
    const { client: versioned } = fakeClient(() => cancelled('ConditionalCheckFailed', 'None'));
    await expect(new DynamoRequestStore(versioned, 'approvals').saveChange(change, request)).resolves.toBe('conflict');
  });

  test('any other failure is not taken for a conflict', async () => {
    const { client } = fakeClient(() => cancelled('ValidationError', 'None'));
    await expect(new DynamoRequestStore(client, 'approvals').saveChange(change, request)).rejects.toBeInstanceOf(
      TransactionCanceledException,
    );
  });

  test('a decision that keeps meeting TransactionConflict is retried and ends as a 409 conflict, never an unknown error', async () => {
    const { client, sent } = fakeClient((command) =>
      command instanceof TransactWriteCommand
        ? cancelled('TransactionConflict', 'None')
        : { Item: { PK: `REQ#${ID}`, SK: 'REQUEST', doc: request, version: 1 } },
    );
    const deps = {
      repository: new Repository(client, 'approvals'),
      workflow: new RecordingWorkflow(),
      now: new FakeClock(AT).now,
      meter: new RecordingMeter(),
    };
    await expect(changeRequest(deps, ID, () => change)).rejects.toMatchObject({ code: 'conflict' });
    expect(sent.filter((command) => command instanceof TransactWriteCommand)).toHaveLength(5);
  });

  test('a create whose idempotency record meets TransactionConflict is a conflict when no record can be read yet', async () => {
    const { client } = fakeClient((command) =>
      command instanceof TransactWriteCommand ? cancelled('None', 'None', 'TransactionConflict') : {},
    );
    const idempotency = { sub: 'alice', key: 'k', requestId: ID, bodyHash: 'h', expiresAtEpoch: 2_000_000_000 };
    await expect(new DynamoRequestStore(client, 'approvals').createRequest({ ...change, request }, idempotency)).rejects.toMatchObject({
      code: 'conflict',
    });
  });

  test('a history page queries at most one entry more than it returns, never the whole collection', async () => {
    const { client, sent } = fakeClient(() => ({ Items: [] }));
    await new DynamoHistory(client, 'approvals').getHistory(ID, { limit: 100 });
    const query = sent[0] as QueryCommand;
    expect(query).toBeInstanceOf(QueryCommand);
    expect(query.input).toMatchObject({
      Limit: 101,
      ConsistentRead: true,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :history)',
    });
    expect(sent).toHaveLength(1);
  });

  test('a request with a short history and its first page come from one Query of its partition, with no GetItem', async () => {
    const history = [1, 2, 3].map((n) => ({ PK: `REQ#${ID}`, SK: `HISTORY#${AT}#0000000${n}`, type: 'history', entry: { n } }));
    const { client, sent } = fakeClient(() => ({ Items: [...history, { PK: `REQ#${ID}`, SK: 'REQUEST', doc: request, version: 1 }] }));
    const found = await new DynamoHistory(client, 'approvals').getRequestWithHistory(ID, { limit: 100 });
    expect(found?.stored.request).toEqual(request);
    expect(found?.history).toEqual({ items: [{ n: 1 }, { n: 2 }, { n: 3 }], nextCursor: null });
    expect(sent).toHaveLength(1);
    expect((sent[0] as QueryCommand).input).toEqual({
      TableName: 'approvals',
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': `REQ#${ID}` },
      ConsistentRead: true,
      Limit: 102,
    });
  });

  test('a history longer than the page: the page, its cursor, and the request read on its own', async () => {
    const history = Array.from({ length: 4 }, (_, n) => ({ PK: `REQ#${ID}`, SK: `HISTORY#${AT}#0000000${n}`, entry: { n } }));
    const { client, sent } = fakeClient((command) =>
      command instanceof QueryCommand
        ? { Items: history, LastEvaluatedKey: { PK: `REQ#${ID}`, SK: history[3]?.SK } }
        : { Item: { PK: `REQ#${ID}`, SK: 'REQUEST', doc: request, version: 1 } },
    );
    const found = await new DynamoHistory(client, 'approvals').getRequestWithHistory(ID, { limit: 2 });
    expect(found?.stored.request).toEqual(request);
    expect(found?.history.items).toEqual([{ n: 0 }, { n: 1 }]);
    expect(found?.history.nextCursor).toBe(Buffer.from(String(history[1]?.SK)).toString('base64url'));
    expect(sent.map((command) => (command as object).constructor.name)).toEqual(['QueryCommand', 'GetCommand']);
    expect((sent[1] as GetCommand).input).toMatchObject({ Key: { PK: `REQ#${ID}`, SK: 'REQUEST' }, ConsistentRead: true });
  });

  test('a request that does not exist is undefined, after one Query', async () => {
    const { client, sent } = fakeClient(() => ({ Items: [] }));
    await expect(new DynamoHistory(client, 'approvals').getRequestWithHistory(ID, { limit: 100 })).resolves.toBeUndefined();
    expect(sent).toHaveLength(1);
  });

  test('a history cursor this store did not return is an invalid_request error, and nothing is read', async () => {
    const { client, sent } = fakeClient(() => ({ Items: [] }));
    for (const cursor of ['%%%', Buffer.from('REQUEST').toString('base64url'), Buffer.from('HISTORY#x').toString('base64url')]) {
      await expect(new DynamoHistory(client, 'approvals').getHistory(ID, { limit: 10, cursor })).rejects.toMatchObject({
        code: 'invalid_request',
      });
    }
    expect(sent).toEqual([]);
  });
});

describe("a round's bookkeeping with its history entry", () => {
  const entry = { at: AT, type: 'notified' as const, actor: { id: 'workflow' }, details: { recipients: ['bob@example.com'] } };

  test('one transaction of the request update and the entry; tried again while it meets a decision’s transaction', async () => {
    let conflicts = 2;
    const { client, sent } = fakeClient(() => (conflicts-- > 0 ? cancelled('TransactionConflict', 'None') : {}));
    await expect(
      new DynamoRoundBookkeeping(client, 'approvals').setRoundBookkeeping(ID, { notifiedAt: AT }, { history: entry }),
    ).resolves.toBe(true);
    expect(sent).toHaveLength(3);
    const items = (sent[2] as TransactWriteCommand).input.TransactItems;
    expect(items?.map((item) => Object.keys(item)[0])).toEqual(['Update', 'Put']);
    expect(items?.[1]?.Put?.Item).toMatchObject({ PK: `REQ#${ID}`, type: 'history', entry });
  });

  test('a conflict that does not clear is an error after a few attempts; the entry is not written alone', async () => {
    const { client, sent } = fakeClient(() => cancelled('TransactionConflict', 'None'));
    await expect(
      new DynamoRoundBookkeeping(client, 'approvals').setRoundBookkeeping(ID, { notifiedAt: AT }, { history: entry }),
    ).rejects.toBeInstanceOf(TransactionCanceledException);
    expect(sent.map((command) => (command as object).constructor.name)).toEqual(Array(4).fill('TransactWriteCommand'));
  });

  test('a refused condition (the request ended) writes the entry alone and answers false', async () => {
    const { client, sent } = fakeClient((command) =>
      command instanceof TransactWriteCommand ? cancelled('ConditionalCheckFailed', 'None') : {},
    );
    await expect(
      new DynamoRoundBookkeeping(client, 'approvals').setRoundBookkeeping(ID, { reminders: 1 }, { whilePending: true, history: entry }),
    ).resolves.toBe(false);
    expect(sent.map((command) => (command as object).constructor.name)).toEqual(['TransactWriteCommand', 'PutCommand']);
  });
});
