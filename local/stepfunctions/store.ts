/**
 * Executions persisted to `<dataDir>/stepfunctions/executions.json`, a snapshot of every
 * execution, plus `executions.journal` beside it: each change (an execution started or finished)
 * is appended to the journal as one JSON line and fsynced, so a change costs the same however
 * many executions are stored (rewriting the whole snapshot per change made each StartExecution
 * slower as executions accumulated). Appends are serialised; changes made while one is being
 * written go out together in the next append.
 *
 * The snapshot is rewritten atomically (temp file, fsync, rename) and the journal removed when
 * the engine has been idle for a moment, when the journal has grown past the snapshot's size
 * (so each change's share of rewriting stays constant), and on close. Loading reads the
 * snapshot, then replays the journal over it (the last line of an execution wins; a line torn
 * by a crash is skipped).
 */
import { mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { open, rm } from 'node:fs/promises';
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

/** Idle time after the last change before the snapshot is rewritten and the journal dropped. */
const COMPACT_AFTER_IDLE_MS = 200;

export class ExecutionStore {
  readonly file: string;
  private readonly journal: string;
  private readonly dir: string;
  private chain: Promise<void> = Promise.resolve();
  private queued: Promise<void> | undefined;
  private lines: string[] = [];
  private journalLines = 0;
  private snapshotSize = 0;
  private idle: NodeJS.Timeout | undefined;
  private latest: (() => StoredExecution[]) | undefined;
  private counter = 0;

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'stepfunctions');
    this.file = join(this.dir, 'executions.json');
    this.journal = join(this.dir, 'executions.journal');
  }

  /** Reads the snapshot (none yet: no executions) and the journal. A snapshot that is not ours is an error, never silently dropped. */
  load(): StoredExecution[] {
    mkdirSync(this.dir, { recursive: true });
    const executions = new Map<string, StoredExecution>();
    for (const record of this.readSnapshot()) executions.set(record.executionArn, record);
    let journal = '';
    try {
      journal = readFileSync(this.journal, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    for (const line of journal.split('\n')) {
      if (!line) continue;
      try {
        const record = JSON.parse(line) as StoredExecution;
        if (typeof record?.executionArn === 'string') executions.set(record.executionArn, record);
      } catch {
        // A line torn by a crash while it was appended: that change was never acknowledged.
      }
    }
    const all = [...executions.values()];
    this.snapshotSize = all.length;
    // The journal is folded into the snapshot at the next compaction (idle, flush).
    this.journalLines = journal ? journal.split('\n').filter(Boolean).length : 0;
    return all;
  }

  /**
   * Appends `changed` to the journal; resolves once it is on disk. `snapshot()` gives every
   * execution, for the next rewrite of the snapshot.
   */
  save(changed: StoredExecution, snapshot: () => StoredExecution[]): Promise<void> {
    this.latest = snapshot;
    this.lines.push(`${JSON.stringify(changed)}\n`);
    if (this.idle) clearTimeout(this.idle);
    this.idle = setTimeout(() => {
      this.idle = undefined;
      this.chain = this.chain.then(() => this.compactIfJournal()).catch(() => {});
    }, COMPACT_AFTER_IDLE_MS);
    this.idle.unref();
    if (this.queued) return this.queued;
    const queued = this.chain.then(async () => {
      this.queued = undefined;
      const lines = this.lines;
      this.lines = [];
      await this.append(lines.join(''));
      this.journalLines += lines.length;
      if (this.journalLines > Math.max(1000, this.snapshotSize)) await this.compactIfJournal();
    });
    this.queued = queued;
    this.chain = queued.catch(() => {});
    return queued;
  }

  /** Resolves once every requested write has finished; the snapshot then holds everything and the journal is gone. */
  async flush(): Promise<void> {
    if (this.idle) clearTimeout(this.idle);
    this.idle = undefined;
    await this.chain;
    if (this.journalLines > 0) {
      this.chain = this.chain.then(() => this.compactIfJournal());
      await this.chain;
    }
  }

  private readSnapshot(): StoredExecution[] {
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

  private async append(text: string): Promise<void> {
    const handle = await open(this.journal, 'a');
    try {
      await handle.writeFile(text, 'utf8');
      await handle.datasync();
    } finally {
      await handle.close();
    }
  }

  private async compactIfJournal(): Promise<void> {
    if (this.journalLines === 0) return;
    await this.compact(this.latest ?? (() => this.load()));
  }

  /** Rewrites the snapshot with every execution, then drops the journal it now contains. */
  private async compact(snapshot: () => StoredExecution[]): Promise<void> {
    const executions = snapshot();
    await this.write(executions, () => rmSync(this.journal, { force: true }));
    this.journalLines = 0;
    this.snapshotSize = executions.length;
  }

  /** Writes the snapshot; `replaced` runs in the same tick as the rename (the journal it folds in goes with it). */
  private async write(executions: StoredExecution[], replaced: () => void): Promise<void> {
    const body: FileShape = { version: 1, executions };
    const temp = `${this.file}.${process.pid}.${++this.counter}.tmp`;
    const handle = await open(temp, 'w');
    try {
      // Compact JSON: the snapshot holds every execution ever started.
      await handle.writeFile(`${JSON.stringify(body)}\n`, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      renameSync(temp, this.file);
      replaced();
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }
}
