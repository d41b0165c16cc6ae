/**
 * Finding requests by a value (domain/find.ts): a request id by its key (GetItem); any other value
 * by a Query of its find partition, newest first, then each request read (GetItem, strongly
 * consistent) and kept when it matches the value by its field's rule and the query's state. The
 * fields that never change (kind, profile, requester) are on the find entries and filtered there.
 * A cursor is the sort key of the last entry read, bound to the find key and the filters.
 */
import { type DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import * as z from '../../domain/zod';
import { findKey, matchesFind } from '../../domain/find';
import type { ApprovalRequest } from '../../domain/model';
import type { FindQuery, FindStore, SearchPage } from '../../usecases/ports';
import { type Item, toStored } from './items';
import { findPartition, isCreatedSortKey, requestKey } from './keys';
import { decodeCursor, encodeCursor } from './pages';

/** Queries of the find partition per page at most (a state filter may leave some entries out). */
const MAX_QUERIES_PER_PAGE = 5;

export class DynamoFind implements FindStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async find(query: FindQuery): Promise<SearchPage> {
    const partition = findPartition(findKey(query.value));
    const fingerprint = [
      query.state ?? '*',
      query.kind ?? '*',
      query.requesterId ?? '*',
      query.profileId ?? '*',
      ...(query.createdFrom || query.createdBefore ? [`${query.createdFrom ?? ''}..${query.createdBefore ?? ''}`] : []),
    ].join('|');
    let start = decodeFindCursor(query.cursor, partition, fingerprint);
    if (!query.cursor) {
      const byId = await this.byId(query);
      if (byId) return { items: [byId], nextCursor: null };
    }
    const items: ApprovalRequest[] = [];
    for (let round = 0; round < MAX_QUERIES_PER_PAGE && items.length < query.limit; round++) {
      const page = await this.db.send(new QueryCommand(this.queryInput(partition, query, query.limit - items.length, start)));
      const requests = await Promise.all((page.Items ?? []).map((entry) => this.read(String(entry.requestId))));
      items.push(...requests.filter((request): request is ApprovalRequest => !!request && this.keeps(request, query)));
      start = page.LastEvaluatedKey as { PK: string; SK: string } | undefined;
      if (!start) break;
    }
    return { items, nextCursor: start ? encodeCursor({ p: partition, s: start.SK, f: fingerprint }) : null };
  }

  /** The request whose id is the value, when it exists and passes the filters. */
  private async byId(query: FindQuery): Promise<ApprovalRequest | undefined> {
    const id = query.value.trim();
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(id)) return undefined;
    const request = await this.read(id);
    return request?.id === id && this.keeps(request, query) ? request : undefined;
  }

  private async read(id: string): Promise<ApprovalRequest | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.table, Key: requestKey(id), ConsistentRead: true }));
    return Item ? toStored(Item).request : undefined;
  }

  private keeps(request: ApprovalRequest, query: FindQuery): boolean {
    return (
      matchesFind(request, query.value) &&
      (!query.state || request.state === query.state) &&
      (!query.kind || request.kind === query.kind) &&
      (!query.profileId || request.profileId === query.profileId) &&
      (!query.requesterId || request.requester.id === query.requesterId) &&
      (!query.createdFrom || request.createdAt >= query.createdFrom) &&
      (!query.createdBefore || request.createdAt < query.createdBefore)
    );
  }

  private queryInput(partition: string, query: FindQuery, limit: number, start: Item | undefined) {
    const filters: string[] = [];
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':pk': partition };
    for (const [attribute, value] of [
      ['kind', query.kind],
      ['profileId', query.profileId],
      ['requesterId', query.requesterId],
    ] as const) {
      if (value === undefined) continue;
      filters.push(`#${attribute} = :${attribute}`);
      names[`#${attribute}`] = attribute;
      values[`:${attribute}`] = value;
    }
    return {
      TableName: this.table,
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeNames: filters.length ? names : undefined,
      ExpressionAttributeValues: values,
      FilterExpression: filters.length ? filters.join(' AND ') : undefined,
      ScanIndexForward: false,
      Limit: limit,
      ExclusiveStartKey: start,
    };
  }
}

/** The ExclusiveStartKey of a find cursor: made for this find key and these filters, or a 400. */
function decodeFindCursor(cursor: string | undefined, partition: string, fingerprint: string): { PK: string; SK: string } | undefined {
  if (cursor === undefined) return undefined;
  const schema = z.strictObject({
    p: z.literal(partition),
    s: z.string().check(z.minLength(1), z.maxLength(400), z.refine(isCreatedSortKey)),
    f: z.literal(fingerprint),
  });
  const { p, s } = decodeCursor(cursor, schema, 'this find');
  return { PK: p, SK: s };
}
