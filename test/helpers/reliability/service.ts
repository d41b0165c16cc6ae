/**
 * `npm start` as a child process in its own process group, with a temporary DATA_DIR and free
 * ports. `crash()` SIGKILLs the whole group (the service and its DynamoDB Local die together, as
 * on a power cut); `stop()` ends it and waits until no process of the group is left. Every
 * service started here is also killed when the test process exits, even after a failure.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { freePort, waitFor } from '../../../local/net';

const ROOT = resolve(__dirname, '../../..');
const live = new Set<number>();
process.once('exit', () => {
  for (const pgid of live) {
    try {
      process.kill(-pgid, 'SIGCONT');
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

export interface NpmService {
  apiUrl: string;
  mailUrl: string;
  port: number;
  mailPort: number;
  dataDir: string;
  output(): string;
  /** Starts it again with the same DATA_DIR and ports (after crash() or stop()). */
  restart(): Promise<void>;
  /** SIGKILL to the whole process group; resolves when every process of it is gone. */
  crash(): Promise<void>;
  /** SIGTERM to the group, SIGKILL after 15 s; resolves when every process of it is gone. */
  stop(): Promise<void>;
  /** The pid of this service's DynamoDB Local (Java). */
  dynamoPid(): number;
}

export async function startNpmService(options: { dataDir: string; env?: Record<string, string> }): Promise<NpmService> {
  const port = await freePort();
  const mailPort = await freePort();
  const apiUrl = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let output = '';

  const launch = async () => {
    const started = spawn('npm', ['start'], {
      cwd: ROOT,
      detached: true,
      env: { ...process.env, ...options.env, PORT: String(port), MAIL_PORT: String(mailPort), DATA_DIR: options.dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = started;
    if (started.pid) live.add(started.pid);
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-20_000);
    };
    started.stdout?.on('data', collect);
    started.stderr?.on('data', collect);
    await waitFor(
      async () => {
        if (started.exitCode !== null) throw new Error(`npm start exited early (${started.exitCode}):\n${output}`);
        return (await fetch(`${apiUrl}/health`)).status === 200;
      },
      { timeoutMs: 120_000, what: 'npm start to answer /health', intervalMs: 200 },
    );
  };

  const endGroup = async (signal: NodeJS.Signals, graceMs: number) => {
    const pgid = child?.pid;
    if (!pgid) return;
    try {
      process.kill(-pgid, 'SIGCONT');
      process.kill(-pgid, signal);
    } catch {
      // already gone
    }
    try {
      await waitFor(async () => !groupAlive(pgid), { timeoutMs: graceMs, what: `process group ${pgid} to end`, intervalMs: 100 });
    } catch {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
      await waitFor(async () => !groupAlive(pgid), { timeoutMs: 10_000, what: `process group ${pgid} to die`, intervalMs: 100 });
    }
    live.delete(pgid);
  };

  const service: NpmService = {
    apiUrl,
    mailUrl: `http://127.0.0.1:${mailPort}`,
    port,
    mailPort,
    dataDir: options.dataDir,
    output: () => output,
    restart: launch,
    crash: () => endGroup('SIGKILL', 10_000),
    stop: () => endGroup('SIGTERM', 15_000),
    dynamoPid: () => {
      try {
        const pid = Number(readFileSync(join(options.dataDir, 'dynamodb.pid'), 'utf8').trim());
        if (Number.isInteger(pid) && pid > 0) return pid;
      } catch {
        // no pid file: find the Java process that serves this DATA_DIR
      }
      for (const entry of readdirSync('/proc')) {
        if (!/^\d+$/.test(entry)) continue;
        try {
          const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
          if (args[0]?.endsWith('java') && args.some((arg) => arg.startsWith(options.dataDir))) return Number(entry);
        } catch {
          // ended meanwhile
        }
      }
      throw new Error(`no DynamoDB Local process found for ${options.dataDir}`);
    },
  };
  try {
    await launch();
  } catch (error) {
    await service.crash();
    throw error;
  }
  return service;
}
