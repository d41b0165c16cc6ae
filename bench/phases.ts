/**
 * The measuring phases on one running stack: service and bare calls taken in turn (1
 * client), the clients sweep and the 50-client throughput runs, and the CPU per approval.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Calls } from './calls';
import { closedLoop, median, percentile, type RunResult, steadyLatencies } from './load';
import { cpuMs, cpuShare, waitQuiet } from './service';
import type { Sizes } from './sizes';

type Call = () => Promise<void>;

/**
 * Medians of each arm's calls at 1 client, taken in turn: one call of each arm per step, the order
 * rotated at every step, so that every arm meets the same load, the work the others' calls left
 * running included (a create's workflow, which in Lambda runs in other instances). In blocks of
 * one arm's calls, as the bench first ran them, a block of creates met the workflows of the creates
 * before it and the next block of bare calls met them draining. `samples` keeps every latency.
 */
export async function interleaved(
  size: Pick<Sizes, 'samples'>,
  arms: Record<string, Call>,
): Promise<Record<string, number> & { samples: Record<string, number[]> }> {
  const entries = Object.entries(arms);
  const samples: Record<string, number[]> = Object.fromEntries(entries.map(([name]) => [name, []]));
  for (let step = 0; step < size.samples; step++)
    for (let k = 0; k < entries.length; k++) {
      const [name, call] = entries[(step + k) % entries.length] as [string, Call];
      const start = performance.now();
      await call();
      samples[name]?.push(performance.now() - start);
    }
  const medians = Object.fromEntries(Object.entries(samples).map(([name, values]) => [name, median(values)]));
  return Object.assign(medians, { samples });
}

export interface LatencyFigures {
  /** `hop`: GET /health taken in the same turns, the gateway's round trip with nothing behind it. */
  get: { service: number; bare: number; hop: number };
  create: { service: number; bare: number; transact2: number };
  decide: { service: number; bare: number; transact2: number };
}

/**
 * GET, create and decide at 1 client beside their bare calls (and the old 2-item transaction); the
 * creates feed the decisions, so the decisions find as many pending requests as they need.
 */
export async function latencyPhase(calls: Calls, size: Pick<Sizes, 'samples'>): Promise<LatencyFigures> {
  const get = await interleaved(size, { bare: calls.bare.query, service: calls.service.get, hop: calls.service.health });
  const create = await interleaved(size, { bare: calls.bare.create, transact2: calls.bare.transact2, service: calls.service.create });
  const decide = await interleaved(size, { bare: calls.bare.decide, transact2: calls.bare.transact2, service: calls.service.decide });
  return {
    get: { service: get.service ?? Number.NaN, bare: get.bare ?? Number.NaN, hop: get.hop ?? Number.NaN },
    create: { service: create.service ?? Number.NaN, bare: create.bare ?? Number.NaN, transact2: create.transact2 ?? Number.NaN },
    decide: { service: decide.service ?? Number.NaN, bare: decide.bare ?? Number.NaN, transact2: decide.transact2 ?? Number.NaN },
  };
}

export type Sweep = Record<'create' | 'get' | 'transact2' | 'query', RunResult[]>;

/** Create, GET and their bare calls at each client count, for the chart. */
export async function sweepPhase(calls: Calls, size: Pick<Sizes, 'clients' | 'sweepMs'>, log: (line: string) => void): Promise<Sweep> {
  const sweep: Sweep = { create: [], get: [], transact2: [], query: [] };
  for (const clients of size.clients) {
    log(`${clients} clients`);
    const run = (call: Call) => closedLoop(clients, { durationMs: size.sweepMs }, call);
    sweep.transact2.push(await run(calls.bare.transact2));
    sweep.create.push(await run(calls.service.create));
    sweep.query.push(await run(calls.bare.query));
    sweep.get.push(await run(calls.service.get));
  }
  return sweep;
}

export interface ThroughputRun {
  transact2PerSecond: number;
  createPerSecond: number;
  decidePerSecond: number;
  createRatio: number;
  decideRatio: number;
}

export interface ThroughputFigures {
  clients: number;
  runs: ThroughputRun[];
  /** p99 and median of the steady part of every create run, and of every decide run. */
  create: { p99: number; median: number };
  decide: { p99: number; median: number };
}

