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
import { conflict } from '../../domain/errors';
import type { ApprovalRequest, HistoryEntry } from '../../domain/model';
import type { Change } from '../../domain/rules';
import { findKeys } from '../../domain/find';
import { taskChanges } from '../../domain/tasks';
import type {
  CreateResult,
  DueStore,
  HistoryPage,
  HistoryQuery,
  HistoryStore,
  IdempotencyRecord,
  NewIdempotency,
  RequestStore,
  RoundBookkeeping,
  RoundStore,
  SaveOptions,
  StoredRequest,
} from '../../usecases/ports';
import { findItem, historyItem, requestAttributes, taskItem, toStored } from './items';
import {
  dueKeys,
  duePartition,
  dueUntil,
  historyCursor,
  historyCursorKey,
  historyPrefix,
  idempotencyKey,
  indexKeys,
  requestIdOf,
  requestKey,
  DUE_SHARDS,
  taskKey,
} from './keys';
import { DUE_INDEX } from './schema';

type TransactItems = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>;

export class DynamoRequestStore implements RequestStore, Pick<RoundStore, 'setRoundBookkeeping'>, HistoryStore, DueStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /**
   * Writes a new request, its first history entry, its approvers' task items, its find entries and
   * (if given) its idempotency record in one transaction; `created: false` when the key exists already.
   */
  async createRequest(change: Change, idempotency?: NewIdempotency, checkAt?: string): Promise<CreateResult> {
    const { request } = change;
    const items: TransactItems = [
      {
        Put: {
          TableName: this.table,
          Item: {
            ...requestKey(request.id),
            ...requestAttributes(request),
            approvalEmails: {},
            ...(checkAt ? dueKeys(request.id, checkAt) : {}),
          },
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
            sub: idempotency.sub,
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
    items.push(...findKeys(request).map((key) => ({ Put: { TableName: this.table, Item: findItem(key, request) } })));
    try {
      await this.db.send(new TransactWriteCommand({ TransactItems: items }));
      return { created: true };
    } catch (error) {
      if (idempotency && (isConditionFailure(error, 2) || isTransactionConflict(error))) {
        const earlier = await this.getIdempotency(idempotency.sub, idempotency.key);
        if (earlier) return { created: false, earlier };
      }
      if (isTransactionConflict(error))
        throw conflict('the request is being written by another call with the same Idempotency-Key; try again');
      throw error;
    }
  }

  async getIdempotency(sub: string, key: string): Promise<IdempotencyRecord | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.table, Key: idempotencyKey(sub, key), ConsistentRead: true }));
    if (!Item || (typeof Item.expiresAtEpoch === 'number' && Item.expiresAtEpoch * 1000 < Date.now())) return undefined;
    return {
      requestId: String(Item.requestId),
      bodyHash: String(Item.bodyHash),
      sub: String(Item.sub),
    };
  }

  async getRequest(id: string): Promise<StoredRequest | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.table, Key: requestKey(id), ConsistentRead: true }));
    return Item ? toStored(Item) : undefined;
  }

  /**
   * The request and the first page of its history in one strongly consistent Query of the
   * request's partition: its history items sort before the request item (`HISTORY#…` < `REQUEST`),
   * so a Query with `Limit` = page + 2 returns the page, one entry more (to know whether another
   * page follows) and, when the history fits, the request item itself. A longer history (or a
   * response cut at 1 MB) leaves the request item out: it is then read on its own (GetItem).
   * Undefined when the request does not exist.
   */
  async getRequestWithHistory(id: string, page: { limit: number }): Promise<{ stored: StoredRequest; history: HistoryPage } | undefined> {
    const key = requestKey(id);
    const result = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': key.PK },
        ConsistentRead: true,
        Limit: page.limit + 2,
      }),
    );
    const items = result.Items ?? [];
    const requestItem = items.find((item) => item.SK === key.SK);
    const history = this.historyPage(
      items.filter((item) => String(item.SK).startsWith(historyPrefix)),
      page.limit,
    );
    if (requestItem) return { stored: toStored(requestItem), history };
    if (!result.LastEvaluatedKey) return undefined;
    const stored = await this.getRequest(id);
    return stored && { stored, history };
  }

  /** A history page from the history items read (at most one more than `limit`, oldest first). */
  private historyPage(items: Array<Record<string, unknown>>, limit: number): HistoryPage {
    const entries = items.slice(0, limit);
    const last = entries[entries.length - 1];
    return {
      items: entries.map((item) => item.entry as HistoryEntry),
      nextCursor: items.length > limit && last ? historyCursor(String(last.SK)) : null,
    };
  }

  /**
   * One page of a request's history, oldest first: a strongly consistent Query of the request's
   * history items with `Limit`, so a page reads only its own entries (and one more, to know whether
   * another page follows), however long the history is.
   */
  async getHistory(id: string, page: HistoryQuery): Promise<HistoryPage> {
    const { PK } = requestKey(id);
    const after = page.cursor ? historyCursorKey(page.cursor) : undefined;
    const result = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: after ? 'PK = :pk AND SK > :after' : 'PK = :pk AND begins_with(SK, :history)',
        ExpressionAttributeValues: after ? { ':pk': PK, ':after': after } : { ':pk': PK, ':history': historyPrefix },
        ConsistentRead: true,
        Limit: page.limit + 1,
      }),
    );
    return this.historyPage(
      (result.Items ?? []).filter((item) => String(item.SK).startsWith(historyPrefix)),
      page.limit,
    );
  }

  /**
   * Writes a change of a request, its history entry and the task items it opens or closes in one
   * transaction, on the condition that nobody changed the request since `previous` was read (and,
   * with `sameTaskToken`, that the wait round's token is still the one read with it).
   */
  async saveChange(change: Change, previous: ApprovalRequest, checkAt?: string, options: SaveOptions = {}): Promise<'saved' | 'conflict'> {
    const { request } = change;
    const expectedVersion = previous.version;
    const keys = indexKeys(request);
    const due = checkAt ? dueKeys(request.id, checkAt) : undefined;
    const token = options.sameTaskToken;
    const tokenCondition = token === undefined ? '' : token === null ? ' AND attribute_not_exists(#token)' : ' AND #token = :token';
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.table,
                Key: requestKey(request.id),
                UpdateExpression:
                  'SET #doc = :doc, #state = :state, #version = :version, GSI1PK = :g1pk, GSI1SK = :g1sk, GSI2PK = :g2pk, GSI2SK = :g2sk' +
                  (due ? ', GSI3PK = :g3pk, GSI3SK = :g3sk' : ''),
                ConditionExpression: `#version = :expected${tokenCondition}`,
                ExpressionAttributeNames: {
                  '#doc': 'doc',
                  '#state': 'state',
                  '#version': 'version',
                  ...(token === undefined ? {} : { '#token': 'taskToken' }),
                },
                ExpressionAttributeValues: {
                  ...(token ? { ':token': token } : {}),
                  ':doc': request,
                  ':state': request.state,
                  ':version': request.version,
                  ':expected': expectedVersion,
                  ':g1pk': keys.GSI1PK,
                  ':g1sk': keys.GSI1SK,
                  ':g2pk': keys.GSI2PK,
                  ':g2sk': keys.GSI2SK,
                  ...(due ? { ':g3pk': due.GSI3PK, ':g3sk': due.GSI3SK } : {}),
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
      // Someone else's write won: a changed version, or another transaction on the same item at
      // the same moment (TransactionConflict). Either way the caller re-reads and re-applies.
      if (isConditionFailure(error, 0) || isTransactionConflict(error)) return 'conflict';
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

/** Whether a transaction was cancelled because another transaction was writing one of its items at the same time. */
function isTransactionConflict(error: unknown): boolean {
  return (
    error instanceof TransactionCanceledException &&
    (error.CancellationReasons ?? []).some((reason) => reason.Code === 'TransactionConflict')
  );
}

/** Whether a transaction was cancelled because the condition of its item number `index` failed. */
function isConditionFailure(error: unknown, index: number): boolean {
  return error instanceof TransactionCanceledException && error.CancellationReasons?.[index]?.Code === 'ConditionalCheckFailed';
}
