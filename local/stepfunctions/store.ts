/**
 * Executions persisted to `<dataDir>/stepfunctions/executions.json`.
 * Every write replaces the whole file atomically (temp file, fsync, rename);
 * writes are serialised, and saves requested while one is waiting are coalesced.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
export const EXECUTION_STATUSES: readonly ExecutionStatus[] = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'];

export interface StoredExecution {
  executionArn: string;
  stateMachineArn: string;
  stateMachineName: string;
  name: string;
  /** The input exactly as given to StartExecution. */
  input: string;
  status: ExecutionStatus;
  /** ISO 8601. */
  startDate: string;
  stopDate?: string;
  /** JSON text, when SUCCEEDED. */
  output?: string;
  error?: string;
  cause?: string;
}

interface FileShape {
  version: 1;
  executions: StoredExecution[];
}

export class ExecutionStore {
  readonly file: string;
  private readonly dir: string;
  private chain: Promise<void> = Promise.resolve();
  private queued: Promise<void> | undefined;
  private counter = 0;

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'stepfunctions');
    this.file = join(this.dir, 'executions.json');
  }

  /** Reads the file (none yet: no executions). A file that is not ours is an error, never silently dropped. */
  load(): StoredExecution[] {
    mkdirSync(this.dir, { recursive: true });
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new Error(`${this.file} is not valid JSON: fix or remove it`);
    }
    const shape = parsed as Partial<FileShape> | null;
    if (shape?.version !== 1 || !Array.isArray(shape.executions)) {
      throw new Error(`${this.file} has an unknown format: fix or remove it`);
    }
    return shape.executions;
  }

  /**
   * Writes `snapshot()` taken when the write starts, after any write in progress.
   * A save requested while another is still waiting to start shares that one.
   */
  save(snapshot: () => StoredExecution[]): Promise<void> {
    if (this.queued) return this.queued;
    const queued = this.chain.then(() => {
      this.queued = undefined;
      return this.write(snapshot());
    });
    this.queued = queued;
    this.chain = queued.catch(() => {});
    return queued;
  }

  /** Resolves once every requested write has finished. */
  async flush(): Promise<void> {
    await this.chain;
  }

  private async write(executions: StoredExecution[]): Promise<void> {
    const body: FileShape = { version: 1, executions };
    const temp = `${this.file}.${process.pid}.${++this.counter}.tmp`;
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(`${JSON.stringify(body, null, 2)}\n`, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await rename(temp, this.file);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }
}
