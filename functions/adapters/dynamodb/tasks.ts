/**
 * The approvers' task lists: a Query of the approver's task partition (newest first), then the
 * requests it names, read strongly consistent. Task items are written with the request's
 * changes (requests.ts), so a request named here is pending and awaits this approver; one that
 * changed between the two reads is left out rather than shown stale.
 */
import { type DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { isOpenFor } from '../../domain/rules';
import type { SearchPage, TaskStore } from '../../usecases/ports';
import { toStored } from './items';
import { isCreatedSortKey, requestKey, taskPartition } from './keys';
import { decodePartitionCursor, encodePartitionCursor } from './pages';

export class DynamoTasks implements TaskStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async tasksOf(approverEmail: string, query: { limit: number; cursor?: string }): Promise<SearchPage> {
    const partition = taskPartition(approverEmail);
    const page = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': partition },
        ScanIndexForward: false,
        Limit: query.limit,
        ExclusiveStartKey: decodePartitionCursor(query.cursor, partition, isCreatedSortKey),
      }),
    );
    const requests = await Promise.all(
      (page.Items ?? []).map(async (task) => {
        const { Item } = await this.db.send(
          new GetCommand({ TableName: this.table, Key: requestKey(String(task.requestId)), ConsistentRead: true }),
        );
        return Item ? toStored(Item).request : undefined;
      }),
    );
    return {
      items: requests.filter((request) => request !== undefined && isOpenFor(request, approverEmail)) as SearchPage['items'],
      nextCursor: encodePartitionCursor(page.LastEvaluatedKey),
    };
  }
}
