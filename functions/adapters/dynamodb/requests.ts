/**
 * Requests in the table: the request item with its round bookkeeping, its history items beside
 * it, and idempotency records. Every change is one transaction, conditional on the version read.
 */
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { ApprovalRequest, HistoryEntry } from '../../domain/model';
import type { Change } from '../../domain/rules';
import { taskChanges } from '../../domain/tasks';
import type {
  CreateResult,
  HistoryStore,
  IdempotencyRecord,
  NewIdempotency,
  RequestStore,
  RoundBookkeeping,
  RoundStore,
  StoredRequest,
} from '../../usecases/ports';
import { historyItem, type Item, requestAttributes, taskItem, toStored } from './items';
import { historyPrefix, idempotencyKey, indexKeys, requestKey, taskKey } from './keys';

type TransactItems = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>;

export class DynamoRequestStore implements RequestStore, RoundStore, HistoryStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /**
   * Writes a new request, its first history entry, its approvers' task items and (if given) its
   * idempotency record in one transaction; `created: false` when the key exists already.
   */
  async createRequest(change: Change, idempotency?: NewIdempotency): Promise<CreateResult> {
    const { request } = change;
    const items: TransactItems = [
      {
        Put: {
          TableName: this.table,
          Item: { ...requestKey(request.id), ...requestAttributes(request) },
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
      { Put: { TableName: this.table, Item: historyItem(request.id, change.history) } },
    ];
    if (idempotency) {
      items.push({
        Put: {
          TableName: this.table,
          Item: {
            ...idempotencyKey(idempotency.sub, idempotency.key),
            type: 'idempotency',
            requestId: request.id,
            bodyHash: idempotency.bodyHash,
            expiresAtEpoch: idempotency.expiresAtEpoch,
          },
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      });
    }
    // After the idempotency record: the condition checks above keep their positions.
    items.push(...this.taskWrites(undefined, request));
    try {
      await this.db.send(new TransactWriteCommand({ TransactItems: items }));
      return { created: true };
    } catch (error) {
      if (idempotency && isConditionFailure(error, 2)) {
        const earlier = await this.getIdempotency(idempotency.sub, idempotency.key);
        if (earlier) return { created: false, earlier };
      }
      throw error;
    }
  }

  async getIdempotency(sub: string, key: string): Promise<IdempotencyRecord | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.table, Key: idempotencyKey(sub, key), ConsistentRead: true }),
    );
    if (!Item || (typeof Item.expiresAtEpoch === 'number' && Item.expiresAtEpoch * 1000 < Date.now())) return undefined;
    return { requestId: String(Item.requestId), bodyHash: String(Item.bodyHash) };
  }

  async getRequest(id: string): Promise<StoredRequest | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.table, Key: requestKey(id), ConsistentRead: true }));
    return Item ? toStored(Item) : undefined;
  }

  /** The request and its history (oldest first), read with one strongly consistent Query. */
  async getRequestWithHistory(id: string): Promise<{ request: ApprovalRequest; history: HistoryEntry[] } | undefined> {
    const items: Item[] = [];
    let start: Item | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'PK = :pk',
          ExpressionAttributeValues: { ':pk': requestKey(id).PK },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    const main = items.find((item) => item.SK === 'REQUEST');
    if (!main) return undefined;
    const history = items
      .filter((item) => String(item.SK).startsWith(historyPrefix))
      .sort((a, b) => String(a.SK).localeCompare(String(b.SK)))
      .map((item) => item.entry as HistoryEntry);
    return { request: toStored(main).request, history };
  }

  /**
   * Writes a change of a request, its history entry and the task items it opens or closes in one
   * transaction, on the condition that nobody changed the request since `previous` was read.
   */
  async saveChange(change: Change, previous: ApprovalRequest): Promise<'saved' | 'conflict'> {
    const { request } = change;
    const expectedVersion = previous.version;
    const keys = indexKeys(request);
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.table,
                Key: requestKey(request.id),
                UpdateExpression:
                  'SET #doc = :doc, #state = :state, #version = :version, GSI1PK = :g1pk, GSI1SK = :g1sk, GSI2PK = :g2pk, GSI2SK = :g2sk',
                ConditionExpression: '#version = :expected',
                ExpressionAttributeNames: { '#doc': 'doc', '#state': 'state', '#version': 'version' },
                ExpressionAttributeValues: {
                  ':doc': request,
                  ':state': request.state,
                  ':version': request.version,
                  ':expected': expectedVersion,
                  ':g1pk': keys.GSI1PK,
                  ':g1sk': keys.GSI1SK,
                  ':g2pk': keys.GSI2PK,
                  ':g2sk': keys.GSI2SK,
                },
              },
            },
            { Put: { TableName: this.table, Item: historyItem(request.id, change.history) } },
            ...this.taskWrites(previous, request),
          ],
        }),
      );
      return 'saved';
    } catch (error) {
      if (isConditionFailure(error, 0)) return 'conflict';
      throw error;
    }
  }

  /** The task items a change opens (Put) and closes (Delete): see domain/tasks.ts. */
  private taskWrites(before: ApprovalRequest | undefined, after: ApprovalRequest): TransactItems {
    const { opened, closed } = taskChanges(before, after);
    return [
      ...opened.map((email) => ({ Put: { TableName: this.table, Item: taskItem(email, after) } })),
      ...closed.map((email) => ({ Delete: { TableName: this.table, Key: taskKey(email, after) } })),
    ];
  }

  /** Adds a history entry that does not change the request (a notification, a callback). */
  async appendHistory(id: string, entry: HistoryEntry): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.table, Item: historyItem(id, entry) }));
  }

  async setRoundBookkeeping(id: string, fields: RoundBookkeeping, options: { whilePending?: boolean } = {}): Promise<boolean> {
    const entries = Object.entries(fields).filter(([, value]) => value !== undefined);
    if (entries.length === 0) return true;
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
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: requestKey(id),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}

/** Whether a transaction was cancelled because the condition of its item number `index` failed. */
function isConditionFailure(error: unknown, index: number): boolean {
  return error instanceof TransactionCanceledException && error.CancellationReasons?.[index]?.Code === 'ConditionalCheckFailed';
}
