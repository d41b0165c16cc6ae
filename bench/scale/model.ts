/**
 * The scale model's arithmetic (no I/O): what one approval costs in calls and units, what 1,000
 * cost at public prices, which quota binds first at a given rate, and Lambda latency by memory.
 * bench/scale.ts feeds it the traced calls, the synthesized template and the measured handlers.
 */
import type { Units } from './units';

/** Public us-east-1 prices, on-demand, without free tiers. */
export const PRICES = {
  date: '2026-12',
  sources:
    'AWS pricing pages for Lambda (arm64), API Gateway (HTTP APIs), Step Functions (Standard), DynamoDB (on-demand), SES, EventBridge, KMS, CloudWatch Logs and X-Ray',
  lambdaGbSecond: 0.0000133334,
  lambdaRequest: 0.2 / 1e6,
  httpApiRequest: 1.0 / 1e6,
  stateTransition: 0.025 / 1000,
  writeRequestUnit: 0.625 / 1e6,
  readRequestUnit: 0.125 / 1e6,
  email: 0.1 / 1000,
  event: 1.0 / 1e6,
  kmsAsymmetricRequest: 0.15 / 10000,
  logsIngestedGb: 0.5,
  xrayTrace: 5.0 / 1e6,
} as const;

/** X-Ray's default sampling beyond the first request each second. */
export const XRAY_SAMPLED = 0.05;

export interface Quota {
  name: string;
  /** The sustained rate (per second) or the count it allows. */
  value: number;
  /** Burst (token bucket size), where there is one. */
  bucket?: number;
  unit: string;
  /** Where the value comes from. */
  source: string;
  /** Whether the value was found in the documentation consulted (else it is recalled: check it in Service Quotas). */
  checked: boolean;
}

/** The quotas assumed (us-east-1 defaults). */
export const QUOTAS = {
  startExecution: {
    name: 'Step Functions StartExecution (Standard)',
    value: 300,
    bucket: 1300,
    unit: '/s',
    source: 'Step Functions quotas, API action throttling, us-east-1 (token bucket: refill 300/s, bucket 1,300)',
    checked: false,
  },
  stateTransitions: {
    name: 'Step Functions StateTransition (Standard)',
    value: 5000,
    bucket: 5000,
    unit: '/s',
    source: 'Step Functions quotas, state throttling, us-east-1 (new accounts start lower; AWS raises it with use)',
    checked: false,
  },
  sendTask: {
    name: 'Step Functions SendTaskSuccess / SendTaskFailure',
    value: 500,
    bucket: 1800,
    unit: '/s',
    source: 'Step Functions quotas, API action throttling',
    checked: false,
  },
  openExecutions: {
    name: 'Step Functions open executions per account and Region',
    value: 1_000_000,
    unit: 'open',
    source: 'Step Functions quotas, account quotas (ExecutionLimitExceeded beyond; adjustable to millions)',
    checked: true,
  },
  sesSandbox: {
    name: 'SES sending rate, sandbox',
    value: 1,
    unit: 'emails/s',
    source: 'SES quotas: 1 email/s and 200 per 24 hours in the sandbox; out of it, a rate set per account',
    checked: true,
  },
  lambdaConcurrency: {
    name: 'Lambda concurrent executions',
    value: 1000,
    unit: 'concurrent',
    source: 'Lambda quotas, default per Region (adjustable)',
    checked: false,
  },
  indexPartition: {
    name: 'DynamoDB writes per partition (by-state index)',
    value: 1000,
    unit: 'WCU/s per partition',
    source: 'DynamoDB: one partition takes 1,000 write units per second, an index partition too',
    checked: false,
  },
  directoryList: {
    name: 'Cognito ListUsers, cold cache (category UserList)',
    value: 30,
    unit: '/s',
    source: 'Cognito user pool quotas by category',
    checked: false,
  },
  directoryRead: {
    name: 'Cognito AdminListGroupsForUser, cold cache (category UserResourceRead)',
    value: 120,
    unit: '/s',
    source: 'Cognito user pool quotas by category',
    checked: false,
  },
} as const satisfies Record<string, Quota>;

/** What one approval does, counted from the traced calls (bench/scale/calls.ts). */
export interface PerApproval {
  httpRequests: number;
  /** Lambda invocations by function. */
  invocations: Record<string, number>;
  /** Records the stream consumer receives (invocations at batch size 1; batches of up to the mapping's size under load). */
  streamRecords: number;
  transitions: number;
  startExecutions: number;
  sendTasks: number;
  units: Units;
  emails: number;
  events: number;
  kmsSigns: number;
  /** Directory calls before the functions' 10 s cache (an upper bound). */
  directoryLists: number;
  directoryReads: number;
}

const count = (calls: readonly string[], name: string) => calls.filter((call) => call === name).length;

