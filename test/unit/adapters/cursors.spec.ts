/**
 * Every cursor is decoded and checked in one place (adapters/dynamodb/pages.ts) before a Query is
 * sent: a forged cursor is an invalid_request error (400) and nothing reaches the table, where an
 * empty or foreign key would be a ValidationException (a 500). DynamoDB Local answers the same
 * cursors on every route in test/integration/hostile-input.test.ts.
 */
import type { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { isCreatedSortKey, isProfileSortKey, STATE_SHARDS, taskPartition } from '../../../functions/adapters/dynamodb/keys';
import { decodePartitionCursor } from '../../../functions/adapters/dynamodb/pages';
import { DynamoProfileStore } from '../../../functions/adapters/dynamodb/profiles';
import { DynamoSearch } from '../../../functions/adapters/dynamodb/search';
import { DynamoTasks } from '../../../functions/adapters/dynamodb/tasks';

const encode = (value: unknown) => Buffer.from(JSON.stringify(value) ?? 'undefined').toString('base64url');
const sortKey = '2026-11-03T10:00:00.000Z#00000000-0000-4000-8000-000000000001';
const tasks = taskPartition('carol@example.com');

/** A client that records what it is asked and answers an empty page. */
function recordingClient() {
  const sent: QueryCommand[] = [];
  const db = {
    send: async (command: QueryCommand) => {
      sent.push(command);
      return { Items: [] };
    },
  } as unknown as DynamoDBDocumentClient;
  return { db, sent };
}

const forgedPartitionCursors = (partition: string): Array<[string, string]> => [
  ['an empty sort key', encode({ p: partition, s: '' })],
  ['a sort key of blanks', encode({ p: partition, s: '   ' })],
  ['a number for the sort key', encode({ p: partition, s: 7 })],
  ['null for the sort key', encode({ p: partition, s: null })],
  ['no sort key', encode({ p: partition })],
  ['an extra key attribute', encode({ p: partition, s: sortKey, GSI1PK: 'x' })],
  ['another partition', encode({ p: 'TASKS#dave@example.com', s: sortKey })],
  ['an empty partition', encode({ p: '', s: sortKey })],
  ['the request item of a request', encode({ p: partition, s: 'REQUEST' })],
  ['an array', encode([partition, sortKey])],
  ['not JSON', 'bm9wZQ'],
  ['not base64', '%%%'],
];

describe('a profiles cursor', () => {
  test.each(forgedPartitionCursors('PROFILES'))('with %s is an invalid_request error and no Query is sent', async (_case, cursor) => {
    const { db, sent } = recordingClient();
    await expect(new DynamoProfileStore(db, 'approvals').listProfiles({ limit: 5, cursor })).rejects.toMatchObject({
      code: 'invalid_request',
      details: [{ field: 'cursor', message: 'is malformed' }],
    });
    expect(sent).toEqual([]);
  });

  test('that a profiles page returned is accepted as the start key', async () => {
    const { db, sent } = recordingClient();
    await new DynamoProfileStore(db, 'approvals').listProfiles({ limit: 5, cursor: encode({ p: 'PROFILES', s: 'PROFILE#cards' }) });
    expect(sent[0]?.input.ExclusiveStartKey).toEqual({ PK: 'PROFILES', SK: 'PROFILE#cards' });
  });

  test('outside the profiles (a sort key without the PROFILE# prefix) is refused', async () => {
    const { db } = recordingClient();
    const cursor = encode({ p: 'PROFILES', s: 'PROFILE#' });
    await expect(new DynamoProfileStore(db, 'approvals').listProfiles({ limit: 5, cursor })).rejects.toMatchObject({
      code: 'invalid_request',
    });
  });
});

describe('a tasks cursor', () => {
  test.each(forgedPartitionCursors(tasks))('with %s is an invalid_request error and no Query is sent', async (_case, cursor) => {
    const { db, sent } = recordingClient();
    await expect(new DynamoTasks(db, 'approvals').tasksOf('carol@example.com', { limit: 5, cursor })).rejects.toMatchObject({
      code: 'invalid_request',
    });
    expect(sent).toEqual([]);
  });

  test('that a tasks page returned is accepted as the start key', async () => {
    const { db, sent } = recordingClient();
    await new DynamoTasks(db, 'approvals').tasksOf('carol@example.com', { limit: 5, cursor: encode({ p: tasks, s: sortKey }) });
    expect(sent[0]?.input.ExclusiveStartKey).toEqual({ PK: tasks, SK: sortKey });
  });
});

describe('a search cursor', () => {
  const positions = (position: unknown) => Array.from({ length: STATE_SHARDS }, (_, index) => (index === 0 ? position : null));
  test.each([
    ['an empty position', positions('')],
    ['a position of blanks', positions(' ')],
    ['a position that is no sort key', positions('REQUEST')],
    ['a number other than the end mark', positions(1)],
    ['an object', positions({ GSI1SK: sortKey })],
  ])('with %s is an invalid_request error and no Query is sent', async (_case, p) => {
    const { db, sent } = recordingClient();
    await expect(
      new DynamoSearch(db, 'approvals').search({ state: 'requested', limit: 5, cursor: encode({ f: 'requested|*|*', p }) }),
    ).rejects.toMatchObject({
      code: 'invalid_request',
    });
    expect(sent).toEqual([]);
  });

  test('with a sort key position queries after it', async () => {
    const { db, sent } = recordingClient();
    await new DynamoSearch(db, 'approvals').search({
      state: 'requested',
      limit: 5,
      cursor: encode({ f: 'requested|*|*', p: positions(sortKey) }),
    });
    expect(sent.map((command) => command.input.ExpressionAttributeValues?.[':upper'])).toContain(sortKey);
  });
});

describe('property: whatever a cursor holds, it is refused or it names a well-formed key of the right partition', () => {
  const sortKeyLike = fc.oneof(fc.string(), fc.constant(sortKey), fc.constant('PROFILE#cards'), fc.constant(''), fc.anything());
  const content = fc.oneof(
    fc.anything(),
    fc.record({ p: fc.oneof(fc.constant('PROFILES'), fc.constant(tasks), fc.anything()), s: sortKeyLike }),
  );
  const cursor = fc.oneof(content.map(encode), fc.string(), fc.base64String());

  test.each([
    ['profiles', 'PROFILES', isProfileSortKey],
    ['tasks', tasks, isCreatedSortKey],
  ] as const)('%s', (_list, partition, isSortKey) => {
    fc.assert(
      fc.property(cursor, (value) => {
        let key: { PK: string; SK: string } | undefined;
        try {
          key = decodePartitionCursor(value, partition, isSortKey);
        } catch (error) {
          expect(error).toMatchObject({ code: 'invalid_request' });
          return;
        }
        expect(key?.PK).toBe(partition);
        expect(typeof key?.SK).toBe('string');
        expect(key?.SK.trim()).not.toBe('');
        expect(isSortKey(key?.SK ?? '')).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});
