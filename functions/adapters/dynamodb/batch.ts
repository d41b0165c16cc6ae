/**
 * Writes many requests at once with BatchWriteItem (25 items per call, unprocessed items retried),
 * keys and attributes from the same modules as every other write. For bulk loads (imports, the
 * benchmark's seed of a large table); requests written this way start no workflow.
 */
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { findKeys } from '../../domain/find';
import type { ApprovalRequest, HistoryEntry } from '../../domain/model';
import { findItem, historyItem, type Item, requestAttributes } from './items';
import { requestKey } from './keys';

const BATCH_SIZE = 25;

export async function batchPutRequests(
  db: DynamoDBDocumentClient,
  table: string,
  requests: ReadonlyArray<{ request: ApprovalRequest; history?: HistoryEntry }>,
): Promise<void> {
  const items: Item[] = requests.flatMap(({ request, history }) => [
    { ...requestKey(request.id), ...requestAttributes(request) },
    ...(history ? [historyItem(request.id, history)] : []),
    ...findKeys(request).map((key) => findItem(key, request)),
  ]);
  for (let start = 0; start < items.length; start += BATCH_SIZE) {
    let writes = items.slice(start, start + BATCH_SIZE).map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; writes.length > 0; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 20 * 2 ** attempt)));
      const result = await db.send(new BatchWriteCommand({ RequestItems: { [table]: writes } }));
      writes = (result.UnprocessedItems?.[table] ?? []) as typeof writes;
      if (attempt > 10 && writes.length > 0)
        throw new Error(`BatchWriteItem left ${writes.length} items unprocessed after ${attempt} attempts`);
    }
  }
}
