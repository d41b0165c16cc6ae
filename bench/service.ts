/**
 * The processes the benchmark measures: its own stack process (bench/stack-process.ts) in the
 * deployed configuration or in one of npm start's settings, and `npm start` itself as a user runs
 * it; how to sign in to either, and the CPU time and memory of a process from /proc.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { localIssuer } from '../local/identity';
import { ENDPOINTS_FILE } from '../local/endpoints';
import { putLocalUser, userPoolFile } from '../local/user-pool';
import { filePoolStore } from '../local/user-pool-store';
import { http } from './load';

export interface Endpoints {
  apiUrl: string;
  mailUrl: string;
  sfnUrl: string;
  dynamoEndpoint: string;
  stateMachineArn: string;
  dynamoPid: number;
  /** process.sourceMapsEnabled in the stack process. */
  sourceMapsEnabled: boolean;
}

/**
 * How the stack process runs. The deployed configuration is Lambda's: `node --enable-source-maps`
 * (infra/constructs/service-function.ts sets NODE_OPTIONS) and Powertools' one-line JSON logs (no
 * POWERTOOLS_DEV, which pretty-prints them with indentation, as npm start sets it). Without the
 * flag, tsx (which runs the TypeScript here, in npm start too) turns source maps on by itself.
 */
export interface StackConfig {
  sourceMaps: boolean;
  logs: 'json' | 'pretty';
  dynamo: 'memory' | 'disk';
  /**
   * false: nothing reads the table's stream (no workflow starts). For the search stacks: a bulk seed
   * of 100,000 requests would otherwise start 100,000 workflows while the search is measured, where a
   * deployment has long settled them.
   */
  outbox?: boolean;
}

export const DEPLOYED: StackConfig = {
  sourceMaps: true,
  logs: 'json',
  dynamo: process.env.BENCH_DYNAMODB === 'disk' ? 'disk' : 'memory',
};

export const describeConfig = (c: StackConfig) =>
  `${c.sourceMaps ? '--enable-source-maps' : 'no --enable-source-maps'}, ${c.logs === 'json' ? 'JSON logs' : 'pretty logs'}, DynamoDB Local ${c.dynamo === 'disk' ? 'on disk' : 'in memory'}`;

