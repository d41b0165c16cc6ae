/**
 * Stops `npm start` when the process that launched it goes away. A supervisor stops a
 * service with SIGTERM to the one process it started, `npm`, and npm exits without passing
 * the signal on: node would live on as an orphan holding the ports. So this process watches
 * its ancestors up to the npm process (`npm_execpath` names npm's script), or its parent when
 * npm did not start it, and calls `onGone` as soon as one of them has exited. Linux only
 * (/proc); elsewhere it watches nothing.
 */
import { readFileSync } from 'node:fs';

interface Ancestor {
  pid: number;
  /** Start time from /proc/<pid>/stat, so a reused pid is not taken for the same process. */
  started: string;
}

function stat(pid: number): { ppid: number; started: string } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may contain spaces.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), started: fields[19] ?? '' };
  } catch {
    return undefined;
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}

function ancestors(env: NodeJS.ProcessEnv): Ancestor[] {
  const npm = env.npm_execpath;
  const chain: Ancestor[] = [];
  let pid = process.ppid;
  while (pid > 1 && chain.length < 10) {
    const info = stat(pid);
    if (!info) break;
    chain.push({ pid, started: info.started });
    if (!npm || commandLine(pid).includes(npm)) return npm ? chain : chain.slice(0, 1);
    pid = info.ppid;
  }
  return chain.slice(0, 1);
}

export function onAncestorExit(onGone: (pid: number) => void, env: NodeJS.ProcessEnv = process.env, intervalMs = 250): () => void {
  const watched = ancestors(env);
  const timer = setInterval(() => {
    const gone = watched.find((ancestor) => stat(ancestor.pid)?.started !== ancestor.started);
    if (gone) {
      clearInterval(timer);
      onGone(gone.pid);
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
