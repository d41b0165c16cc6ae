/**
 * Requests in the table: the request item, its first history entry and task and find items, and
 * idempotency records. Every change is one transaction, conditional on the version read. The
 * history's reads are in history.ts, the workflow's bookkeeping on the item in rounds.ts.
 */
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { conflict } from '../../domain/errors';
import type { ApprovalRequest } from '../../domain/model';
import type { Change } from '../../domain/rules';
import { findKeys } from '../../domain/find';
import { taskChanges } from '../../domain/tasks';
import type { CreateResult, IdempotencyRecord, NewIdempotency, RequestStore, SaveOptions, StoredRequest } from '../../usecases/ports';
import { findItem, historyItem, historyItems, requestAttributes, taskItem, toStored } from './items';
import { dueKeys, idempotencyKey, indexKeys, requestKey, taskKey } from './keys';
import { isConditionFailure, isTransactionConflict, type TransactItems } from './transactions';

/** DynamoDB's limit on the items of one transaction. */
export const MAX_TRANSACTION_ITEMS = 100;
const LATE_TASK_WRITES_AT_ONCE = 10;

/**
 * The task writes that fit beside `fixed` other items in one transaction (opens first: those are
 * what an approver's task list shows), and the rest, written right after it.
 */
export function splitTaskWrites(fixed: number, tasks: TransactItems): [TransactItems, TransactItems] {
  const room = Math.max(0, MAX_TRANSACTION_ITEMS - fixed);
  return [tasks.slice(0, room), tasks.slice(room)];
}

export class DynamoRequestStore implements Omit<RequestStore, 'getHistory' | 'getRequestWithHistory'> {
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
    items.push(...findKeys(request).map((key) => ({ Put: { TableName: this.table, Item: findItem(key, request) } })));
    const [inTransaction, later] = splitTaskWrites(items.length, this.taskWrites(undefined, request));
    try {
      await this.db.send(new TransactWriteCommand({ TransactItems: [...items, ...inTransaction] }));
      await this.writeTasksLater(later);
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
    const history = historyItems(request.id, [change.history, ...(change.more ?? [])]).map((Item) => ({
      Put: { TableName: this.table, Item },
    }));
    const [inTransaction, later] = splitTaskWrites(1 + history.length, this.taskWrites(previous, request));
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
            ...history,
            ...inTransaction,
          ],
        }),
      );
      await this.writeTasksLater(later);
      return 'saved';
    } catch (error) {
      // Someone else's write won: a changed version, or another transaction on the same item at
      // the same moment (TransactionConflict). Either way the caller re-reads and re-applies.
      if (isConditionFailure(error, 0) || isTransactionConflict(error)) return 'conflict';
      throw error;
    }
  }

  /**
   * The task writes that did not fit in the transaction, right after it, a few at a time. Only a
   * stage of very many people gets here (a group's members, or two large stages at once). Task
   * items are an index of whom a request awaits: GET /tasks reads each request and keeps only those
   * still open for the approver (domain/tasks.ts isOpenFor), so a close written late shows nothing
   * wrong meanwhile, and an open written late only appears in the list a moment later.
   */
  private async writeTasksLater(writes: TransactItems): Promise<void> {
    for (let start = 0; start < writes.length; start += LATE_TASK_WRITES_AT_ONCE) {
      await Promise.all(
        writes
          .slice(start, start + LATE_TASK_WRITES_AT_ONCE)
          .map((write) =>
            write.Put
              ? this.db.send(new PutCommand({ TableName: this.table, Item: write.Put.Item }))
              : this.db.send(new DeleteCommand({ TableName: this.table, Key: write.Delete?.Key })),
          ),
      );
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
}
