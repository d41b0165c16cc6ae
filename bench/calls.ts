/**
 * What the benchmark calls on a running stack: the service's routes over HTTP, and beside each the
 * same DynamoDB calls made bare. The bare create and decide run the service's own adapter
 * (functions/adapters/dynamodb) on a second table of the same schema (its stream on, but no consumer
 * reads it, so no workflow starts): the profile GetItem and the very TransactWriteItems a create
 * writes, the consistent GetItem and the transaction a decision writes (through lifecycle's
 * changeRequest), with the same items and sizes, cloned from a request the service created. The
 * old 2-item TransactWriteItems stays as a baseline for continuity.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { historyItem, requestAttributes } from '../functions/adapters/dynamodb/items';
import {
  INDEX_BY_STATE,
  profileKey,
  requestKey,
  STATE_SHARDS,
  statePartition,
  statsDaySortKey,
  statsPartition,
} from '../functions/adapters/dynamodb/keys';
import { Repository } from '../functions/adapters/dynamodb/repository';
import { firstShare } from '../functions/adapters/dynamodb/search';
import type { ApprovalRequest, HistoryEntry } from '../functions/domain/model';
import { decide } from '../functions/domain/rules';
import { changeRequest } from '../functions/lifecycle/change';
import { firstCheckAt } from '../functions/usecases/checks';
import type { Meter } from '../functions/usecases/ports';
import { ensureTable } from '../local/dynamodb';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../local/net';
import { http, type Reply } from './load';
import { BENCH_PROFILE, benchAuth } from './service';

export interface Target {
  apiUrl: string;
  dataDir: string;
  dynamoEndpoint: string;
  tableName: string;
}

/** The bare calls' table, beside the service's in the same DynamoDB Local. */
export const BARE_TABLE = 'approvals-bare';

type Call = () => Promise<void>;

export interface Calls {
  /** `health`: GET /health, a round trip through the gateway to a handler that answers at once (no call behind it). */
  service: { create: Call; decide: Call; get: Call; search: Call; stats: Call; exportPage: Call; health: Call };
  /**
   * `searchShards`: the Queries a search's first page starts with, made bare and at once: one per
   * shard of the by-state index, each for the search adapter's first share of the page.
   */
  bare: {
    create: Call;
    decide: Call;
    transact2: Call;
    query: Call;
    searchPage: Call;
    searchShards: Call;
    statsQuery: Call;
    exportPage: Call;
  };
  /** Requests the service created and nobody decided yet (oldest first), and the same for the bare calls. */
  pending: string[];
  barePending: string[];
  counts: { created: number; decided: number; seeded: number };
  headers: { alice: Record<string, string>; carol: Record<string, string> };
  db: DynamoDBDocumentClient;
  /** A request as the service stores it, and its first history entry: the bare calls' and the seed's template. */
  template: ApprovalRequest;
  firstHistory: HistoryEntry;
  cloneRequest: (createdAt?: string) => ApprovalRequest;
  close: () => void;
}

async function expectStatus(reply: Promise<Reply>, status: number, what: string): Promise<string> {
  const r = await reply;
  if (r.status !== status) throw new Error(`${what}: expected ${status}, got ${r.status}: ${r.body.slice(0, 300)}`);
  return r.body;
}

const quietMeter = new Proxy({}, { get: () => () => undefined }) as Meter;