/**
 * Each run: the bare 2-item transaction, creates, the transaction again, decisions (of the requests
 * pending, never more), each for `throughputMs` at `clients`; a run's ratios are against the
 * transaction run just before each.
 */
export async function throughputPhase(
  calls: Calls,
  size: Pick<Sizes, 'throughputRuns' | 'throughputMs'>,
  clients: number,
  log: (line: string) => void,
): Promise<ThroughputFigures> {
  const runs: ThroughputRun[] = [];
  const createSteady: number[] = [];
  const decideSteady: number[] = [];
  for (let r = 0; r < size.throughputRuns; r++) {
    const bare1 = await closedLoop(clients, { durationMs: size.throughputMs }, calls.bare.transact2);
    const create = await closedLoop(clients, { durationMs: size.throughputMs }, calls.service.create);
    const bare2 = await closedLoop(clients, { durationMs: size.throughputMs }, calls.bare.transact2);
    const decide = await closedLoop(clients, { durationMs: size.throughputMs, count: calls.pending.length }, calls.service.decide);
    createSteady.push(...steadyLatencies(create));
    decideSteady.push(...steadyLatencies(decide));
    const run = {
      transact2PerSecond: median([bare1.perSecond, bare2.perSecond]),
      createPerSecond: create.perSecond,
      decidePerSecond: decide.perSecond,
      createRatio: create.perSecond / bare1.perSecond,
      decideRatio: decide.perSecond / bare2.perSecond,
    };
    log(
      `run ${r + 1}: ${run.createPerSecond.toFixed(1)} creates/s (${run.createRatio.toFixed(2)}×), ${run.decidePerSecond.toFixed(1)} decisions/s (${run.decideRatio.toFixed(2)}×) vs ${bare1.perSecond.toFixed(1)} and ${bare2.perSecond.toFixed(1)} bare transactions/s`,
    );
    runs.push(run);
  }
  return {
    clients,
    runs,
    create: { p99: percentile(createSteady, 99), median: median(createSteady) },
    decide: { p99: percentile(decideSteady, 99), median: median(decideSteady) },
  };
}

export interface CpuFigures {
  approvals: number;
  /** CPU time of each process over the phase, idle share included. */
  nodeMs: number;
  javaMs: number;
  /** CPU share of one core both processes used while idle just before (the local stream poller's reads, timers). */
  idleShare: number;
  elapsedMs: number;
  /** Both processes' CPU time per approval, as measured. */
  grossPerApprovalMs: number;
  /** The same less what the idle processes would have used over the phase's time: the approvals' own CPU. */
  perApprovalMs: number;
  /** DynamoDB Local's share of `idleShare`, and its CPU per approval less that idle share (the JVM alone). */
  javaIdleShare: number;
  javaPerApprovalMs: number;
  /**
   * The floor, per approval, of the synchronous calls a create and a decision must make, made bare
   * (the profile GetItem and the create's TransactWriteItems, the consistent GetItem and the
   * decision's TransactWriteItems), `approvals` of each: DynamoDB Local's CPU less its idle share,
   * and the CPU of the node process making them (the bench's own, which does nothing else then)
   * inside the SDK's sends alone; `bareNodePerApprovalMs` is the same process's CPU in all, with the
   * adapters building the items and, for a decision, the domain's rule.
   */
  bareJavaPerApprovalMs: number;
  bareSendsPerApprovalMs: number;
  bareNodePerApprovalMs: number;
}

/** Node's CPU (ms) inside `db`'s sends while `run` runs, its sends awaited one at a time. */
async function cpuInSends(db: Calls['db'], run: () => Promise<void>): Promise<number> {
  let micros = 0;
  const name = 'benchCpuInSends';
  db.middlewareStack.add(
    (next) => async (args) => {
      const start = process.cpuUsage();
      try {
        return await next(args);
      } finally {
        const spent = process.cpuUsage(start);
        micros += spent.user + spent.system;
      }
    },
    { step: 'initialize', priority: 'high', name },
  );
  try {
    await run();
  } finally {
    db.middlewareStack.remove(name);
  }
  return micros / 1000;
}

