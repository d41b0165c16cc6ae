/**
 * One DynamoDB Local for the whole `npm test` run (jest's globalSetup and globalTeardown):
 * starting its JVM is the costliest part of a local stack, and the integration files that run
 * the stack in-process each get a table of their own in it (test/helpers/stack.ts). Files that
 * need a DynamoDB Local of their own (a restart, a paused process) start one.
 *
 * Its database is a file in a folder in memory (/dev/shm where the machine has one with room), not
 * DynamoDB Local's in-memory mode, so that its stream records can be indexed (local/dynamodb.ts
 * `indexStreamRecords`): in memory and unindexed, every write scans every record the run's files
 * have streamed, and the writes of the last files cost several times those of the first.
 */
import { mkdtempSync, rmSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalDynamo, launchDynamoDbLocal } from '../../local/dynamodb';

/** Where the shared instance is, for the test workers: `{ endpoint, pid, dbPath }` as JSON. */
export const SHARED_DYNAMODB_ENV = 'APPROVALS_TEST_SHARED_DYNAMODB';

const holder = globalThis as { sharedDynamo?: LocalDynamo & { dbPath: string } };

/** /dev/shm when it has room to spare (a run's database is about 6 MB), else the temporary folder. */
function scratchRoot(): string {
  try {
    const shm = statfsSync('/dev/shm');
    if (shm.bavail * shm.bsize >= 256 * 1024 * 1024) return '/dev/shm';
  } catch {
    // no /dev/shm on this machine
  }
  return tmpdir();
}

export async function setup(): Promise<void> {
  const dbPath = mkdtempSync(join(scratchRoot(), 'approvals-test-dynamodb-'));
  let dynamo: LocalDynamo & { ready: Promise<void> };
  try {
    // Not awaited: the unit tests run while its JVM starts, and an integration file waits until it
    // answers (test/helpers/stack.ts). A start that fails kills it, which that wait reports.
    dynamo = await launchDynamoDbLocal({ dbPath });
    dynamo.ready.catch(() => undefined);
  } catch {
    // Unit tests need no DynamoDB; the integration files then start their own and fail with the reason (e.g. no JDK).
    rmSync(dbPath, { recursive: true, force: true });
    return;
  }
  holder.sharedDynamo = { ...dynamo, dbPath };
  process.env[SHARED_DYNAMODB_ENV] = JSON.stringify({ endpoint: dynamo.endpoint, pid: dynamo.pid, dbPath });
}

export async function teardown(): Promise<void> {
  const shared = holder.sharedDynamo;
  if (!shared) return;
  await shared.stop();
  rmSync(shared.dbPath, { recursive: true, force: true });
}