export async function prepareCalls(target: Target): Promise<Calls> {
  const api = target.apiUrl;
  const auth = await benchAuth(target.dataDir);
  const admin = await auth('admin-1', 'admin@example.com', ['admins']);
  const alice = await auth('alice', 'alice@example.com', []);
  const carol = await auth('carol', 'carol@example.com', ['approvers']);
  await expectStatus(http('PUT', `${api}/profiles/bench`, { headers: admin, body: BENCH_PROFILE }), 200, 'PUT profile');
  const db = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: target.dynamoEndpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
  const table = target.tableName;
  const pending: string[] = [];
  const barePending: string[] = [];
  const counts = { created: 0, decided: 0, seeded: 0 };

  const createBody = () => ({
    kind: 'card.request',
    profileId: 'bench',
    subject: { holderId: `E-${randomUUID().slice(0, 8)}`, cardProfile: 'PIV standard' },
    justification: 'benchmark',
  });
  const create = async () => {
    const body = await expectStatus(http('POST', `${api}/requests`, { headers: alice, body: createBody() }), 201, 'POST /requests');
    counts.created++;
    pending.push((JSON.parse(body) as { id: string }).id);
  };
  const decideOne = async () => {
    const id = pending.shift();
    if (!id) throw new Error('no pending request left to decide');
    await expectStatus(
      http('POST', `${api}/requests/${id}/decisions`, { headers: carol, body: { decision: 'approve' } }),
      200,
      'POST decision',
    );
    counts.decided++;
  };

  // A request as the service stores it: the template of the bare calls' requests.
  await create();
  const sampleId = pending[0] as string;
  const found = await new Repository(db, table).getRequestWithHistory(sampleId, { limit: 5 });
  if (!found) throw new Error(`request ${sampleId} not found in ${table}`);
  const template = found.stored.request;
  const firstHistory = found.history.items[0] as HistoryEntry;
  const cloneRequest = (createdAt = new Date().toISOString()): ApprovalRequest => ({
    ...template,
    id: randomUUID(),
    createdAt,
    updatedAt: createdAt,
  });

  // The bare table, with the bench profile as the service stores it.
  await ensureTable(target.dynamoEndpoint, BARE_TABLE);
  const profileItem = await db.send(new GetCommand({ TableName: table, Key: profileKey('bench') }));
  await db.send(new PutCommand({ TableName: BARE_TABLE, Item: profileItem.Item }));
  const bareRepository = new Repository(db, BARE_TABLE);
  const carolVoter = { id: 'carol', email: 'carol@example.com' };

  const bareCreate = async () => {
    const profile = await bareRepository.getProfile('bench');
    if (!profile) throw new Error('the bench profile is missing from the bare table');
    const now = new Date().toISOString();
    const request = cloneRequest(now);
    await bareRepository.createRequest({ request, history: { ...firstHistory, at: now } }, undefined, firstCheckAt(now));
    barePending.push(request.id);
  };
  const bareDecide = async () => {
    const id = barePending.shift();
    if (!id) throw new Error('no bare pending request left to decide');
    await changeRequest({ repository: bareRepository, now: () => new Date().toISOString(), meter: quietMeter }, id, (request, now) =>
      decide(request, carolVoter, { decision: 'approve' }, now),
    );
  };
  const transact2 = async () => {
    const request = cloneRequest();
    await db.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: BARE_TABLE,
              Item: { ...requestKey(request.id), ...requestAttributes(request) },
              ConditionExpression: 'attribute_not_exists(PK)',
            },
          },
          { Put: { TableName: BARE_TABLE, Item: historyItem(request.id, { ...firstHistory, at: request.createdAt }) } },
        ],
      }),
    );
  };
  const query = async () => {
    await db.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': requestKey(sampleId).PK },
        ConsistentRead: true,
      }),
    );
  };
  const stateQuery =
    (limit: number, shard = 0) =>
    async () => {
      await db.send(
        new QueryCommand({
          TableName: table,
          IndexName: INDEX_BY_STATE,
          KeyConditionExpression: 'GSI1PK = :pk',
          ExpressionAttributeValues: { ':pk': statePartition('requested', shard) },
          ScanIndexForward: false,
          Limit: limit,
        }),
      );
    };
  const searchShards = async () => {
    const share = firstShare(20, STATE_SHARDS);
    await Promise.all(Array.from({ length: STATE_SHARDS }, (_, shard) => stateQuery(share, shard)()));
  };
  // The operators' reads: GET /stats (the default 30 days of the stats buckets) and one export page.
  const day = 86_400_000;
  const rangeFrom = new Date(Date.now() - 30 * day).toISOString();
  const rangeTo = new Date(Date.now() + day).toISOString();
  const statsQuery = async () => {
    await db.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':pk': statsPartition(undefined),
          ':from': statsDaySortKey(rangeFrom.slice(0, 10)),
          ':to': statsDaySortKey(new Date().toISOString().slice(0, 10)),
        },
      }),
    );
  };
  const exportQuery = `state=requested&format=csv&limit=100&from=${encodeURIComponent(rangeFrom)}&to=${encodeURIComponent(rangeTo)}`;
  const get = (path: string, headers: Record<string, string>, what: string) => async () => {
    await expectStatus(http('GET', `${api}${path}`, { headers }), 200, what);
  };

  return {
    service: {
      create,
      decide: decideOne,
      get: get(`/requests/${sampleId}`, alice, 'GET request'),
      search: get('/requests?state=requested&limit=20', carol, 'GET search'),
      stats: get('/stats', carol, 'GET stats'),
      exportPage: get(`/requests/export?${exportQuery}`, carol, 'GET export'),
      health: get('/health', {}, 'GET health'),
    },
    bare: {
      create: bareCreate,
      decide: bareDecide,
      transact2,
      query,
      searchPage: stateQuery(20),
      searchShards,
      statsQuery,
      exportPage: stateQuery(100),
    },
    pending,
    barePending,
    counts,
    headers: { alice, carol },
    db,
    template,
    firstHistory,
    cloneRequest,
    close: () => db.destroy(),
  };
}