/** A stream consumer invocation for a change of the round's bookkeeping: it calls nothing (counted apart, it is far shorter). */
export const IDLE_RECORD = 'streamConsumer (bookkeeping)';
/** The function an invocation key names. */
export const functionOf = (key: string) => (key === IDLE_RECORD ? 'streamConsumer' : key);

/** The per-approval counts of a traced approval's invocations, its states and its table units. */
export function perApproval(
  invocations: ReadonlyArray<{ fn: string; calls: readonly string[] }>,
  states: readonly string[],
  units: Units,
): PerApproval {
  const all = invocations.flatMap((invocation) => invocation.calls);
  const byFunction: Record<string, number> = {};
  for (const { fn, calls } of invocations) {
    const key = fn === 'streamConsumer' && calls.length === 0 ? IDLE_RECORD : fn;
    byFunction[key] = (byFunction[key] ?? 0) + 1;
  }
  return {
    httpRequests: (byFunction.createRequest ?? 0) + (byFunction.decideRequest ?? 0),
    invocations: byFunction,
    streamRecords: (byFunction.streamConsumer ?? 0) + (byFunction[IDLE_RECORD] ?? 0),
    transitions: states.length,
    startExecutions: count(all, 'workflow.start'),
    sendTasks: count(all, 'workflow.finish') + count(all, 'workflow.replan'),
    units,
    emails: count(all, 'email.send'),
    events: count(all, 'events.publish'),
    kmsSigns: count(all, 'kms.sign'),
    directoryLists: count(all, 'directory.userBySub') + count(all, 'directory.usersByEmail'),
    directoryReads: count(all, 'directory.groupsOf'),
  };
}

/** Lambda at one memory size: CPU in proportion to memory, one full vCPU at 1,769 MB. */
export const ONE_VCPU_MB = 1769;
export const cpuScale = (memoryMb: number) => Math.max(1, ONE_VCPU_MB / memoryMb);

/** A handler's time at a memory size: its waiting (wall minus CPU) plus its CPU time scaled. */
export const latencyAt = (measured: { wallMs: number; cpuMs: number }, memoryMb: number) =>
  Math.max(0, measured.wallMs - measured.cpuMs) + measured.cpuMs * cpuScale(memoryMb);

/** Lambda's price of one invocation of `ms` at `memoryMb` (billed per ms). */
export const invocationCost = (ms: number, memoryMb: number) =>
  Math.ceil(ms) * 0.001 * (memoryMb / 1024) * PRICES.lambdaGbSecond + PRICES.lambdaRequest;

export interface LambdaFigures {
  /** Memory of each function (from the template), MB. */
  memoryMb: Record<string, number>;
  /** Billed duration per invocation, ms (measured where measured, else the measured median). */
  durationMs: Record<string, number>;
  /** Log bytes written per invocation (platform and application lines). */
  logBytes: number;
}

export interface CostLine {
  item: string;
  quantity: number;
  unit: string;
  dollars: number;
}

/** The cost of 1,000 approvals, itemised. */
export function costPer1000(per: PerApproval, lambda: LambdaFigures): CostLine[] {
  const n = 1000;
  const invocations = Object.values(per.invocations).reduce((a, b) => a + b, 0);
  const gbSeconds = Object.entries(per.invocations).reduce((sum, [fn, times]) => {
    const ms = lambda.durationMs[fn];
    const mb = lambda.memoryMb[fn];
    if (ms === undefined || mb === undefined) throw new Error(`no duration or memory for ${fn}`);
    return sum + times * Math.ceil(ms) * 0.001 * (mb / 1024);
  }, 0);
  const logGb = (invocations * lambda.logBytes) / 1024 ** 3;
  return [
    { item: 'Lambda requests', quantity: n * invocations, unit: 'invocations', dollars: n * invocations * PRICES.lambdaRequest },
    { item: 'Lambda compute', quantity: n * gbSeconds, unit: 'GB-s', dollars: n * gbSeconds * PRICES.lambdaGbSecond },
    { item: 'HTTP API requests', quantity: n * per.httpRequests, unit: 'requests', dollars: n * per.httpRequests * PRICES.httpApiRequest },
    {
      item: 'Step Functions (Standard) state transitions',
      quantity: n * per.transitions,
      unit: 'transitions',
      dollars: n * per.transitions * PRICES.stateTransition,
    },
    {
      item: 'DynamoDB writes (table)',
      quantity: n * per.units.writes,
      unit: 'WRU',
      dollars: n * per.units.writes * PRICES.writeRequestUnit,
    },
    {
      item: 'DynamoDB writes (indexes)',
      quantity: n * per.units.indexWrites,
      unit: 'WRU',
      dollars: n * per.units.indexWrites * PRICES.writeRequestUnit,
    },
    { item: 'DynamoDB reads', quantity: n * per.units.reads, unit: 'RRU', dollars: n * per.units.reads * PRICES.readRequestUnit },
    { item: 'SES emails', quantity: n * per.emails, unit: 'emails', dollars: n * per.emails * PRICES.email },
    { item: 'EventBridge events', quantity: n * per.events, unit: 'events', dollars: n * per.events * PRICES.event },
    { item: 'KMS Sign (receipts)', quantity: n * per.kmsSigns, unit: 'requests', dollars: n * per.kmsSigns * PRICES.kmsAsymmetricRequest },
    { item: 'CloudWatch Logs ingestion (estimate)', quantity: n * logGb, unit: 'GB', dollars: n * logGb * PRICES.logsIngestedGb },
    {
      item: `X-Ray traces (${XRAY_SAMPLED * 100}% sampled)`,
      quantity: n * invocations * XRAY_SAMPLED,
      unit: 'traces',
      dollars: n * invocations * XRAY_SAMPLED * PRICES.xrayTrace,
    },
  ];
}

