/**
 * The workflow's bookkeeping on a request item (task token, notification and reminder times, the
 * due check `checkAt` as the sparse byDue index's key) and the reconciler's read of that index.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DueStore, RoundBookkeeping, RoundStore } from '../../usecases/ports';
import { DUE_SHARDS, dueKeys, duePartition, dueUntil, requestIdOf, requestKey } from './keys';
import { DUE_INDEX } from './schema';

export class DynamoRoundBookkeeping implements Pick<RoundStore, 'setRoundBookkeeping'>, DueStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async setRoundBookkeeping(id: string, fields: RoundBookkeeping, options: { whilePending?: boolean } = {}): Promise<boolean> {
    const { checkAt, ...rest } = fields;
    const entries: Array<[string, unknown]> = Object.entries(rest).filter(([, value]) => value !== undefined);
    if (checkAt) entries.push(...Object.entries(dueKeys(id, checkAt)));
    const removes = checkAt === null ? ['GSI3PK', 'GSI3SK'] : [];
    if (entries.length === 0 && removes.length === 0) return true;
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const sets = entries.map(([name, value], index) => {
      names[`#f${index}`] = name;
      values[`:f${index}`] = value;
      return `#f${index} = :f${index}`;
    });
    let condition = 'attribute_exists(PK)';
    if (options.whilePending) {
      names['#state'] = 'state';
      values[':requested'] = 'requested';
      condition += ' AND #state = :requested';
    }
    const update = [sets.length ? `SET ${sets.join(', ')}` : '', removes.length ? `REMOVE ${removes.join(', ')}` : '']
      .filter(Boolean)
      .join(' ');
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: requestKey(id),
          UpdateExpression: update,
          ConditionExpression: condition,
          ExpressionAttributeNames: Object.keys(names).length ? names : undefined,
          ExpressionAttributeValues: Object.keys(values).length ? values : undefined,
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /** Due checks from every shard of the sparse byDue index (keys only), oldest first. */
  async dueRequests(now: string, limit: number): Promise<string[]> {
    const shards = await Promise.all(
      Array.from({ length: DUE_SHARDS }, async (_, shard) => {
        const result = await this.db.send(
          new QueryCommand({
            TableName: this.table,
            IndexName: DUE_INDEX.indexName,
            KeyConditionExpression: '#pk = :pk AND #sk <= :until',
            ExpressionAttributeNames: { '#pk': DUE_INDEX.partitionKey, '#sk': DUE_INDEX.sortKey },
            ExpressionAttributeValues: { ':pk': duePartition(shard), ':until': dueUntil(now) },
            Limit: limit,
          }),
        );
        return result.Items ?? [];
      }),
    );
    return shards
      .flat()
      .sort((a, b) => String(a[DUE_INDEX.sortKey]).localeCompare(String(b[DUE_INDEX.sortKey])))
      .slice(0, limit)
      .map(requestIdOf);
  }
}