type Email = { subject?: string; destination?: { to?: string[] } };

/**
 * CPU time of the stack process (node) and of DynamoDB Local (its JVM) from the first create to
 * the last outcome email of `approvals` approvals, in a quiet phase, divided by their number: each
 * request created, its approval email awaited, decided, its outcome email awaited.
 */
export async function cpuPhase(
  calls: Calls,
  stack: { nodePid: number; javaPid: number; dataDir: string },
  approvals: number,
): Promise<CpuFigures> {
  // The emails as the mailbox persists them in DATA_DIR: read from the file, so that waiting for
  // them costs the measured processes nothing (GET /store would, and more with every email).
  const file = join(stack.dataDir, 'mailbox', 'emails.jsonl');
  const emails = async () =>
    (await readFile(file, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Email);
  const countTo = (list: Email[], who: string) => list.filter((email) => email.destination?.to?.includes(who)).length;
  const until = async (what: string, done: (list: Email[]) => boolean) => {
    const deadline = performance.now() + 120_000;
    while (!done(await emails())) {
      if (performance.now() > deadline) throw new Error(`CPU phase: timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  await waitQuiet([stack.nodePid, stack.javaPid]);
  // Both processes' idle CPU over the same 3 s, and the JVM's alone.
  const javaIdle0 = cpuMs(stack.javaPid);
  const idle0 = performance.now();
  const idleShare = await cpuShare([stack.nodePid, stack.javaPid], 3000);
  const javaIdleShare = (cpuMs(stack.javaPid) - javaIdle0) / (performance.now() - idle0);
  const before = await emails();
  const approverBefore = countTo(before, 'carol@example.com');
  const requesterBefore = countTo(before, 'alice@example.com');
  const node0 = cpuMs(stack.nodePid);
  const java0 = cpuMs(stack.javaPid);
  const t0 = performance.now();
  const ids: string[] = [];
  await closedLoop(Math.min(5, approvals), { count: approvals }, async () => {
    await calls.service.create();
    ids.push(calls.pending.pop() as string);
  });
  await until('the approval emails', (list) => countTo(list, 'carol@example.com') >= approverBefore + approvals);
  // The requester's emails so far (any sent on create): the outcome emails come on top.
  const requesterCreated = countTo(await emails(), 'alice@example.com');
  calls.pending.unshift(...ids);
  await closedLoop(Math.min(5, approvals), { count: approvals }, calls.service.decide);
  await until(
    'the outcome emails',
    (list) => countTo(list, 'alice@example.com') >= Math.max(requesterBefore, requesterCreated) + approvals,
  );
  const elapsedMs = performance.now() - t0;
  const nodeMs = cpuMs(stack.nodePid) - node0;
  const javaMs = cpuMs(stack.javaPid) - java0;
  const gross = nodeMs + javaMs;
  // The floor: the same number of approvals' synchronous calls made bare, once the stack is quiet again.
  await waitQuiet([stack.nodePid, stack.javaPid]);
  const bareJava0 = cpuMs(stack.javaPid);
  const bareNode0 = process.cpuUsage();
  const bareT0 = performance.now();
  const bareSendsMs = await cpuInSends(calls.db, async () => {
    for (let i = 0; i < approvals; i++) await calls.bare.create();
    for (let i = 0; i < approvals; i++) await calls.bare.decide();
  });
  const bareNode = process.cpuUsage(bareNode0);
  const bareJavaMs = cpuMs(stack.javaPid) - bareJava0 - javaIdleShare * (performance.now() - bareT0);
  return {
    approvals,
    nodeMs,
    javaMs,
    idleShare,
    elapsedMs,
    grossPerApprovalMs: gross / approvals,
    perApprovalMs: Math.max(0, gross - idleShare * elapsedMs) / approvals,
    javaIdleShare,
    javaPerApprovalMs: Math.max(0, javaMs - javaIdleShare * elapsedMs) / approvals,
    bareJavaPerApprovalMs: Math.max(0, bareJavaMs) / approvals,
    bareSendsPerApprovalMs: bareSendsMs / approvals,
    bareNodePerApprovalMs: (bareNode.user + bareNode.system) / 1000 / approvals,
  };
}
