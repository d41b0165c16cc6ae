/**
 * A request's history in the table: its history items beside the request item, read a page at a
 * time (with the request itself for `GET /requests/{id}`), and entries that change nothing else.
 */
import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { HistoryEntry } from '../../domain/model';
import type { HistoryPage, HistoryQuery, HistoryStore, RequestStore, StoredRequest } from '../../usecases/ports';
import { historyItem, toStored } from './items';
import { historyCursor, historyCursorKey, historyPrefix, requestKey } from './keys';

export class DynamoHistory implements HistoryStore, Pick<RequestStore, 'getHistory' | 'getRequestWithHistory'> {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

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
    const { Item } = await this.db.send(new GetCommand({ TableName: this.table, Key: key, ConsistentRead: true }));
    return Item && { stored: toStored(Item), history };
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

  /** Adds a history entry that does not change the request (a notification, a callback). */
  async appendHistory(id: string, entry: HistoryEntry): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.table, Item: historyItem(id, entry) }));
  }
}
