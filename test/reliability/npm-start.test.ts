/**
 * `npm start` as a process supervisor sees it: every port on 127.0.0.1 only, and a SIGTERM or
 * SIGINT to the npm process alone (or a SIGKILL of node) leaves nothing behind.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from '../../local/net';

interface Started {
  npm: ChildProcess;
  dataDir: string;
  ports: number[];
  /** Its processes once it answered /health. */
  pids: number[];
  output: () => string;
}

const started: Started[] = [];

/** A live process's parent; undefined once it has exited (a zombie has exited: only its exit status is left). */
function procStat(pid: number): { ppid: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return fields[0] === 'Z' ? undefined : { ppid: Number(fields[1]) };
  } catch {
    return undefined;
  }
}

/** Every live process whose ancestry leads to `root`. */
function descendants(root: number): number[] {
  const parents = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = procStat(Number(name));
    if (stat) parents.set(Number(name), stat.ppid);
  }
  const found: number[] = [];
  for (const pid of parents.keys()) {
    let parent = parents.get(pid);
    for (let depth = 0; parent && depth < 20; depth++) {
      if (parent === root) {
        found.push(pid);
        break;
      }
      parent = parents.get(parent);
    }
  }
  return found;
}

const alive = (pid: number) => procStat(pid) !== undefined;
const commandLine = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
};

/** Listening TCP sockets of these processes: `address:port` as the kernel reports them. */
function listeningSockets(pids: number[]): Array<{ address: string; port: number }> {
  const inodes = new Set<string>();
  for (const pid of pids) {
    let fds: string[] = [];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (match?.[1]) inodes.add(match[1]);
      } catch {
        // closed meanwhile
      }
    }
  }
  const sockets: Array<{ address: string; port: number }> = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').trim().split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const [address, port] = (fields[1] ?? '').split(':');
      if (fields[3] === '0A' && inodes.has(fields[9] ?? ''))
        sockets.push({ address: address ?? '', port: Number.parseInt(port ?? '', 16) });
    }
  }
  return sockets;
}

/** 127.0.0.1 as /proc/net/tcp writes it, and as an IPv4-mapped address in /proc/net/tcp6. */
const LOOPBACK = ['0100007F', '0000000000000000FFFF00000100007F'];

const portIsFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

