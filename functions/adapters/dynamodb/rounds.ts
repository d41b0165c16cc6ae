/**
 * The workflow's bookkeeping on a request item (task token, notification and reminder times, the
 * due check `checkAt` as the sparse byDue index's key) and the reconciler's read of that index.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { BookkeepingOptions, DueStore, RoundBookkeeping, RoundStore } from '../../usecases/ports';
import { historyItems } from './items';
import { DUE_SHARDS, dueKeys, duePartition, dueUntil, requestIdOf, requestKey } from './keys';
import { DUE_INDEX } from './schema';
import { isConditionFailure, isTransactionConflict, type TransactItems } from './transactions';

/** How often a bookkeeping transaction is tried while it meets another transaction on the request item. */
const CONFLICT_ATTEMPTS = 4;

export class DynamoRoundBookkeeping implements Pick<RoundStore, 'setRoundBookkeeping'>, DueStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /**
   * One UpdateItem of the request item; with `history`, a transaction that also puts the entry
   * (both or neither). When the condition refuses the bookkeeping, the entry is put on its own.
   */
  async setRoundBookkeeping(id: string, fields: RoundBookkeeping, options: BookkeepingOptions = {}): Promise<boolean> {
    const update = this.bookkeepingUpdate(id, fields, options);
    const entries = [options.history].flat().filter((entry) => entry !== undefined);
    const puts = historyItems(id, entries).map((Item) => ({ Put: { TableName: this.table, Item } }));
    // The entries alone: one PutItem, or one transaction for several.
    const putEntries = async () => {
      if (puts.length === 1 && puts[0]) await this.db.send(new PutCommand(puts[0].Put));
      else if (puts.length > 1) await this.transact(puts);
    };
    try {
      if (!update) {
        await putEntries();
        return true;
      }
      if (puts.length > 0) await this.transact([{ Update: update }, ...puts]);
      else await this.db.send(new UpdateCommand(update));
      return true;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException || isConditionFailure(error, 0))) throw error;
      await putEntries();
      return false;
    }
  }

  /**
   * A transaction, tried again while it meets another one on the request item (TransactionConflict:
   * a decision's transaction at the same moment), which DynamoDB asks callers to retry and the SDK
   * does not. The bookkeeping does not depend on the decision, so trying again is right.
   */
  private async transact(items: TransactItems): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.db.send(new TransactWriteCommand({ TransactItems: items }));
        return;
      } catch (error) {
        if (!isTransactionConflict(error) || attempt >= CONFLICT_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
      }
    }
  }

  /** The UpdateItem of the bookkeeping's fields (undefined: nothing to write). */
  private bookkeepingUpdate(id: string, fields: RoundBookkeeping, options: BookkeepingOptions) {
    const { checkAt, ...rest } = fields;
    const entries: Array<[string, unknown]> = Object.entries(rest).filter(([, value]) => value !== undefined);
    if (checkAt) entries.push(...Object.entries(dueKeys(id, checkAt)));
    const removes = checkAt === null ? ['GSI3PK', 'GSI3SK'] : [];
    if (entries.length === 0 && removes.length === 0) return undefined;
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
    return {
      TableName: this.table,
      Key: requestKey(id),
      UpdateExpression: [sets.length ? `SET ${sets.join(', ')}` : '', removes.length ? `REMOVE ${removes.join(', ')}` : '']
        .filter(Boolean)
        .join(' '),
      ConditionExpression: condition,
      ExpressionAttributeNames: Object.keys(names).length ? names : undefined,
      ExpressionAttributeValues: Object.keys(values).length ? values : undefined,
    };
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
