/**
 * Where the local user pool keeps its users and groups: one JSON file in DATA_DIR (or memory, for
 * stacks that keep nothing). The file is the source of truth for every process that writes it (the
 * running stack's emulator, the token command, the local sign-in), so the token command works with
 * or without a stack running:
 * - a write takes a lock file (`<file>.lock`, created exclusively, holding the writer's process id;
 *   a lock whose process is gone, or older than STALE_LOCK_MS, is taken over), re-reads the file, changes it, writes a temporary file
 *   and renames it over the store: a reader never sees half a file;
 * - a read re-reads the file only when it changed (its inode, size or modification time in
 *   nanoseconds differ from the last read), so a user written by the token command is seen by the
 *   running emulator at its next request.
 * Everything here is synchronous: a change is a few kilobytes, and no two changes of one process
 * can interleave.
 */
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export interface StoredUser {
  username: string;
  /** Attribute values by name (`sub`, `email`, `email_verified`, ...). */
  attributes: Record<string, string>;
  enabled: boolean;
  /** `CONFIRMED`, `FORCE_CHANGE_PASSWORD`, ... as Cognito reports it. */
  status: string;
  /** The names of the groups the user is in. */
  groups: string[];
  /** ISO timestamps. */
  created: string;
  modified: string;
}

export interface StoredGroup {
  name: string;
  description?: string;
  precedence?: number;
  created: string;
  modified: string;
}

export interface PoolState {
  version: 1;
  users: Record<string, StoredUser>;
  groups: Record<string, StoredGroup>;
}

export interface PoolStore {
  /** Runs `read` on the current state (not to be changed). */
  read<T>(read: (state: PoolState) => T): T;
  /** Runs `change` on the current state and keeps what it changed, atomically; a throw keeps nothing. */
  write<T>(change: (state: PoolState) => T): T;
}

export const emptyPool = (): PoolState => ({ version: 1, users: {}, groups: {} });

/** A lock older than this belongs to a process that died while writing (a write takes milliseconds). */
export const STALE_LOCK_MS = 10_000;
const LOCK_WAIT_MS = 15_000;

const sleepSync = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** Whether the process that wrote this lock has gone (a lock still being written has no id yet: not gone). */
function ownerGone(lockFile: string): boolean {
  const pid = Number(readFileSync(lockFile, 'utf8'));
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function parse(text: string, file: string): PoolState {
  const state = JSON.parse(text) as PoolState;
  if (state?.version !== 1 || typeof state.users !== 'object' || typeof state.groups !== 'object') {
    throw new Error(`${file} is not a user pool of this version`);
  }
  return state;
}

/** The state in memory only (ephemeral stacks). */
export function memoryPoolStore(initial: PoolState = emptyPool()): PoolStore {
  let state = structuredClone(initial);
  return {
    read: (read) => read(state),
    write(change) {
      const draft = structuredClone(state);
      const result = change(draft);
      state = draft;
      return result;
    },
  };
}

/** The state in `file`, shared with other processes as described above. */
export function filePoolStore(file: string): PoolStore {
  mkdirSync(dirname(file), { recursive: true });
  const lockFile = `${file}.lock`;
  let cached: { state: PoolState; stamp: string } | undefined;

  const stampOf = (): string | undefined => {
    try {
      const stat = statSync(file, { bigint: true });
      return `${stat.ino}:${stat.size}:${stat.mtimeNs}`;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  };
  const current = (): PoolState => {
    const stamp = stampOf();
    if (stamp === undefined) return emptyPool();
    if (cached?.stamp !== stamp) cached = { state: parse(readFileSync(file, 'utf8'), file), stamp };
    return cached.state;
  };

  const lock = () => {
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      try {
        const fd = openSync(lockFile, 'wx');
        writeSync(fd, String(process.pid));
        closeSync(fd);
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      try {
        if (Date.now() - statSync(lockFile).mtimeMs > STALE_LOCK_MS || ownerGone(lockFile)) rmSync(lockFile, { force: true });
      } catch {
        // Released meanwhile: try again.
      }
      if (Date.now() > deadline)
        throw new Error(`the user pool ${file} stays locked (${lockFile}); remove the lock if no process holds it`);
      sleepSync(5);
    }
  };

  return {
    read: (read) => read(current()),
    write(change) {
      lock();
      try {
        const draft = structuredClone(current());
        const result = change(draft);
        const temporary = `${file}.${process.pid}.tmp`;
        writeFileSync(temporary, `${JSON.stringify(draft, null, 1)}\n`, { mode: 0o600 });
        renameSync(temporary, file);
        const stamp = stampOf();
        cached = stamp ? { state: draft, stamp } : undefined;
        return result;
      } finally {
        rmSync(lockFile, { force: true });
      }
    },
  };
}

/** A record's own entry (never one inherited from Object.prototype). */
export const own = <T>(record: Record<string, T>, key: string): T | undefined => (Object.hasOwn(record, key) ? record[key] : undefined);

/** Sets a record's own entry; a key such as `__proto__` stays a plain entry, never the prototype. */
export function setOwn<T>(record: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}