/** Starts bench/stack-process.ts in `config` and waits for its READY line. */
export async function startService(
  dataDir: string,
  options: { cpuProfDir?: string; config?: StackConfig } = {},
): Promise<{ child: ChildProcess; endpoints: Endpoints }> {
  const config = options.config ?? DEPLOYED;
  const args = [
    ...(config.sourceMaps ? ['--enable-source-maps'] : []),
    ...(options.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${resolve(options.cpuProfDir)}`] : []),
    '--import',
    'tsx',
    'bench/stack-process.ts',
  ];
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, BENCH_DYNAMODB: config.dynamo };
  if (config.outbox === false) env.BENCH_OUTBOX = 'off';
  else delete env.BENCH_OUTBOX;
  delete env.NODE_OPTIONS;
  if (config.logs === 'pretty') env.POWERTOOLS_DEV = 'true';
  else delete env.POWERTOOLS_DEV;
  const child = spawn(process.execPath, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  const endpoints = await new Promise<Endpoints>((resolveReady, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split('\n').find((l) => l.startsWith('READY '));
      if (line) {
        child.stdout?.off('data', onData);
        // The functions' logs keep coming: read and drop them, as Lambda's log agent reads them.
        child.stdout?.resume();
        resolveReady(JSON.parse(line.slice('READY '.length)) as Endpoints);
      } else {
        output = output.slice(-20_000);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-20_000);
    });
    child.once('exit', (code) => reject(new Error(`the service exited (code ${code}) before it was ready:\n${output.slice(-3000)}`)));
  });
  child.removeAllListeners('exit');
  return { child, endpoints };
}

export function stopService(child: ChildProcess): Promise<void> {
  return new Promise((resolveStop) => {
    if (child.exitCode !== null) return resolveStop();
    child.once('exit', () => resolveStop());
    child.stdin?.end();
    setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
  });
}

export interface NpmStart {
  child: ChildProcess;
  apiUrl: string;
  dynamoEndpoint: string;
  tableName: string;
  stop: () => Promise<void>;
}

/**
 * `npm start` as a user runs it (its own PORT, MAIL_PORT and DATA_DIR, nothing else set: npm start
 * picks its own log format and keeps DynamoDB Local on disk), ready once GET /health answers. The
 * DynamoDB endpoint and table come from the endpoints file it writes in DATA_DIR.
 */
export async function startNpmStart(dataDir: string, ports: { port: number; mailPort: number }): Promise<NpmStart> {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(ports.port), MAIL_PORT: String(ports.mailPort), DATA_DIR: dataDir };
  for (const name of ['POWERTOOLS_DEV', 'NODE_OPTIONS', 'BENCH_DYNAMODB']) delete env[name];
  // Its own process group, so that stopping it reaches npm, the shell and node alike.
  const child = spawn('npm', ['start'], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  const stop = () =>
    new Promise<void>((resolveStop) => {
      if (exited || child.pid === undefined) return resolveStop();
      child.once('exit', () => resolveStop());
      process.kill(-child.pid, 'SIGTERM');
      setTimeout(() => {
        if (!exited && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      }, 15_000).unref();
    });
  const apiUrl = `http://127.0.0.1:${ports.port}`;
  const deadline = performance.now() + 120_000;
  for (;;) {
    if (exited) throw new Error(`npm start exited before it was ready:\n${output.slice(-3000)}`);
    const health = await http('GET', `${apiUrl}/health`).catch(() => undefined);
    if (health?.status === 200) break;
    if (performance.now() > deadline) {
      await stop();
      throw new Error(`npm start did not answer GET /health within 120 s:\n${output.slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const file = readFileSync(join(dataDir, ENDPOINTS_FILE), 'utf8');
  const value = (name: string) => /'([^']*)'/.exec(file.split('\n').find((line) => line.startsWith(`export ${name}=`)) ?? '')?.[1];
  const dynamoEndpoint = value('AWS_ENDPOINT_URL_DYNAMODB');
  const tableName = value('TABLE_NAME');
  if (!dynamoEndpoint || !tableName) throw new Error(`no DynamoDB endpoint or table name in ${ENDPOINTS_FILE}`);
  return { child, apiUrl, dynamoEndpoint, tableName, stop };
}

/** The profile `bench` that the runs' card requests use (bench/profile.ts too): carol alone approves. */
export const BENCH_PROFILE = {
  name: 'Bench',
  requireApprovalFor: ['card.request'],
  approvers: ['carol@example.com'],
  requiredApprovals: 1,
  remindAfter: 'PT4H',
  expireAfter: 'P3D',
};

/**
 * Authorization headers for the stack running with `dataDir`, as the token command makes them: each
 * person is also put in that stack's user directory (DATA_DIR's user pool; verified, enabled, in
 * exactly these groups), where the service resolves requesters and approvers.
 */
export async function benchAuth(dataDir: string) {
  const issuer = await localIssuer(dataDir);
  const directory = filePoolStore(userPoolFile(dataDir));
  return async (sub: string, email: string, groups: string[]) => {
    putLocalUser(directory, { sub, email, groups });
    return { authorization: `Bearer ${await issuer.sign({ sub, email, groups })}` };
  };
}

export function rssBytes(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

let ticksPerSecond: number | undefined;

/** A process's CPU time so far (user + system, /proc/<pid>/stat utime + stime), milliseconds. */
export function cpuMs(pid: number): number {
  ticksPerSecond ??= Number(spawnSync('getconf', ['CLK_TCK']).stdout?.toString().trim()) || 100;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces), from field 3 on: utime is field 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
}

/** The share of one core the processes used together over the next `ms` milliseconds. */
export async function cpuShare(pids: number[], ms: number): Promise<number> {
  const before = pids.reduce((sum, pid) => sum + cpuMs(pid), 0);
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, ms));
  return (pids.reduce((sum, pid) => sum + cpuMs(pid), 0) - before) / (performance.now() - t0);
}

/**
 * Waits until the processes use less than `share` of one core over a second (the outbox and the
 * workflows have caught up), at most `timeoutMs`; returns the last second's CPU share.
 */
export async function waitQuiet(pids: number[], options: { share?: number; timeoutMs?: number } = {}): Promise<number> {
  const share = options.share ?? 0.15;
  const deadline = performance.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    const used = await cpuShare(pids, 1000);
    if (used < share || performance.now() > deadline) return used;
  }
}
