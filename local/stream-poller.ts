/**
 * The table's stream under `npm start`, read as Lambda's event source mapping reads it in the
 * cloud (infra/constructs/stream-consumer.ts), so the stream consumer's handler runs unchanged:
 * - DynamoDB Local's Streams API (DescribeStream, GetShardIterator, GetRecords), shard by shard,
 *   a child shard after its parent, records in order;
 * - the mapping's filter patterns (functions/adapters/dynamodb/stream.ts) and batch size;
 * - the event Lambda delivers (DynamoDBStreamEvent records, `eventSource` `aws:dynamodb`);
 * - the batch-failure rules: a partial batch response retries from the first failed record; an
 *   error of the whole invocation bisects the batch; retries are bounded (then the failed record
 *   goes to the dead-letter list, as the cloud's goes to the on-failure queue), and a record older
 *   than the mapping's maximum age goes there without being delivered.
 * An idle stream is read every 250 ms (Lambda polls a shard about four times a second), and at once
 * when woken: the local stack wakes the poller when something that may have written the table
 * returns (an API operation allowed to write it, a workflow step, the reconciler), so a change is
 * relayed without waiting for the next poll.
 * The position in each shard is kept in a file (with a DATA_DIR), written after each batch is
 * settled, so a restart carries on after the last record settled: a record written just before a
 * kill is delivered after the restart. Were the position lost, the reconciler starts that request's
 * workflow at its first check. Dead letters are logged and appended to a file by their keys only
 * (the images hold task tokens).
 */
import { appendFileSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './net';
import { passesFilters } from './stream-filter';

export interface BatchRules {
  batchSize: number;
  retryAttempts: number;
  maxRecordAgeSeconds: number;
  bisectBatchOnError: boolean;
}

export type StreamHandler = (event: DynamoDBStreamEvent) => Promise<{ batchItemFailures?: Array<{ itemIdentifier: string }> } | undefined>;

export interface StreamPollerOptions {
  endpoint: string;
  tableName: string;
  handler: StreamHandler;
  filters: readonly object[];
  rules: BatchRules;
  /** Where the position in the stream is kept across restarts; none: in memory only. */
  positionFile?: string;
  /** Where dead letters are appended (one JSON line each); none: the list and the log only. */
  deadLetterFile?: string;
  log: (line: string) => void;
  /**
   * How long an idle poll waits before reading again, unless woken (`wake()`) sooner. Lambda polls a
   * shard about 4 times a second. Default 250 ms.
   */
  pollMs?: number;
  /** Multiplies the waits between retries (tests use less than 1). */
  timeScale?: number;
}

export interface DeadLetter {
  at: string;
  reason: 'retries-exhausted' | 'record-too-old';
  eventName?: string;
  sequenceNumber?: string;
  keys?: Record<string, unknown>;
}

export interface StreamPoller {
  /** Records given up on since the start. */
  readonly deadLetters: readonly DeadLetter[];
  /**
   * Reads the stream now rather than at the next idle poll (or, while a read is under way, once more
   * right after it): the local stack calls it when something may have written to the table.
   */
  wake(): void;
  stop(): Promise<void>;
}

interface Positions {
  streamArn?: string;
  /** Per shard: the sequence number of the last record settled, or `done` for a closed shard read to its end. */
  shards: Record<string, string>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Value = Record<string, unknown>;

/**
 * DynamoDB Local (3.3.1) writes an empty map into its stream images as `{}` where DynamoDB writes
 * `{"M":{}}` (its GetRecords answer, checked on the wire): put the type back, at any depth.
 */
function repairValue(value: Value): Value {
  const map = value.M as Record<string, Value> | undefined;
  if (map) return { M: repairImage(map) };
  const list = value.L;
  if (Array.isArray(list)) return { L: list.map(repairValue) };
  for (const _ in value) return value;
  return { M: {} };
}
/** Plain loops: every record's images go through here, about three times faster than entries and fromEntries. */
export function repairImage(image: Record<string, Value>): Record<string, Value> {
  const repaired: Record<string, Value> = {};
  for (const name in image) repaired[name] = repairValue(image[name] as Value);
  return repaired;
}
const image = (value: object | undefined) => (value ? repairImage(value as Record<string, Value>) : undefined);

/** A record as Lambda delivers it, from the Streams API's record. */
function lambdaRecord(record: StreamRecord, streamArn: string): DynamoDBRecord {
  const data = record.dynamodb ?? {};
  const created = data.ApproximateCreationDateTime;
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: record.awsRegion ?? LOCAL_REGION,
    eventSourceARN: streamArn,
    dynamodb: {
      ...(created ? { ApproximateCreationDateTime: created.getTime() / 1000 } : {}),
      Keys: data.Keys as never,
      ...(data.NewImage ? { NewImage: image(data.NewImage) as never } : {}),
      ...(data.OldImage ? { OldImage: image(data.OldImage) as never } : {}),
      SequenceNumber: data.SequenceNumber,
      SizeBytes: data.SizeBytes,
      StreamViewType: data.StreamViewType,
    },
  };
}

export async function startStreamPoller(options: StreamPollerOptions): Promise<StreamPoller> {
  const config = { endpoint: options.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
  const dynamo = new DynamoDBClient(config);
  const streams = new DynamoDBStreamsClient(config);
  const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: options.tableName }));
  dynamo.destroy();
  const streamArn = Table?.LatestStreamArn;
  if (!streamArn) throw new Error(`table ${options.tableName} has no stream`);
  const { rules, log } = options;
  const pollMs = options.pollMs ?? 250;
  const scale = options.timeScale ?? 1;
  const deadLetters: DeadLetter[] = [];
  let stopped = false;

  let positions: Positions = { shards: {} };
  if (options.positionFile && existsSync(options.positionFile)) positions = JSON.parse(readFileSync(options.positionFile, 'utf8'));
  // Another table under the same name (recreated): its stream starts anew.
  if (positions.streamArn !== streamArn) positions = { streamArn, shards: {} };
  const savePositions = () => {
    if (!options.positionFile) return;
    const temp = `${options.positionFile}.tmp`;
    writeFileSync(temp, JSON.stringify(positions));
    renameSync(temp, options.positionFile);
  };

  const giveUp = (records: DynamoDBRecord[], reason: DeadLetter['reason']) => {
    for (const record of records) {
      const letter: DeadLetter = {
        at: new Date().toISOString(),
        reason,
        eventName: record.eventName,
        sequenceNumber: record.dynamodb?.SequenceNumber,
        keys: record.dynamodb?.Keys,
      };
      deadLetters.push(letter);
      log(`stream consumer: record ${letter.sequenceNumber} (${letter.eventName}) given up: ${reason}`);
      if (options.deadLetterFile) appendFileSync(options.deadLetterFile, `${JSON.stringify(letter)}\n`);
    }
  };

  const tooOld = (record: DynamoDBRecord) => {
    const created = record.dynamodb?.ApproximateCreationDateTime;
    return created !== undefined && Date.now() / 1000 - created > rules.maxRecordAgeSeconds;
  };

  /** Delivers records (in order) until each is handled or given up, under the mapping's rules. */
  const settle = async (batch: DynamoDBRecord[], retries = 0): Promise<void> => {
    let records = batch;
    while (records.length > 0 && !stopped) {
      const old = records.filter(tooOld);
      if (old.length > 0) giveUp(old, 'record-too-old');
      records = records.filter((record) => !tooOld(record));
      if (records.length === 0) return;
      let failedAt: number;
      let threw = false;
      try {
        const response = await options.handler({ Records: records });
        const failed = new Set((response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
        if (failed.size === 0) return;
        const index = records.findIndex((record) => failed.has(record.dynamodb?.SequenceNumber ?? ''));
        // An identifier of no record in the batch fails the whole batch, as in Lambda.
        failedAt = Math.max(0, index);
      } catch (error) {
        threw = true;
        failedAt = 0;
        log(`stream consumer: invocation failed: ${(error as Error).name ?? 'Error'}`);
      }
      if (retries >= rules.retryAttempts) {
        // The failed record goes to the dead letters; the rest of the batch carries on.
        giveUp([records[failedAt] as DynamoDBRecord], 'retries-exhausted');
        records = records.slice(failedAt + 1);
        retries = 0;
        continue;
      }
      retries += 1;
      await sleep(Math.min(250 * 2 ** (retries - 1), 5000) * scale);
      if (threw && rules.bisectBatchOnError && records.length > 1) {
        const half = Math.ceil(records.length / 2);
        await settle(records.slice(0, half), retries);
        await settle(records.slice(half), retries);
        return;
      }
      records = records.slice(failedAt);
    }
  };

  const iterators = new Map<string, string>();
  let describedAt = 0;

  /** Opens an iterator on each shard to read: not read to its end, and its parent (if still listed) is. */
  const openShards = async () => {
    describedAt = Date.now();
    const shards = [];
    let start: string | undefined;
    do {
      const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: start }));
      shards.push(...(StreamDescription?.Shards ?? []));
      start = StreamDescription?.LastEvaluatedShardId;
    } while (start);
    const listed = new Set(shards.map((shard) => shard.ShardId));
    for (const shard of shards) {
      const id = shard.ShardId as string;
      const parent = shard.ParentShardId;
      if (iterators.has(id) || positions.shards[id] === 'done') continue;
      if (parent && listed.has(parent) && positions.shards[parent] !== 'done') continue;
      const after = positions.shards[id];
      const { ShardIterator } = await streams.send(
        new GetShardIteratorCommand({
          StreamArn: streamArn,
          ShardId: id,
          ...(after ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: after } : { ShardIteratorType: 'TRIM_HORIZON' }),
        }),
      );
      if (ShardIterator) iterators.set(id, ShardIterator);
    }
  };

  /** Reads one page of a shard and settles its records, batch by batch; false when it had none. */
  const readShard = async (shardId: string, iterator: string): Promise<boolean> => {
    let page: { Records?: StreamRecord[]; NextShardIterator?: string };
    try {
      page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
    } catch (error) {
      const name = (error as Error).name;
      if (name !== 'ExpiredIteratorException' && name !== 'TrimmedDataAccessException') throw error;
      iterators.delete(shardId); // opened again from the last position
      return false;
    }
    const records = page.Records ?? [];
    const matching = records
      .map((record) => lambdaRecord(record, streamArn))
      .filter((record) => passesFilters(record, options.filters as never));
    for (let i = 0; i < matching.length && !stopped; i += rules.batchSize) {
      const batch = matching.slice(i, i + rules.batchSize);
      await settle(batch);
      if (stopped) return false;
      positions.shards[shardId] = batch[batch.length - 1]?.dynamodb?.SequenceNumber as string;
      savePositions();
    }
    if (stopped) return false;
    const last = records[records.length - 1]?.dynamodb?.SequenceNumber;
    if (last) positions.shards[shardId] = last;
    if (page.NextShardIterator) iterators.set(shardId, page.NextShardIterator);
    else {
      iterators.delete(shardId);
      positions.shards[shardId] = 'done';
      describedAt = 0; // its children can be read now
    }
    if (last || !page.NextShardIterator) savePositions();
    return records.length > 0;
  };

  // An idle wait that `wake()` ends early; a wake during a read makes the loop read again at once.
  let woken = false;
  let endIdle: (() => void) | undefined;
  const wake = () => {
    woken = true;
    endIdle?.();
  };
  const idle = () =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        endIdle = undefined;
        resolve();
      }, pollMs);
      endIdle = () => {
        endIdle = undefined;
        clearTimeout(timer);
        resolve();
      };
    });

  const loop = (async () => {
    while (!stopped) {
      let busy = false;
      woken = false;
      try {
        if (Date.now() - describedAt > 5000 || iterators.size === 0) await openShards();
        for (const [shardId, iterator] of [...iterators]) {
          if (stopped) break;
          busy = (await readShard(shardId, iterator)) || busy;
        }
      } catch (error) {
        if (!stopped) log(`stream poller: ${(error as Error).name}: ${(error as Error).message}`);
      }
      if (!busy && !woken && !stopped) await idle();
    }
  })();

  return {
    deadLetters,
    wake,
    async stop() {
      stopped = true;
      endIdle?.();
      await loop;
      streams.destroy();
    },
  };
}
