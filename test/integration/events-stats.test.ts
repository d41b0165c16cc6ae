/**
 * Events and /stats on the real local stack: the table's stream (DynamoDB Local) feeds the stream
 * consumer, which publishes each change to the local EventBridge (listed by the mailbox's
 * GET /events) and keeps the /stats counters. Each event shows the request as stored by the change
 * it tells of; entries EventBridge refuses are sent again; /stats equals the counts computed here from
 * the same requests; a replayed stream record publishes again but counts once.
 */
import '../helpers/memory/environment';
import { marshall } from '@aws-sdk/util-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { resolve } from 'node:path';
import { documentClient } from '../../functions/adapters/clients';
import { requestKey } from '../../functions/adapters/dynamodb/keys';
import { STREAM_CONSUMER_FUNCTION } from '../../functions/registry';
import { waitFor } from '../../local/net';
import type { PublishedEvent } from '../../local/events';
import { type Api, cardRequest, profile, startApi, users } from '../helpers/stack';
import { waitForState } from '../helpers/workflow';

let api: Api;

beforeAll(async () => {
  api = await startApi({ timeScale: 0.2 });
  for (const [id, body] of [
    ['ev-cards', profile({ approvers: [users.carol.email, users.dave.email], remindAfter: 'PT1H', expireAfter: 'P1D' })],
    ['ev-short', profile({ approvers: [users.carol.email], remindAfter: 'PT1S', expireAfter: 'PT2S' })],
  ] as const) {
    expect((await api.call('PUT', `/profiles/${id}`, { as: users.admin, body })).status).toBe(200);
  }
}, 120_000);

afterAll(async () => {
  await api?.stop();
});

const published = async (): Promise<PublishedEvent[]> =>
  ((await (await fetch(`${api.stack.mailUrl}/events`)).json()) as { events: PublishedEvent[] }).events;
const eventsOf = async (id: string) => (await published()).filter((event) => (event.detail.request as { id: string }).id === id);
const typesOf = async (id: string) => (await eventsOf(id)).map((event) => event['detail-type']);
const waitForEvent = (id: string, type: string) =>
  waitFor(async () => (await eventsOf(id)).find((event) => event['detail-type'] === type), { timeoutMs: 20_000, what: `${type} of ${id}` });

const create = async (profileId = 'ev-cards') => {
  const created = await api.call('POST', '/requests', { as: users.bob, body: cardRequest(profileId) });
  expect(created.status).toBe(201);
  return created.body as { id: string; version: number; state: string };
};

test("a request's life shows up in GET /events, each event with the request as that change stored it", async () => {
  const created = await create();
  const first = await waitForEvent(created.id, 'Approval Request Created');
  expect(first).toMatchObject({ version: '0', source: 'approvals', account: '000000000000', detail: { request: created } });

  const decided = await api.call('POST', `/requests/${created.id}/decisions`, { as: users.carol, body: { decision: 'approve' } });
  expect(decided.status).toBe(200);
  const approved = await waitForEvent(created.id, 'Approved');
  expect(approved.detail.request).toEqual(decided.body);
  // The Approved event comes once the workflow has signed the receipt, and carries it.
  const { body: stored } = await api.call('GET', `/requests/${created.id}/receipt`, { as: users.bob });
  expect(approved.detail.receipt).toBe(stored.receipt);
  // Events are listed oldest first, after the change they tell of was stored; no event for the rounds' bookkeeping.
  await waitForState(api, created.id, 'approved');
  expect(await typesOf(created.id)).toEqual(['Approval Request Created', 'Approved']);

  const rejected = await create();
  expect(
    (await api.call('POST', `/requests/${rejected.id}/decisions`, { as: users.dave, body: { decision: 'reject', reason: 'no' } })).status,
  ).toBe(200);
  const deleted = await create();
  expect((await api.call('DELETE', `/requests/${deleted.id}`, { as: users.bob })).status).toBe(200);
  const expired = await create('ev-short');
  await waitForEvent(rejected.id, 'Rejected');
  await waitForEvent(deleted.id, 'Deleted');
  const lapsed = await waitForEvent(expired.id, 'Expired');
  expect(lapsed.detail.request).toMatchObject({ id: expired.id, state: 'expired' });
  expect(await typesOf(rejected.id)).toEqual(['Approval Request Created', 'Rejected']);
  expect(await typesOf(deleted.id)).toEqual(['Approval Request Created', 'Deleted']);
  expect(await typesOf(expired.id)).toEqual(['Approval Request Created', 'Expired']);
}, 60_000);

