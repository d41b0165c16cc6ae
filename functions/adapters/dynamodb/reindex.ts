/**
 * Moves stored requests to the by-state index partition that their id has under STATE_SHARDS.
 * A table written while the index had 8 shards holds about half of its requests in shards 4–7,
 * which searches no longer read; each is moved to shard `s % 4`, where a search finds it again.
 *
 * Safe while the service runs, and idempotent: every move is an UpdateItem conditional on the
 * key it read, so a request changed meanwhile (whose change wrote the right key itself) is left
 * as it is. It touches only the index key: no version, document or history changes.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { State } from '../../domain/model';
import type { Item } from './items';
import { requestIdOf, STATE_SHARDS, shardOf, statePartition } from './keys';

/** UpdateItems in flight at once per scan segment. */
const MOVES_AT_ONCE = 10;
const STATE_PARTITION = /^STATE#(.+)#(\d+)$/;

export interface ReindexResult {
  /** Request items read. */
  scanned: number;
  /** Request items whose by-state key was moved to its shard. */
  moved: number;
}

/** The by-state partition key a stored request item belongs in, or undefined when it has the right one (or none). */
function expectedStatePartition(item: Item): string | undefined {
  const match = STATE_PARTITION.exec(String(item.GSI1PK ?? ''));
  if (!match) return undefined;
  const expected = statePartition(match[1] as State, shardOf(requestIdOf(item), STATE_SHARDS));
  return expected === item.GSI1PK ? undefined : expected;
}

/** Scans the table's request items (in `segments` parallel segments) and moves each whose by-state key is off its shard. */
export async function reindexStateShards(
  db: DynamoDBDocumentClient,
  table: string,
  options: { segments?: number } = {},
): Promise<ReindexResult> {
  const segments = options.segments ?? 4;
  const totals: ReindexResult = { scanned: 0, moved: 0 };
  await Promise.all(
    Array.from({ length: segments }, async (_, segment) => {
      let start: Item | undefined;
      do {
        const page = await db.send(
          new ScanCommand({
            TableName: table,
            Segment: segment,
            TotalSegments: segments,
            ProjectionExpression: 'PK, SK, GSI1PK',
            FilterExpression: 'SK = :request AND begins_with(GSI1PK, :state)',
            ExpressionAttributeValues: { ':request': 'REQUEST', ':state': 'STATE#' },
            ExclusiveStartKey: start,
          }),
        );
        const items = page.Items ?? [];
        totals.scanned += items.length;
        const moves = items.flatMap((item) => {
          const expected = expectedStatePartition(item);
          return expected ? [{ item, expected }] : [];
        });
        for (let at = 0; at < moves.length; at += MOVES_AT_ONCE) {
          const moved = await Promise.all(moves.slice(at, at + MOVES_AT_ONCE).map(({ item, expected }) => move(db, table, item, expected)));
          totals.moved += moved.filter(Boolean).length;
        }
        start = page.LastEvaluatedKey;
      } while (start);
    }),
  );
  return totals;
}

async function move(db: DynamoDBDocumentClient, table: string, item: Item, expected: string): Promise<boolean> {
  try {
    await db.send(
      new UpdateCommand({
        TableName: table,
        Key: { PK: item.PK, SK: item.SK },
        UpdateExpression: 'SET GSI1PK = :expected',
        ConditionExpression: 'GSI1PK = :read',
        ExpressionAttributeValues: { ':expected': expected, ':read': item.GSI1PK },
      }),
    );
    return true;
  } catch (error) {
    // Changed since the scan: its change wrote the key of its new state, in the right shard.
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}
