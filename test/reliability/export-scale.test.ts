/**
 * The export over many requests: 10,000 requests (RELIABILITY_SCALE scales it) written through the
 * batch path, then exported page by page through the API; the CSV read back with a CSV parser
 * holds each request once, newest first, and no cell starts a formula.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { parse } from 'csv-parse/sync';
import { batchPutRequests } from '../../functions/adapters/dynamodb/batch';
import type { ApprovalRequest } from '../../functions/domain/model';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/net';
import { recordFigures } from '../helpers/reliability/figures';
import { scaled } from '../helpers/reliability/scale';
import { type Api, startApi, users } from '../helpers/stack';

const COUNT = scaled(10_000, 500);
const START = Date.parse('2026-06-01T00:00:00.000Z');
let api: Api;

beforeAll(async () => {
  // Nothing reads the stream: these requests start no workflow.
  api = await startApi({ outbox: false });
}, 120_000);

afterAll(async () => {
  await api?.stop();
});

/** Request i, created i seconds after START: a third rejected with a formula-like reason. */
function request(index: number): ApprovalRequest {
  const createdAt = new Date(START + index * 1000).toISOString();
  const state = index % 3 === 0 ? 'rejected' : 'requested';
  return {
    id: randomUUID(),
    kind: 'card.request',
    profileId: index % 2 ? 'odd' : 'even',
    subject: { holderId: `H-${index}`, cardProfile: 'PIV standard' },
    state,
    requester: { id: users.alice.sub, email: users.alice.email },
    approvers: [users.carol.email],
    requiredApprovals: 1,
    approvals: [],
    onHold: false,
    ...(state === 'rejected'
      ? {
          decision: {
            decision: 'rejected' as const,
            by: { id: 'carol', email: users.carol.email },
            at: createdAt,
            reason: `=cmd|' /C calc'!A${index}`,
          },
        }
      : {}),
    remindAfter: 'PT1H',
    expireAfter: 'P2D',
    maxReminders: 5,
    createdAt,
    updatedAt: createdAt,
    expiresAt: new Date(START + index * 1000 + 2 * 86_400_000).toISOString(),
    version: 1,
  };
}

test(`an export pages through ${COUNT} requests: each once, newest first, no formula`, async () => {
  const requests = Array.from({ length: COUNT }, (_, index) => request(index));
  const db = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: api.stack.dynamoEndpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
  const parts = 4;
  await Promise.all(
    Array.from({ length: parts }, (_, part) =>
      batchPutRequests(
        db,
        api.stack.tableName,
        requests.filter((_, index) => index % parts === part).map((item) => ({ request: item })),
      ),
    ),
  );
  db.destroy();

  const token = await api.token(users.carol);
  const range = { from: new Date(START).toISOString(), to: new Date(START + COUNT * 1000).toISOString() };
  const pageTimes: number[] = [];
  const pages: string[] = [];
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams({ ...range, limit: '1000', ...(cursor ? { cursor } : {}) });
    const started = performance.now();
    const response = await fetch(`${api.stack.apiUrl}/requests/export?${query}`, { headers: { authorization: `Bearer ${token}` } });
    const body = await response.text();
    pageTimes.push(performance.now() - started);
    expect(response.status).toBe(200);
    pages.push(body);
    cursor = response.headers.get('next-cursor');
  } while (cursor);

  const records = parse(pages.join(''), { columns: true }) as Array<Record<string, string>>;
  expect(records).toHaveLength(COUNT);
  expect(records.map((record) => record.id)).toEqual([...requests].reverse().map((item) => item.id));
  for (const record of records) for (const cell of Object.values(record)) expect(/^[=+\-@\t\r]/.test(cell)).toBe(false);
  expect(records.filter((record) => record.state === 'rejected').every((record) => record.reason?.startsWith("'="))).toBe(true);

  const sorted = [...pageTimes].sort((a, b) => a - b);
  const figures = {
    requests: COUNT,
    pages: pages.length,
    pageRows: 1000,
    medianPageMs: Math.round(sorted[Math.floor(sorted.length / 2)] ?? 0),
    slowestPageMs: Math.round(sorted.at(-1) ?? 0),
    totalMs: Math.round(pageTimes.reduce((sum, time) => sum + time, 0)),
  };
  recordFigures(__filename, 'export', figures);
  // The last full page may be followed by an empty one (the indexes had more to read when it filled).
  expect(pages.length).toBeLessThanOrEqual(Math.ceil(COUNT / 1000) + 1);
});
