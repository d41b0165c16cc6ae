/**
 * A local EventBridge endpoint answering PutEvents (awsJson1_1, `X-Amz-Target: AWSEvents.PutEvents`)
 * on the local AWS JSON server, so the stream consumer's adapter (functions/adapters/eventbridge.ts)
 * runs unchanged with AWS_ENDPOINT_URL_EVENTBRIDGE. Each accepted entry is kept in AWS's event shape
 * (`version`, `id`, `detail-type`, `source`, `account`, `time`, `region`, `resources`, `detail`),
 * oldest first, under DATA_DIR (`events/events.jsonl`, one JSON line each) unless the stack is
 * ephemeral; the mailbox's port lists them (`GET /events`, local/mailbox.ts).
 *
 * As AWS does: at most 10 entries and 256 KB per call (ValidationException), an unknown bus is
 * ResourceNotFoundException, and an entry without Source, DetailType or Detail, or whose Detail is
 * not a JSON object, fails alone (`ErrorCode` in its answer, counted in `FailedEntryCount`).
 * A fault switch for tests: `failNext(n)` makes the next n entries fail with `InternalFailure`.
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AwsServiceError, startAwsJsonServer } from './aws-json-server';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './net';

export const LOCAL_EVENT_BUS = 'approvals-events';
/** PutEvents' limits. */
const MAX_ENTRIES = 10;
const MAX_CALL_BYTES = 256 * 1024;

export interface PublishedEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

export interface EventsServer {
  url: string;
  /** Every event accepted, oldest first. */
  events(): readonly PublishedEvent[];
  /** The next `count` entries fail (`InternalFailure`), as EventBridge sometimes answers. */
  failNext(count: number): void;
  close(): Promise<void>;
}

type Entry = Record<string, unknown>;
type Answer = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

function entrySize(entry: Entry): number {
  const text = (field: string) => (typeof entry[field] === 'string' ? Buffer.byteLength(entry[field] as string, 'utf8') : 0);
  const resources = Array.isArray(entry.Resources) ? entry.Resources.reduce((sum: number, r) => sum + Buffer.byteLength(String(r)), 0) : 0;
  return 14 + text('Source') + text('DetailType') + text('Detail') + resources;
}

function parseDetail(detail: unknown): Record<string, unknown> | undefined {
  if (typeof detail !== 'string') return undefined;
  try {
    const parsed = JSON.parse(detail);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

export async function startEventsServer(options: {
  dataDir?: string;
  busName?: string;
  log?: (line: string) => void;
}): Promise<EventsServer> {
  const bus = options.busName ?? LOCAL_EVENT_BUS;
  const file = options.dataDir ? join(options.dataDir, 'events', 'events.jsonl') : undefined;
  const events: PublishedEvent[] = [];
  if (file) {
    mkdirSync(join(options.dataDir as string, 'events'), { recursive: true });
    if (existsSync(file))
      for (const line of readFileSync(file, 'utf8').split('\n')) {
        try {
          if (line) events.push(JSON.parse(line));
        } catch {
          // A line torn by a crash: that call was never answered.
        }
      }
  }
  let failing = 0;

  const accept = (entry: Entry): Answer => {
    if (failing > 0) {
      failing--;
      return { ErrorCode: 'InternalFailure', ErrorMessage: 'Internal failure (local fault switch).' };
    }
    if (typeof entry.Source !== 'string' || typeof entry.DetailType !== 'string' || entry.Detail === undefined)
      return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameters Source, DetailType and Detail are required.' };
    const detail = parseDetail(entry.Detail);
    if (!detail) return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    const time = typeof entry.Time === 'number' ? new Date(entry.Time * 1000) : new Date();
    const event: PublishedEvent = {
      version: '0',
      id: randomUUID(),
      'detail-type': entry.DetailType,
      source: entry.Source,
      account: LOCAL_ACCOUNT,
      time: time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: LOCAL_REGION,
      resources: Array.isArray(entry.Resources) ? entry.Resources.map(String) : [],
      detail,
    };
    events.push(event);
    if (file) appendFileSync(file, `${JSON.stringify(event)}\n`);
    return { EventId: event.id };
  };

  const server = await startAwsJsonServer({
    port: 0,
    targetPrefix: 'AWSEvents',
    jsonVersion: '1.1',
    log: options.log,
    actions: {
      PutEvents: (body) => {
        const entries = body.Entries;
        if (!Array.isArray(entries) || entries.length < 1 || entries.length > MAX_ENTRIES)
          throw new AwsServiceError('ValidationException', `Entries must hold 1 to ${MAX_ENTRIES} entries.`);
        if (entries.reduce((sum: number, entry: Entry) => sum + entrySize(entry), 0) > MAX_CALL_BYTES)
          throw new AwsServiceError('ValidationException', 'Total size of the entries in the request is over the limit.');
        for (const entry of entries as Entry[]) {
          const busName = typeof entry.EventBusName === 'string' ? entry.EventBusName.split('/').pop() : 'default';
          if (busName !== bus) throw new AwsServiceError('ResourceNotFoundException', `Event bus ${busName} does not exist.`);
        }
        const answers = entries.map((entry: Entry) => accept(entry));
        return { FailedEntryCount: answers.filter((answer) => 'ErrorCode' in answer).length, Entries: answers };
      },
    },
  });
  return {
    url: server.url,
    events: () => events,
    failNext: (count) => {
      failing = count;
    },
    close: () => server.close(),
  };
}
