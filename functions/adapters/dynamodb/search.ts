/**
 * Search over the two indexes, newest first, with a cursor that keeps a position per partition.
 * A cursor that this search did not return is an `invalid_request` domain error.
 */
import { type DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import * as z from '../../domain/zod';
import { invalid } from '../../domain/errors';
import { STATES } from '../../domain/model';
import type { SearchPage, SearchQuery, SearchStore } from '../../usecases/ports';
import { type Item, toStored } from './items';
import { INDEX_BY_REQUESTER, INDEX_BY_STATE, isCreatedSortKey, requesterPartition, STATE_SHARDS, statePartition } from './keys';
import { decodeCursor as decodeCursorContent, encodeCursor as encodeCursorContent } from './pages';

const MAX_PAGES_PER_PARTITION = 10;

/** How many items a search first asks each of `open` partitions for, for a page of `limit` (see fetchNewest). */
export const firstShare = (limit: number, open: number) => Math.min(limit, Math.ceil((2 * limit) / Math.max(1, open)) + 1);

export class DynamoSearch implements SearchStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /**
   * Newest first. For a state, every shard of the by-state index is queried and the pages are
   * merged; a requester's own requests come from the by-requester index. The cursor records, per
   * partition, the sort key of the last item returned.
   */
  async search(query: SearchQuery): Promise<SearchPage> {
    const fingerprint = [
      query.state ?? '*',
      query.kind ?? '*',
      query.requesterId ?? '*',
      ...(query.profileId ? [query.profileId] : []),
      ...(query.createdFrom || query.createdBefore ? [`${query.createdFrom ?? ''}..${query.createdBefore ?? ''}`] : []),
    ].join('|');
    const partitions = this.partitionsFor(query);
    const positions = decodeCursor(query.cursor, fingerprint, partitions.length);

    const fetched = await this.fetchNewest(partitions, positions, query);
    const merged = mergeNewest(fetched, partitions, query.limit);

    const next = positions.map((position, index) => {
      if (position === END) return END;
      const partition = partitions[index];
      const page = fetched[index];
      if (!partition || !page) return END;
      const taken = merged.filter((entry) => entry.index === index);
      const last = taken.at(-1);
      if (taken.length === page.items.length && !page.more) return END;
      // Every match read was taken, and the partition's reads stopped with more to read (a filter
      // that few rows pass: DynamoDB applies it after Limit): the next page starts past every row
      // read, not at the last match, or it would read the same rows again and never move on.
      const evaluated = page.start?.[partition.sortAttribute];
      if (taken.length === page.items.length && typeof evaluated === 'string') return evaluated;
      return last ? String(last.item[partition.sortAttribute]) : position;
    });
    const done = next.every((position) => position === END);
    return {
      items: merged.map(({ item }) => toStored(item).request),
      nextCursor: done ? null : encodeCursor(fingerprint, next),
    };
  }

  private partitionsFor(query: SearchQuery): Partition[] {
    if (query.requesterId) {
      return [{ index: INDEX_BY_REQUESTER, keyAttribute: 'GSI2PK', sortAttribute: 'GSI2SK', value: requesterPartition(query.requesterId) }];
    }
    const states = query.state ? [query.state] : [...STATES];
    return states.flatMap((state) =>
      Array.from({ length: STATE_SHARDS }, (_, shard) => ({
        index: INDEX_BY_STATE,
        keyAttribute: 'GSI1PK',
        sortAttribute: 'GSI1SK',
        value: statePartition(state, shard),
      })),
    );
  }

  /**
   * The newest matches of every partition, enough to fill the page: each partition is first asked
   * for twice its even share of the page (2 × limit / partitions, plus one), and only a partition
   * whose every fetched item made it into the page and that has more is asked again, for twice as
   * many. A page thus reads about twice `limit` items in all instead of `limit` per partition (8
   * shards of a state: 8 × 20 items for a first page of 20), in one round of parallel Queries: the
   * shards' newest items interleave at random (the shard comes from the id), and with only the
   * even share (plus one) two first pages in three needed a second, sequential round. The result
   * is the same either way: the newest `limit` matches over all partitions.
   */
  private async fetchNewest(partitions: Partition[], positions: Position[], query: SearchQuery): Promise<Fetched[]> {
    const open = positions.filter((position) => position !== END).length;
    const share = firstShare(query.limit, open);
    const fetched: Fetched[] = positions.map((position) => ({ items: [], more: position !== END, pages: 0, want: share }));
    for (;;) {
      const merged = mergeNewest(fetched, partitions, query.limit);
      const due = fetched
        .map((page, index) => ({ page, index }))
        .filter(({ page, index }) => {
          if (!page.more || page.pages >= MAX_PAGES_PER_PARTITION) return false;
          if (page.pages === 0) return true;
          const taken = merged.filter((entry) => entry.index === index).length;
          return taken === page.items.length;
        });
      if (due.length === 0) return fetched;
      await Promise.all(
        due.map(async ({ page, index }) => {
          const partition = partitions[index] as Partition;
          const position = positions[index];
          const result = await this.db.send(
            new QueryCommand(
              this.queryInput(partition, position === END ? undefined : (position ?? undefined), query, page.want, page.start),
            ),
          );
          // A range's lower bound makes the key condition a BETWEEN, which includes its upper
          // bound: the item at the cursor's position (already returned) is left out here.
          page.items.push(...(result.Items ?? []).filter((item) => !position || item[partition.sortAttribute] !== position));
          page.start = result.LastEvaluatedKey;
          page.more = Boolean(page.start);
          page.pages += 1;
          page.want = Math.min(query.limit, page.want * 2);
        }),
      );
    }
  }

  /** One page of matches of one partition after `after`, newest first. */
  private queryInput(
    partition: Partition,
    after: string | undefined,
    query: SearchQuery,
    limit: number,
    start: Item | undefined,
  ): QueryCommandInput {
    const filters: string[] = [];
    const names: Record<string, string> = { '#pk': partition.keyAttribute };
    const values: Record<string, unknown> = { ':pk': partition.value };
    // Sort keys are `<createdAt>#<id>`: `<from>` sorts before every key created at or after it and
    // `<before>` before every key created at it, so the range is one key condition.
    const upper = [after, query.createdBefore].filter((bound) => bound !== undefined).sort()[0];
    let sortKey = '';
    if (query.createdFrom || upper) names['#sk'] = partition.sortAttribute;
    if (query.createdFrom && upper) {
      sortKey = ' AND #sk BETWEEN :from AND :upper';
      values[':from'] = query.createdFrom;
      values[':upper'] = upper;
    } else if (query.createdFrom) {
      sortKey = ' AND #sk >= :from';
      values[':from'] = query.createdFrom;
    } else if (upper) {
      sortKey = ' AND #sk < :upper';
      values[':upper'] = upper;
    }
    if (query.kind) {
      filters.push('#doc.#kind = :kind');
      names['#doc'] = 'doc';
      names['#kind'] = 'kind';
      values[':kind'] = query.kind;
    }
    if (query.profileId) {
      filters.push('#doc.#profileId = :profileId');
      names['#doc'] = 'doc';
      names['#profileId'] = 'profileId';
      values[':profileId'] = query.profileId;
    }
    if (query.requesterId && query.state) {
      filters.push('#state = :state');
      names['#state'] = 'state';
      values[':state'] = query.state;
    }
    return {
      TableName: this.table,
      IndexName: partition.index,
      KeyConditionExpression: `#pk = :pk${sortKey}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      FilterExpression: filters.length ? filters.join(' AND ') : undefined,
      ScanIndexForward: false,
      Limit: limit,
      ExclusiveStartKey: start,
    };
  }
}

/** What a search has read of one partition so far (newest first), and whether the partition has more. */
interface Fetched {
  items: Item[];
  more: boolean;
  pages: number;
  /** How many items the next query of this partition asks for. */
  want: number;
  start?: Item;
}

/** The newest `limit` items over every partition's fetched items, each with its partition's index. */
function mergeNewest(fetched: Fetched[], partitions: Partition[], limit: number): Array<{ item: Item; index: number }> {
  return fetched
    .flatMap((page, index) => page.items.map((item) => ({ item, index })))
    .sort((a, b) =>
      String(b.item[partitions[b.index]?.sortAttribute ?? '']).localeCompare(String(a.item[partitions[a.index]?.sortAttribute ?? ''])),
    )
    .slice(0, limit);
}

interface Partition {
  index: string;
  keyAttribute: string;
  sortAttribute: string;
  value: string;
}

// ---- cursor -----------------------------------------------------------------------------------

const END = 0;
type Position = string | null | typeof END;
/** A position is the sort key of the last item returned from that partition, null (not started) or END. */
const positionSchema = z.union([z.string().check(z.maxLength(200), z.refine(isCreatedSortKey)), z.null(), z.literal(END)]);

function encodeCursor(fingerprint: string, positions: Position[]): string {
  return encodeCursorContent({ f: fingerprint, p: positions });
}

function decodeCursor(cursor: string | undefined, fingerprint: string, partitions: number): Position[] {
  if (!cursor) return Array.from({ length: partitions }, () => null);
  const schema = z.strictObject({ f: z.string().check(z.maxLength(1000)), p: z.array(positionSchema).check(z.length(partitions)) });
  const parsed = decodeCursorContent(cursor, schema, 'this search');
  if (parsed.f !== fingerprint) {
    throw invalid('cursor belongs to a search with other filters', [
      { field: 'cursor', message: 'does not match state, kind, profile or requester' },
    ]);
  }
  return parsed.p;
}
