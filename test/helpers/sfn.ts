import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeExecutionCommand, type DescribeExecutionCommandOutput, type ExecutionStatus, SFNClient } from '@aws-sdk/client-sfn';
import { waitFor } from '../../local/net';
import {
  type LocalFunction,
  type StepFunctionsServer,
  type StepFunctionsServerOptions,
  startStepFunctionsServer,
} from '../../local/stepfunctions/server';

export const REGION = 'us-east-1';
export const CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/** Items pushed by functions under test, awaited by the test in order. */
export class Inbox<T> {
  private readonly items: T[] = [];
  private readonly waiters: Array<(item: T) => void> = [];
  readonly all: T[] = [];

  push(item: T): void {
    this.all.push(item);
    const waiter = this.waiters.shift();
    if (waiter) waiter(item);
    else this.items.push(item);
  }

  next(timeoutMs = 5000): Promise<T> {
    const item = this.items.shift();
    if (item !== undefined) return Promise.resolve(item);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const index = this.waiters.indexOf(onItem);
        if (index >= 0) this.waiters.splice(index, 1);
        reject(new Error(`no item within ${timeoutMs} ms`));
      }, timeoutMs);
      const onItem = (value: T): void => {
        clearTimeout(timer);
        resolve(value);
      };
      this.waiters.push(onItem);
    });
  }
}

export interface Harness {
  dir: string;
  server: StepFunctionsServer;
  client: SFNClient;
  arn: string;
  logs: string[];
  restart(overrides?: Partial<StepFunctionsServerOptions>): Promise<void>;
  dispose(): Promise<void>;
}

/** Writes `definition` to a temp dir and serves it as state machine `test` with `functions`. */
export async function harness(
  definition: object,
  functions: Record<string, LocalFunction>,
  options: Partial<StepFunctionsServerOptions> & { dir?: string } = {},
): Promise<Harness> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'sfn-local-'));
  const definitionFile = join(dir, 'test.asl.json');
  writeFileSync(definitionFile, JSON.stringify(definition, null, 2));
  const logs: string[] = [];
  const start = (overrides: Partial<StepFunctionsServerOptions> = {}) =>
    startStepFunctionsServer({
      port: 0,
      host: '127.0.0.1',
      dataDir: dir,
      stateMachines: [{ name: 'test', definitionFile, substitutions: {}, functions }],
      log: (line) => logs.push(line),
      validate: false,
      ...options,
      ...overrides,
    });
  let server: StepFunctionsServer;
  try {
    server = await start();
  } catch (error) {
    if (!options.dir) rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const h: Harness = {
    dir,
    server,
    client: undefined as unknown as SFNClient,
    arn: '',
    logs,
    async restart(overrides) {
      await h.server.close();
      h.client.destroy();
      h.server = await start(overrides);
      h.client = new SFNClient({ endpoint: h.server.url, region: REGION, credentials: CREDENTIALS });
    },
    async dispose() {
      h.client.destroy();
      await h.server.close();
      if (!options.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
  h.client = new SFNClient({ endpoint: h.server.url, region: REGION, credentials: CREDENTIALS });
  h.arn = h.server.stateMachineArn('test');
  return h;
}

/** The error an SDK call rejects with (fails the test if it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

const CLOSED: readonly ExecutionStatus[] = ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'];

/** Resolves with DescribeExecution once the execution has one of `statuses` (default: any closed one). */
export function waitForExecution(
  h: Harness,
  executionArn: string,
  statuses: readonly ExecutionStatus[] = CLOSED,
  timeoutMs = 10_000,
): Promise<DescribeExecutionCommandOutput> {
  return waitFor(
    async () => {
      const described = await h.client.send(new DescribeExecutionCommand({ executionArn }));
      return described.status && statuses.includes(described.status) ? described : undefined;
    },
    { timeoutMs, intervalMs: 10, what: `${executionArn} to be ${statuses.join('|')}` },
  );
}
