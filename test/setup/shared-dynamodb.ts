/**
 * One DynamoDB Local for the whole `npm test` run (jest's globalSetup and globalTeardown):
 * starting its JVM is the costliest part of a local stack, and the integration files that run
 * the stack in-process each get a table of their own in it (test/helpers/stack.ts). Files that
 * need a DynamoDB Local of their own (a restart, a paused process) start one.
 */
import { type LocalDynamo, startDynamoDbLocal } from '../../local/dynamodb';

/** Where the shared instance is, for the test workers: `{ endpoint, pid }` as JSON. */
export const SHARED_DYNAMODB_ENV = 'APPROVALS_TEST_SHARED_DYNAMODB';

const holder = globalThis as { sharedDynamo?: LocalDynamo };

export async function setup(): Promise<void> {
  let dynamo: LocalDynamo;
  try {
    dynamo = await startDynamoDbLocal();
  } catch {
    // Unit tests need no DynamoDB; the integration files then start their own and fail with the reason (e.g. no JDK).
    return;
  }
  holder.sharedDynamo = dynamo;
  process.env[SHARED_DYNAMODB_ENV] = JSON.stringify({ endpoint: dynamo.endpoint, pid: dynamo.pid });
}

export async function teardown(): Promise<void> {
  await holder.sharedDynamo?.stop();
}
