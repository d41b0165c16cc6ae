import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoSearch } from '../../../functions/adapters/dynamodb/search';

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
    const other = cursor({ f: 'approved|*|*', p: Array.from({ length: 8 }, () => null) });
    await expect(search.search({ state: 'requested', limit: 10, cursor: other })).rejects.toMatchObject({
      code: 'invalid_request',
      details: [{ field: 'cursor', message: 'does not match state, kind, profile or requester' }],
    });
  });
});
