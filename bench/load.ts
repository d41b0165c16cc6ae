/**
 * The benchmark's load generator: a keep-alive HTTP client, closed-loop runs of N clients, and
 * the statistics the report uses (medians and percentiles of latencies, rates).
 */
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

const agent = new Agent({ keepAlive: true, maxSockets: 256 });

export interface Reply {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

export function http(method: string, url: string, options: { headers?: Record<string, string>; body?: unknown } = {}): Promise<Reply> {
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (body !== undefined) {
    headers['content-type'] ??= 'application/json';
    headers['content-length'] = String(Buffer.byteLength(body));
  }
  const once = () =>
    new Promise<Reply>((resolve, reject) => {
      const req = request(url, { method, headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
        res.on('error', reject);
      });
      req.on('error', (error: NodeJS.ErrnoException) => reject(Object.assign(error, { reusedSocket: req.reusedSocket })));
      req.end(body);
    });
  // A kept-alive socket the server closed as idle just as this request went out: the server never
  // read the request, so it is sent again on a new socket (node's documented retry for reused sockets).
  return once().catch((error: NodeJS.ErrnoException & { reusedSocket?: boolean }) => {
    if (error.reusedSocket && (error.code === 'ECONNRESET' || error.message === 'socket hang up')) return once();
    throw error;
  });
}

export function closeClient(): void {
  agent.destroy();
}

export interface RunResult {
  /** Latency of each operation, milliseconds. */
  latencies: number[];
  /** When each operation started, milliseconds after the run began (same order as `latencies`). */
  starts: number[];
  ops: number;
  elapsedMs: number;
  perSecond: number;
}

/**
 * Runs `op` from `clients` concurrent loops until `count` operations were started or `durationMs`
 * passed, whichever comes first. An operation that throws fails the run (a benchmark of errors
 * would measure nothing).
 */
export async function closedLoop(
  clients: number,
  limits: { count?: number; durationMs?: number },
  op: (index: number) => Promise<unknown>,
): Promise<RunResult> {
  const latencies: number[] = [];
  const starts: number[] = [];
  let started = 0;
  const begin = performance.now();
  const deadline = limits.durationMs === undefined ? Number.POSITIVE_INFINITY : begin + limits.durationMs;
  const count = limits.count ?? Number.POSITIVE_INFINITY;
  const loop = async () => {
    while (started < count && performance.now() < deadline) {
      const index = started++;
      const t0 = performance.now();
      await op(index);
      latencies.push(performance.now() - t0);
      starts.push(t0 - begin);
    }
  };
  await Promise.all(Array.from({ length: clients }, loop));
  const elapsedMs = performance.now() - begin;
  return { latencies, starts, ops: latencies.length, elapsedMs, perSecond: (latencies.length * 1000) / elapsedMs };
}

/**
 * The latencies of a run's steady part: operations started after the warm-up (the first `from` of
 * the run) and before the ramp-down (the last part, after `to`, where clients stop one by one).
 * A run too short to have any (a smoke run's) gives all of its latencies.
 */
export function steadyLatencies(run: RunResult, from = 0.2, to = 0.85): number[] {
  const steady = run.latencies.filter((_, i) => {
    const start = run.starts[i] as number;
    return start >= from * run.elapsedMs && start <= to * run.elapsedMs;
  });
  return steady.length > 0 ? steady : run.latencies;
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

export const median = (values: readonly number[]) => percentile(values, 50);

export const round = (value: number, digits = 2) => Number(value.toFixed(digits));
