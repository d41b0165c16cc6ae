/**
 * The only module that talks to the table. Use cases get domain objects in and
 * out; keys, expressions and transactions stay here.
 */
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { invalid } from '../domain/errors';
import type { ApprovalRequest, HistoryEntry, Profile, ProfileBody } from '../domain/model';
import { STATES } from '../domain/model';
import type { Change } from '../domain/rules';
import type {
  ApprovalStore,
  CreateResult,
  IdempotencyRecord,
  NewIdempotency,
  RoundBookkeeping,
  SearchPage,
  SearchQuery,
  StoredRequest,
} from '../usecases/ports';
import {
  historyKey,
  historyPrefix,
  INDEX_BY_REQUESTER,
  INDEX_BY_STATE,
  idempotencyKey,
  indexKeys,
  profileKey,
  requesterPartition,
  requestKey,
  SEARCH_SHARDS,
  statePartition,
} from './keys';

const MAX_PAGES_PER_PARTITION = 10;

type Item = Record<string, unknown>;

export class Repository implements ApprovalStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  // ---- profiles -------------------------------------------------------------------------------

  async getProfile(id: string): Promise<Profile | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.table, Key: profileKey(id) }));
    return Item ? toProfile(Item) : undefined;
  }

  /** Creates or replaces a profile; `version` counts the writes. */
  async putProfile(id: string, body: ProfileBody, now: string): Promise<Profile> {
    const { Attributes } = await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: profileKey(id),
        UpdateExpression:
          'SET #type = :type, #id = :id, #name = :name, requireApprovalFor = :kinds, approvers = :approvers, requiredApprovals = :n, remindAfter = :remind, expireAfter = :expire, createdAt = if_not_exists(createdAt, :now), updatedAt = :now ADD version :one',
        ExpressionAttributeNames: { '#type': 'type', '#id': 'id', '#name': 'name' },
        ExpressionAttributeValues: {
          ':type': 'profile',
          ':id': id,
          ':name': body.name,
          ':kinds': body.requireApprovalFor,
          ':approvers': body.approvers,
          ':n': body.requiredApprovals,
          ':remind': body.remindAfter,
          ':expire': body.expireAfter,
          ':now': now,
          ':one': 1,
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return toProfile(Attributes ?? {});
  }

  // ---- requests -------------------------------------------------------------------------------

  /**
   * Writes a new request, its first history entry and (if given) its idempotency record in one
   * transaction. Throws IdempotencyKeyUsed when the key exists already.
   */
  async createRequest(change: Change, idempotency?: NewIdempotency): Promise<CreateResult> {
    const { request } = change;
    const items: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']> = [
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
    try {
      await this.db.send(new TransactWriteCommand({ TransactItems: items }));
      return { created: true };
    } catch (error) {
      if (idempotency && error instanceof TransactionCanceledException && error.CancellationReasons?.[2]?.Code === 'ConditionalCheckFailed') {
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
   * Writes a change of a request and its history entry in one transaction, on the condition
   * that nobody changed the request since `expectedVersion`. Throws VersionConflict otherwise.
   */
  async saveChange(change: Change, expectedVersion: number): Promise<'saved' | 'conflict'> {
    const { request } = change;
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
          ],
        }),
      );
      return 'saved';
    } catch (error) {
      if (error instanceof TransactionCanceledException && error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed') return 'conflict';
      throw error;
    }
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

  // ---- search ---------------------------------------------------------------------------------

  /**
   * Newest first. For a state, every shard of the by-state index is queried and the pages are
   * merged; a requester's own requests come from the by-requester index. The cursor records, per
   * partition, the sort key of the last item returned.
   */
  async search(query: SearchQuery): Promise<SearchPage> {
    const fingerprint = [query.state ?? '*', query.kind ?? '*', query.requesterId ?? '*'].join('|');
    const partitions = this.partitionsFor(query);
    const positions = decodeCursor(query.cursor, fingerprint, partitions.length);

    const fetched = await Promise.all(
      partitions.map((partition, index) => {
        const position = positions[index];
        if (position === END) return Promise.resolve({ items: [] as Item[], more: false });
        return this.queryPartition(partition, position ?? undefined, query);
      }),
    );

    const merged = fetched
      .flatMap((page, index) => page.items.map((item) => ({ item, index })))
      .sort((a, b) => String(b.item[partitions[b.index]?.sortAttribute ?? '']).localeCompare(String(a.item[partitions[a.index]?.sortAttribute ?? ''])))
      .slice(0, query.limit);

    const next = positions.map((position, index) => {
      if (position === END) return END;
      const partition = partitions[index];
      const page = fetched[index];
      if (!partition || !page) return END;
      const taken = merged.filter((entry) => entry.index === index);
      const last = taken.at(-1);
      if (taken.length === page.items.length && !page.more) return END;
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
      Array.from({ length: SEARCH_SHARDS }, (_, shard) => ({
        index: INDEX_BY_STATE,
        keyAttribute: 'GSI1PK',
        sortAttribute: 'GSI1SK',
        value: statePartition(state, shard),
      })),
    );
  }

  /** Up to `limit` matching items of one partition after `after`, newest first. */
  private async queryPartition(partition: Partition, after: string | undefined, query: SearchQuery) {
    const filters: string[] = [];
    const names: Record<string, string> = { '#pk': partition.keyAttribute };
    const values: Record<string, unknown> = { ':pk': partition.value };
    if (after) {
      names['#sk'] = partition.sortAttribute;
      values[':after'] = after;
    }
    if (query.kind) {
      filters.push('#doc.#kind = :kind');
      names['#doc'] = 'doc';
      names['#kind'] = 'kind';
      values[':kind'] = query.kind;
    }
    if (query.requesterId && query.state) {
      filters.push('#state = :state');
      names['#state'] = 'state';
      values[':state'] = query.state;
    }
    const input: QueryCommandInput = {
      TableName: this.table,
      IndexName: partition.index,
      KeyConditionExpression: after ? '#pk = :pk AND #sk < :after' : '#pk = :pk',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      FilterExpression: filters.length ? filters.join(' AND ') : undefined,
      ScanIndexForward: false,
      Limit: query.limit,
    };
    const items: Item[] = [];
    let start: Item | undefined;
    for (let page = 0; page < MAX_PAGES_PER_PARTITION; page++) {
      const result = await this.db.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
      items.push(...(result.Items ?? []));
      start = result.LastEvaluatedKey;
      if (!start || items.length >= query.limit) break;
    }
    return { items: items.slice(0, query.limit), more: Boolean(start) || items.length > query.limit };
  }
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
const cursorSchema = z.object({ f: z.string(), p: z.array(z.union([z.string().max(200), z.null(), z.literal(END)])) });

function encodeCursor(fingerprint: string, positions: Position[]): string {
  return Buffer.from(JSON.stringify({ f: fingerprint, p: positions })).toString('base64url');
}

function decodeCursor(cursor: string | undefined, fingerprint: string, partitions: number): Position[] {
  if (!cursor) return Array.from({ length: partitions }, () => null);
  let parsed: z.infer<typeof cursorSchema> | undefined;
  try {
    const result = cursorSchema.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    parsed = result.success ? result.data : undefined;
  } catch {
    parsed = undefined;
  }
  if (!parsed || parsed.p.length !== partitions) {
    throw invalid('cursor is not a cursor this search returned', [{ field: 'cursor', message: 'is malformed' }]);
  }
  if (parsed.f !== fingerprint) {
    throw invalid('cursor belongs to a search with other filters', [{ field: 'cursor', message: 'does not match state, kind or requester' }]);
  }
  return parsed.p;
}

// ---- item mapping -----------------------------------------------------------------------------

function requestAttributes(request: ApprovalRequest): Item {
  return { type: 'request', doc: request, state: request.state, version: request.version, ...indexKeys(request) };
}

function historyItem(id: string, entry: HistoryEntry): Item {
  return { ...historyKey(id, entry.at), type: 'history', entry };
}

function toStored(item: Item): StoredRequest {
  const rounds: RoundBookkeeping = {};
  if (typeof item.taskToken === 'string') rounds.taskToken = item.taskToken;
  if (typeof item.notifiedAt === 'string') rounds.notifiedAt = item.notifiedAt;
  if (typeof item.nextReminderAt === 'string') rounds.nextReminderAt = item.nextReminderAt;
  if (typeof item.reminders === 'number') rounds.reminders = item.reminders;
  if (typeof item.outcomeNotifiedAt === 'string') rounds.outcomeNotifiedAt = item.outcomeNotifiedAt;
  if (typeof item.callbackDeliveredAt === 'string') rounds.callbackDeliveredAt = item.callbackDeliveredAt;
  if (Array.isArray(item.notifiedApprovers)) rounds.notifiedApprovers = item.notifiedApprovers.map(String);
  return { request: inContractOrder(item.doc as ApprovalRequest), rounds };
}

const REQUEST_FIELD_ORDER: Array<keyof ApprovalRequest> = [
  'id', 'kind', 'profileId', 'state', 'subject', 'justification', 'callbackUrl', 'requester', 'approvers', 'requiredApprovals',
  'approvals', 'onHold', 'hold', 'decision', 'remindAfter', 'expireAfter', 'createdAt', 'updatedAt', 'expiresAt', 'version',
];

/** DynamoDB maps come back in any order; responses list fields in a stable, readable order. */
function inContractOrder(request: ApprovalRequest): ApprovalRequest {
  const ordered: Record<string, unknown> = {};
  for (const field of REQUEST_FIELD_ORDER) if (request[field] !== undefined) ordered[field] = request[field];
  for (const [field, value] of Object.entries(request)) if (!(field in ordered)) ordered[field] = value;
  return ordered as unknown as ApprovalRequest;
}

function toProfile(item: Item): Profile {
  return {
    id: String(item.id),
    name: String(item.name),
    requireApprovalFor: item.requireApprovalFor as Profile['requireApprovalFor'],
    approvers: item.approvers as string[],
    requiredApprovals: Number(item.requiredApprovals),
    remindAfter: String(item.remindAfter),
    expireAfter: String(item.expireAfter),
    createdAt: String(item.createdAt),
    updatedAt: String(item.updatedAt),
    version: Number(item.version),
  };
}
