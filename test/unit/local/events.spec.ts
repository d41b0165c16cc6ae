import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { type EventsServer, startEventsServer } from '../../../local/events';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const dataDir = mkdtempSync(join(tmpdir(), 'approvals-events-'));
let server: EventsServer;
let client: EventBridgeClient;

beforeAll(async () => {
  server = await startEventsServer({ dataDir, busName: 'bus-1' });
  client = new EventBridgeClient({ endpoint: server.url, region: 'us-east-1', credentials, maxAttempts: 1 });
});

afterAll(async () => {
  client.destroy();
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const entry = (detail: string, overrides: Record<string, unknown> = {}) => ({
  EventBusName: 'bus-1',
  Source: 'approvals',
  DetailType: 'Approved',
  Detail: detail,
  Time: new Date('2026-12-06T10:00:00Z'),
  ...overrides,
});

describe('the local EventBridge (PutEvents through the AWS SDK)', () => {
  test('keeps each entry taken in AWS’s event shape, oldest first, and on disk for the next start', async () => {
    const answer = await client.send(
      new PutEventsCommand({ Entries: [entry('{"request":{"id":"r-1"}}'), entry('{"request":{"id":"r-2"}}')] }),
    );
    expect(answer.FailedEntryCount).toBe(0);
    expect(answer.Entries?.map((e) => e.EventId)).toEqual(
      server
        .events()
        .slice(-2)
        .map((e) => e.id),
    );
    expect(server.events().slice(-2)).toEqual([
      expect.objectContaining({
        version: '0',
        'detail-type': 'Approved',
        source: 'approvals',
        time: '2026-12-06T10:00:00Z',
        detail: { request: { id: 'r-1' } },
      }),
      expect.objectContaining({ detail: { request: { id: 'r-2' } } }),
    ]);
    const again = await startEventsServer({ dataDir, busName: 'bus-1' });
    expect(again.events()).toEqual(server.events());
    await again.close();
  });

  test('an entry whose Detail is not a JSON object, or that lacks a field, fails alone; the others are taken', async () => {
    const before = server.events().length;
    const answer = await client.send(
      new PutEventsCommand({ Entries: [entry('[1]'), entry('{"ok":true}'), entry('{}', { Source: undefined })] }),
    );
    expect(answer.FailedEntryCount).toBe(2);
    expect(answer.Entries?.map((e) => e.ErrorCode ?? 'taken')).toEqual(['MalformedDetail', 'taken', 'InvalidArgument']);
    expect(server.events().length).toBe(before + 1);
  });

  test('an unknown bus, more than 10 entries or more than 256 KB refuse the whole call', async () => {
    await expect(client.send(new PutEventsCommand({ Entries: [entry('{}', { EventBusName: 'other' })] }))).rejects.toThrow(
      expect.objectContaining({ name: 'ResourceNotFoundException' }),
    );
    await expect(client.send(new PutEventsCommand({ Entries: Array.from({ length: 11 }, () => entry('{}')) }))).rejects.toThrow(
      expect.objectContaining({ name: 'ValidationException' }),
    );
    await expect(client.send(new PutEventsCommand({ Entries: [entry(JSON.stringify({ x: 'y'.repeat(262_144) }))] }))).rejects.toThrow(
      expect.objectContaining({ name: 'ValidationException' }),
    );
  });

  test('the fault switch fails the next entries with InternalFailure, then takes them again', async () => {
    server.failNext(1);
    const answer = await client.send(new PutEventsCommand({ Entries: [entry('{"n":1}'), entry('{"n":2}')] }));
    expect(answer.Entries?.map((e) => e.ErrorCode ?? 'taken')).toEqual(['InternalFailure', 'taken']);
  });
});