async function npmStart(): Promise<Started> {
  const dataDir = mkdtempSync(join(tmpdir(), 'approvals-npm-start-'));
  const port = await freePort();
  const mailPort = await freePort();
  const npm = spawn('npm', ['start'], {
    env: { ...process.env, PORT: String(port), MAIL_PORT: String(mailPort), DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  npm.stdout?.on('data', (chunk) => (output += chunk));
  npm.stderr?.on('data', (chunk) => (output += chunk));
  const run: Started = { npm, dataDir, ports: [port, mailPort], pids: [], output: () => output };
  started.push(run);
  await waitFor(
    async () => {
      if (npm.exitCode !== null) throw new Error(`npm start exited early:\n${output}`);
      return (await fetch(`http://127.0.0.1:${port}/health`)).status === 200;
    },
    { timeoutMs: 90_000, what: 'npm start to answer /health', intervalMs: 200 },
  );
  run.pids = descendants(npm.pid ?? 0);
  return run;
}

afterAll(() => {
  // Only if a test failed half-way: stop what this file started, orphans included.
  for (const run of started.splice(0)) {
    for (const pid of [...new Set([...run.pids, ...descendants(run.npm.pid ?? 0)])].filter(alive)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
    if (run.npm.exitCode === null) run.npm.kill('SIGKILL');
    rmSync(run.dataDir, { recursive: true, force: true });
  }
});

describe('one npm start', () => {
  let run: Started;
  beforeAll(async () => {
    run = await npmStart();
  }, 120_000);

  test('every port npm start opens listens on 127.0.0.1 only, DynamoDB Local included', async () => {
    const javaPid = Number(readFileSync(join(run.dataDir, 'dynamodb.pid'), 'utf8'));
    expect(commandLine(javaPid)).toMatch(/java .*LoopbackDynamoDbLocal/);
    const processes = descendants(run.npm.pid ?? 0);
    expect(processes).toContain(javaPid);
    const sockets = listeningSockets(processes);
    // The API, the mailbox, DynamoDB Local, the workflow engine and the secrets endpoint at least.
    expect(sockets.length).toBeGreaterThanOrEqual(5);
    expect(sockets.map((socket) => socket.port)).toEqual(expect.arrayContaining(run.ports));
    expect(listeningSockets([javaPid])).toHaveLength(1);
    for (const socket of sockets) expect(LOOPBACK).toContain(socket.address);
  });

  test('SIGTERM to the npm process alone stops node and DynamoDB Local and frees every port', async () => {
    const processes = descendants(run.npm.pid ?? 0);
    const ports = listeningSockets(processes).map((socket) => socket.port);
    expect(processes.some((pid) => commandLine(pid).includes('local/start.ts'))).toBe(true);
    expect(existsSync(join(run.dataDir, 'dynamodb.pid'))).toBe(true);

    process.kill(run.npm.pid ?? 0, 'SIGTERM');

    await waitFor(async () => processes.every((pid) => !alive(pid)), { timeoutMs: 30_000, what: `${processes.join(', ')} to exit` });
    for (const port of ports) expect(await portIsFree(port)).toBe(true);
    expect(existsSync(join(run.dataDir, 'dynamodb.pid'))).toBe(false);
  }, 60_000);
});

test('SIGINT to the npm process alone stops everything as SIGTERM does; the banner listed every endpoint of endpoints.env, removed on stop', async () => {
  const run = await npmStart();
  const processes = descendants(run.npm.pid ?? 0);
  const ports = listeningSockets(processes).map((socket) => socket.port);
  const endpointsFile = join(run.dataDir, 'endpoints.env');
  const exported = readFileSync(endpointsFile, 'utf8')
    .split('\n')
    .flatMap((line) => /^export AWS_ENDPOINT_URL_\w+='(.+)'$/.exec(line)?.[1] ?? []);
  expect(exported.length).toBeGreaterThanOrEqual(4);
  await waitFor(async () => run.output().includes('Endpoints'), { timeoutMs: 10_000, what: 'the banner' });
  for (const url of exported) expect(run.output()).toContain(url);
  const exited = new Promise<number | null>((resolve) => run.npm.once('exit', (code) => resolve(code)));

  process.kill(run.npm.pid ?? 0, 'SIGINT');

  await waitFor(async () => processes.every((pid) => !alive(pid)), { timeoutMs: 30_000, what: `${processes.join(', ')} to exit` });
  await exited;
  expect(run.output()).toContain('SIGINT: stopping...');
  for (const port of ports) expect(await portIsFree(port)).toBe(true);
  expect(existsSync(join(run.dataDir, 'dynamodb.pid'))).toBe(false);
  expect(existsSync(endpointsFile)).toBe(false);
}, 120_000);

test('when node is killed outright (SIGKILL), DynamoDB Local does not outlive it', async () => {
  const run = await npmStart();
  const javaPid = Number(readFileSync(join(run.dataDir, 'dynamodb.pid'), 'utf8'));
  const node = descendants(run.npm.pid ?? 0).find((pid) => commandLine(pid).includes('local/start.ts'));
  expect(node).toBeDefined();

  process.kill(node ?? 0, 'SIGKILL');

  await waitFor(async () => !alive(javaPid), { timeoutMs: 30_000, what: 'DynamoDB Local to exit' });
}, 120_000);

test('a SIGTERM while it is still starting stops it cleanly once there is something to stop', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'approvals-npm-start-'));
  const port = await freePort();
  const npm = spawn('npm', ['start'], {
    env: { ...process.env, PORT: String(port), MAIL_PORT: String(await freePort()), DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  npm.stdout?.on('data', (chunk) => (output += chunk));
  npm.stderr?.on('data', (chunk) => (output += chunk));
  const run: Started = { npm, dataDir, ports: [port], pids: [], output: () => output };
  started.push(run);
  const exited = new Promise<number | null>((resolve) => npm.once('exit', (code) => resolve(code)));
  // DynamoDB Local is the first part to start: signal node as soon as it runs, before /health answers.
  await waitFor(async () => existsSync(join(dataDir, 'dynamodb.pid')), {
    timeoutMs: 60_000,
    what: 'DynamoDB Local to start',
    intervalMs: 20,
  });
  const processes = descendants(npm.pid ?? 0);
  // node itself, not the shell script that starts it.
  const node = processes.find((pid) => commandLine(pid).includes('local/start.ts') && !commandLine(pid).startsWith('sh '));
  expect(node).toBeDefined();

  process.kill(node ?? 0, 'SIGTERM');

  expect([await exited, output]).toEqual([0, expect.any(String)]);
  expect(output).toContain('SIGTERM: stopping...');
  expect(output).not.toContain('Approval service is running.');
  await waitFor(async () => processes.every((pid) => !alive(pid)), { timeoutMs: 30_000, what: `${processes.join(', ')} to exit` });
  // Removed by a clean stop only.
  expect(existsSync(join(dataDir, 'dynamodb.pid'))).toBe(false);
  expect(await portIsFree(port)).toBe(true);
}, 120_000);