test('entries EventBridge refuses are sent again, past the adapter’s own retries by the stream delivering the record again', async () => {
  const fault = await fetch(`${api.stack.mailUrl}/events/faults`, { method: 'POST', body: JSON.stringify({ failNext: 6 }) });
  expect(fault.status).toBe(200);
  const created = await create();
  await waitForEvent(created.id, 'Approval Request Created');
  expect(await typesOf(created.id)).toEqual(['Approval Request Created']);
  expect(api.stack.outbox.deadLetters).toEqual([]);
}, 60_000);

test('GET /stats equals the counts computed from the same requests, for one profile and for all', async () => {
  const ids = (await published()).map((event) => (event.detail.request as { id: string }).id);
  const requests = await Promise.all(
    [...new Set(ids)].map(async (id) => (await api.call('GET', `/requests/${id}`, { as: users.admin })).body as Record<string, any>),
  );
  // The counters follow the stream: wait until the last change is counted.
  const expected = (profileId?: string) => {
    const mine = requests.filter((request) => !profileId || request.profileId === profileId);
    const counts = { requested: 0, approved: 0, rejected: 0, expired: 0, deleted: 0 } as Record<string, number>;
    for (const request of mine) counts[request.state] = (counts[request.state] ?? 0) + 1;
    return {
      counts,
      approvals: mine.reduce((sum, request) => sum + request.approvals.length, 0),
      decided: mine.filter((r) => ['approved', 'rejected'].includes(r.state)).length,
    };
  };
  for (const profileId of ['ev-cards', undefined]) {
    const want = expected(profileId);
    const query = profileId ? `?profileId=${profileId}` : '';
    const stats = await waitFor(
      async () => {
        const answer = await api.call('GET', `/stats${query}`, { as: users.carol });
        expect(answer.status).toBe(200);
        return JSON.stringify(answer.body.counts) === JSON.stringify(want.counts) ? answer.body : undefined;
      },
      { timeoutMs: 20_000, what: `stats of ${profileId ?? 'all profiles'}` },
    );
    expect(stats.timeToDecision.decided).toBe(want.decided);
    expect(stats.timeToDecision.p50Seconds).toBeGreaterThan(0);
    const today = new Date().toISOString().slice(0, 10);
    expect(stats.decisionsPerDay.at(-1)).toEqual({ date: today, approve: want.approvals, reject: 1, hold: 0 });
    expect(stats.decisionsPerDay).toHaveLength(30);
    expect(stats.pendingByAge).toEqual({ under1Day: want.counts.requested, from1To3Days: 0, from3To7Days: 0, over7Days: 0 });
  }
}, 60_000);

test('a stream record delivered again publishes its events again (at least once) but is not counted twice', async () => {
  const created = await create();
  await waitForEvent(created.id, 'Approval Request Created');
  const before = await waitFor(
    async () => {
      const answer = (await api.call('GET', '/stats?profileId=ev-cards', { as: users.admin })).body;
      return answer.pendingByAge.under1Day > 0 ? answer : undefined;
    },
    { timeoutMs: 20_000, what: 'the new request counted' },
  );
  const { Item } = await documentClient().send(new GetCommand({ TableName: api.stack.tableName, Key: requestKey(created.id) }));
  const consumer = require(resolve(STREAM_CONSUMER_FUNCTION.entry)).handler as (
    event: unknown,
    context: unknown,
  ) => Promise<{ batchItemFailures: unknown[] }>;
  const replay = {
    Records: [
      {
        eventName: 'INSERT',
        eventSource: 'aws:dynamodb',
        dynamodb: { SequenceNumber: '1', StreamViewType: 'NEW_AND_OLD_IMAGES', NewImage: marshall(Item, { removeUndefinedValues: true }) },
      },
    ],
  };
  expect(await consumer(replay, {})).toEqual({ batchItemFailures: [] });
  expect(await typesOf(created.id)).toEqual(['Approval Request Created', 'Approval Request Created']);
  expect((await api.call('GET', '/stats?profileId=ev-cards', { as: users.admin })).body).toEqual(before);
}, 60_000);

test('GET /stats: approvers and admins only; a bad range is a 400 naming the field', async () => {
  expect((await api.call('GET', '/stats', { as: users.bob })).status).toBe(403);
  const bad = await api.call('GET', '/stats?from=yesterday', { as: users.carol });
  expect(bad.status).toBe(400);
  expect(JSON.stringify(bad.body)).toContain('from');
  const reversed = await api.call('GET', '/stats?from=2026-12-02&to=2026-12-01', { as: users.carol });
  expect(reversed.status).toBe(400);
  const tooLong = await api.call('GET', '/stats?from=2020-01-01&to=2026-12-01', { as: users.carol });
  expect(tooLong.status).toBe(400);
  expect((await api.call('GET', '/stats?unknown=1', { as: users.carol })).status).toBe(400);
});