export interface QuotaUse {
  quota: Quota;
  /** What the rate needs of it. */
  need: number;
  /** need / quota value. */
  use: number;
}

/**
 * What `rate` approvals per second need of each quota, most used first. `waitSeconds`: the mean
 * time a request stays open (its execution with it); `stateShards`: the by-state index's write
 * shards (keys.ts STATE_SHARDS), each taking at most one partition's writes.
 */
export function quotaUse(
  per: PerApproval,
  rate: number,
  options: {
    waitSeconds: number;
    stateShards: number;
    indexWritesPerShardPerApproval: number;
    concurrency: number;
    /** The template's default route throttle, and the most requests one route gets per approval. */
    routeThrottle: { rate: number; burst: number };
    routeRequestsPerApproval: number;
  },
): QuotaUse[] {
  const route: Quota = {
    name: "HTTP API default route throttle (the template's stage)",
    value: options.routeThrottle.rate,
    bucket: options.routeThrottle.burst,
    unit: '/s per route',
    source: 'the synthesized template (AWS::ApiGatewayV2::Stage DefaultRouteSettings)',
    checked: true,
  };
  const uses: Array<[Quota, number]> = [
    [route, rate * options.routeRequestsPerApproval],
    [QUOTAS.startExecution, rate * per.startExecutions],
    [QUOTAS.stateTransitions, rate * per.transitions],
    [QUOTAS.sendTask, rate * per.sendTasks],
    [QUOTAS.openExecutions, rate * options.waitSeconds],
    [QUOTAS.sesSandbox, rate * per.emails],
    [QUOTAS.lambdaConcurrency, rate * options.concurrency],
    [QUOTAS.indexPartition, (rate * options.indexWritesPerShardPerApproval) / options.stateShards],
    [QUOTAS.directoryList, rate * per.directoryLists],
    [QUOTAS.directoryRead, rate * per.directoryReads],
  ];
  return uses.map(([quota, need]) => ({ quota, need, use: need / quota.value })).sort((a, b) => b.use - a.use);
}

/** Lambda concurrency one approval per second keeps busy: the sum of its invocations' durations, in seconds. */
export function concurrencyPerApprovalPerSecond(per: PerApproval, durationMs: Record<string, number>): number {
  return Object.entries(per.invocations).reduce((sum, [fn, times]) => sum + (times * (durationMs[fn] ?? 0)) / 1000, 0);
}

export interface MemoryChoice {
  memoryMb: number;
  reason: string;
}

/**
 * The memory to choose from measured handlers: the smallest size whose warm latency of the slowest
 * handler is within `budgetMs` of what it is at one full vCPU, and whose cold start (init) stays
 * under `initBudgetMs`. Above that size a request costs more and answers hardly faster.
 */
export function chooseMemory(
  handlers: ReadonlyArray<{ name: string; warm: { wallMs: number; cpuMs: number }; init: { cpuMs: number } }>,
  sizes: readonly number[],
  options: { budgetMs: number; initBudgetMs: number },
): MemoryChoice {
  const sorted = [...sizes].sort((a, b) => a - b);
  for (const memoryMb of sorted) {
    const over = handlers.map((h) => latencyAt(h.warm, memoryMb) - latencyAt(h.warm, ONE_VCPU_MB));
    // Module init is synchronous loading: CPU-bound, so all of it scales.
    const inits = handlers.map((h) => h.init.cpuMs * cpuScale(memoryMb));
    if (Math.max(...over) <= options.budgetMs && Math.max(...inits) <= options.initBudgetMs)
      return {
        memoryMb,
        reason: `the smallest size whose warm calls are at most ${options.budgetMs} ms slower than at one vCPU (${Math.max(...over).toFixed(1)} ms) and whose module init stays under ${options.initBudgetMs.toLocaleString('en-US')} ms (${Math.max(...inits).toFixed(0)} ms)`,
      };
  }
  const largest = sorted[sorted.length - 1] as number;
  return { memoryMb: largest, reason: 'no smaller size met the budgets' };
}
