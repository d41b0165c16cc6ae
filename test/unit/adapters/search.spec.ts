import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, type QueryCommand } from '@aws-sdk/lib-dynamodb';
import { indexKeys, STATE_SHARDS, shardOf } from '../../../functions/adapters/dynamodb/keys';
import { DynamoSearch } from '../../../functions/adapters/dynamodb/search';
import { pendingRequest } from '../../helpers/memory/requests';

// The cursor is checked before any call to the table, so this client is never used.
const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1', endpoint: 'http://127.0.0.1:9' }));
const search = new DynamoSearch(client, 'approvals');
const cursor = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('a search cursor', () => {
  test.each([
    ['not base64 JSON', '%%%'],
    ['JSON of another shape', cursor({ x: 1 })],
    ['a position per partition of another search', cursor({ f: 'requested|*|*', p: [null] })],
  ])('that is %s is an invalid_request domain error naming the cursor', async (_case, value) => {
    await expect(search.search({ state: 'requested', limit: 10, cursor: value })).rejects.toMatchObject({
      code: 'invalid_request',
      details: [{ field: 'cursor', message: 'is malformed' }],
    });
  });

  test('from a search with other filters is refused', async () => {
    const other = cursor({ f: 'approved|*|*', p: Array.from({ length: STATE_SHARDS }, () => null) });
    await expect(search.search({ state: 'requested', limit: 10, cursor: other })).rejects.toMatchObject({
      code: 'invalid_request',
      details: [{ field: 'cursor', message: 'does not match state, kind, profile or requester' }],
    });
  });
});

/**
 * A stand-in for the by-state index that answers the Queries this search makes (partition key
 * equality, `sort key < :after`, newest first, Limit, ExclusiveStartKey) and counts them.
 */
function stateIndex(requests: Array<{ id: string; createdAt: string }>) {
  const items = requests.map((request) => ({
    doc: { ...pendingRequest({ id: request.id, createdAt: request.createdAt }) },
    ...indexKeys({ ...pendingRequest({ id: request.id, createdAt: request.createdAt }) }),
  }));
  const queries: Array<{ pk: string; limit: number }> = [];
  const db = {
    send: async (command: QueryCommand) => {
      const input = command.input;
      const pk = String(input.ExpressionAttributeValues?.[':pk']);
      const after = input.ExpressionAttributeValues?.[':after'] as string | undefined;
      const start = input.ExclusiveStartKey?.GSI1SK as string | undefined;
      queries.push({ pk, limit: input.Limit ?? 0 });
      const matches = items
        .filter((item) => item.GSI1PK === pk && (!after || item.GSI1SK < after) && (!start || item.GSI1SK < start))
        .sort((a, b) => b.GSI1SK.localeCompare(a.GSI1SK));
      const page = matches.slice(0, input.Limit);
      const more = matches.length > page.length;
      return { Items: page, LastEvaluatedKey: more ? { GSI1SK: page.at(-1)?.GSI1SK } : undefined };
    },
  };
  return { db: db as unknown as DynamoDBDocumentClient, queries };
}

describe('a first page of a state search', () => {
  // 400 requested requests, one a minute, spread over the shards by their ids.
  const requests = Array.from({ length: 400 }, (_, index) => ({
    id: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
    createdAt: new Date(Date.UTC(2026, 10, 3) + index * 60_000).toISOString(),
  }));
  const newest = [...requests].reverse();

  test.each([20, 50, 100])('of %i holds the newest requests and asks each shard once', async (limit) => {
    const { db, queries } = stateIndex(requests);
    const page = await new DynamoSearch(db, 'approvals').search({ state: 'requested', limit });
    expect(page.items.map((request) => request.id)).toEqual(newest.slice(0, limit).map((request) => request.id));
    expect(queries).toHaveLength(STATE_SHARDS);
    expect(new Set(queries.map((query) => query.pk)).size).toBe(STATE_SHARDS);
  });

  test('asks a shard again when its share was not enough, and still holds the newest requests', async () => {
    // Every one of the newest 20 is in one shard: the first share of that shard cannot fill the page.
    const stored = requests.filter((request, index) => shardOf(request.id, STATE_SHARDS) === 0 || index < 40);
    const { db, queries } = stateIndex(stored);
    const page = await new DynamoSearch(db, 'approvals').search({ state: 'requested', limit: 20 });
    const expected = [...stored].reverse().slice(0, 20);
    expect(expected.every((request) => shardOf(request.id, STATE_SHARDS) === 0)).toBe(true);
    expect(page.items.map((request) => request.id)).toEqual(expected.map((request) => request.id));
    expect(queries.length).toBeGreaterThan(STATE_SHARDS);
  });
});

describe('a filter that few rows pass (DynamoDB applies it after Limit)', () => {
  /** The by-requester index as DynamoDB answers: key condition, newest first, Limit, then the filter on kind. */
  function requesterIndex(requests: Array<{ id: string; createdAt: string; kind: string }>) {
    const items = requests.map((request) => ({
      doc: { ...pendingRequest({ id: request.id, createdAt: request.createdAt }), kind: request.kind },
      ...indexKeys(pendingRequest({ id: request.id, createdAt: request.createdAt })),
    }));
    const db = {
      send: async (command: QueryCommand) => {
        const values = command.input.ExpressionAttributeValues ?? {};
        const upper = values[':upper'] as string | undefined;
        const start = command.input.ExclusiveStartKey?.GSI2SK as string | undefined;
        const inRange = items
          .filter((item) => item.GSI2PK === values[':pk'] && (!upper || item.GSI2SK < upper) && (!start || item.GSI2SK < start))
          .sort((a, b) => b.GSI2SK.localeCompare(a.GSI2SK));
        const read = inRange.slice(0, command.input.Limit);
        const last = read.at(-1);
        return {
          Items: read.filter((item) => !values[':kind'] || item.doc.kind === values[':kind']),
          LastEvaluatedKey: inRange.length > read.length && last ? { GSI2PK: last.GSI2PK, GSI2SK: last.GSI2SK } : undefined,
        };
      },
    };
    return db as unknown as DynamoDBDocumentClient;
  }

  test('past more non-matching rows than a page reads, the pages move on and reach every match, then end', async () => {
    const at = (minute: number) => new Date(Date.UTC(2026, 10, 3) + minute * 60_000).toISOString();
    const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
    // Five locks, then 300 newer card requests by the same requester.
    const requests = [
      ...Array.from({ length: 5 }, (_, n) => ({ id: id(n), createdAt: at(n), kind: 'card.lock' })),
      ...Array.from({ length: 300 }, (_, n) => ({ id: id(100 + n), createdAt: at(10 + n), kind: 'card.request' })),
    ];
    const search = new DynamoSearch(requesterIndex(requests), 'approvals');
    const found: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 20; page++) {
      const result = await search.search({ requesterId: 'alice', kind: 'card.lock', limit: 20, cursor });
      found.push(...result.items.map((item) => item.id));
      expect(result.nextCursor).not.toBe(cursor);
      if (!result.nextCursor) break;
      cursor = result.nextCursor;
    }
    expect(found).toEqual([4, 3, 2, 1, 0].map(id));
  });
});
