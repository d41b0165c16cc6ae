/** The report's rows: one per goal of the performance issue (and the earlier goals kept), from the phases' figures. */
import { BUNDLE_GOAL_BYTES, INIT_GOAL_MS_OVER_BARE, READ_ONLY_BUNDLE_GOAL_BYTES } from '../infra/bundling';
import type { BundleFigures, BundleParts } from './bundles';
import type { ConfigFigures, SearchFigures } from './fresh';
import { round } from './load';
import type { MailboxFigures } from './mailbox';
import type { CpuFigures, LatencyFigures, ThroughputFigures } from './phases';

export interface Result {
  name: string;
  value: number;
  unit: string;
  baseline?: number;
  ratio?: number;
  goal: string;
  met: boolean;
  /**
   * A floor measured in the same run, in `unit`: what the figure cannot go below with the packages
   * and engines chosen (`floorOf` says what it is); `outOfReach` when it is already past the goal.
   */
  floor?: number;
  floorOf?: string;
  outOfReach?: boolean;
}

export const GOALS = {
  get: 1.3,
  sameCalls: 1.3,
  createVsTransact2: 3.0,
  decideVsTransact2: 2.4,
  cpuPerApprovalMs: 20,
  createsPerSecond: 0.4,
  decisionsPerSecond: 0.5,
  p99: 2,
  searchPage: 2.2,
  searchLarge: 1.15,
  largestBundleKb: BUNDLE_GOAL_BYTES / 1024,
  readOnlyBundleKb: READ_ONLY_BUNDLE_GOAL_BYTES / 1024,
  initOverBareMs: INIT_GOAL_MS_OVER_BARE,
} as const;

export interface Figures {
  deployed: { sourceMaps: boolean; jsonLogs: boolean };
  latency: LatencyFigures;
  cpu: CpuFigures;
  throughput: ThroughputFigures;
  searchSmall: SearchFigures;
  searchLarge: SearchFigures;
  stats: { service: number; bare: number };
  exportPage: { service: number; bare: number; stored: number };
  bundles: BundleFigures;
  npmStart: ConfigFigures[];
  transitions: { count: number; path: string[] };
  memory: { rss: number; pending: number };
  mail: MailboxFigures;
  /** The whole run so far, minutes (every phase has run when the rows are built). */
  minutes: number;
  /** The load average when the run started (the machine is shared). */
  loadAverage: string[];
}

const ratio = (a: number, b: number) => round(a / b, 2);

function vsBaseline(name: string, service: number, bare: number, goal: number, unit = 'ms'): Result {
  return {
    name,
    value: round(service),
    unit,
    baseline: round(bare),
    ratio: ratio(service, bare),
    goal: `≤ ${goal}×`,
    met: service / bare <= goal,
  };
}

export function buildResults(f: Figures): Result[] {
  const { latency: l, throughput: t } = f;
  const kb = (bytes: number) => round(bytes / 1024, 1);
  const largest = f.bundles.sizes.reduce((a, b) => (b.bytes > a.bytes ? b : a));
  const readOnly = f.bundles.sizes.filter((s) => s.readOnly);
  const largestReadOnly = readOnly.length ? readOnly.reduce((a, b) => (b.bytes > a.bytes ? b : a)) : undefined;
  const slowest = f.bundles.init?.functions.reduce((a, b) => (b.ms > a.ms ? b : a));
  const biggest = <T extends { bytes: number }>(list: T[]) =>
    list.length ? list.reduce((a, b) => (b.bytes > a.bytes ? b : a)) : undefined;
  const largestFloor = biggest(f.bundles.floors);
  const readOnlyNames = new Set(readOnly.map((r) => r.name));
  const readOnlyFloor = biggest(f.bundles.floors.filter((b) => readOnlyNames.has(b.name)));
  const tableFloor = f.bundles.floors.find((b) => b.clients.length === 1 && b.clients[0] === 'dynamodb');
  const slowestFloor = f.bundles.init?.functions.reduce((a, b) => (b.floorMs > a.floorMs ? b : a));
  const slowestProcess = f.bundles.init?.functions.reduce((a, b) => (b.processOverBareMs > a.processOverBareMs ? b : a));
  const p99Create = t.create.p99 / t.create.median;
  const p99Decide = t.decide.p99 / t.decide.median;
  const npmStart = f.npmStart.find((c) => c.name === 'npm start');
  const results: Result[] = [
    {
      name: "the bench's stack process runs the deployed configuration (node --enable-source-maps, Powertools JSON logs), read from its /proc cmdline and environ and its process.sourceMapsEnabled",
      value: Number(f.deployed.sourceMaps && f.deployed.jsonLogs),
      unit: 'yes (1) / no (0)',
      goal: 'source maps on, JSON logs',
      met: f.deployed.sourceMaps && f.deployed.jsonLogs,
    },
    withFloor(
      vsBaseline(
        'GET /requests/{id}, 1 client, median vs bare consistent Query of its item collection',
        l.get.service,
        l.get.bare,
        GOALS.get,
      ),
      GOALS.get * l.get.bare,
      getFloor(l.get),
    ),
    vsBaseline(
      'POST /requests, 1 client, median vs the same calls bare (profile GetItem + the same TransactWriteItems)',
      l.create.service,
      l.create.bare,
      GOALS.sameCalls,
    ),
    vsBaseline(
      'POST /requests/{id}/decisions, 1 client, median vs the same calls bare (consistent GetItem + the same TransactWriteItems)',
      l.decide.service,
      l.decide.bare,
      GOALS.sameCalls,
    ),
    vsBaseline(
      'POST /requests, 1 client, median vs the old bare 2-item TransactWriteItems',
      l.create.service,
      l.create.transact2,
      GOALS.createVsTransact2,
    ),
    vsBaseline(
      'POST /requests/{id}/decisions, 1 client, median vs the old bare 2-item TransactWriteItems',
      l.decide.service,
      l.decide.transact2,
      GOALS.decideVsTransact2,
    ),
    withFloor(
      {
        name: `CPU per approval, create to outcome email, node and DynamoDB Local together, ${f.cpu.approvals} approvals: ${round(f.cpu.grossPerApprovalMs, 1)} ms as measured (node ${round(f.cpu.nodeMs / f.cpu.approvals, 1)} ms, DynamoDB Local ${round(f.cpu.javaMs / f.cpu.approvals, 1)} ms) less the idle processes' ${round(f.cpu.idleShare * 100, 1)}% of a core over the ${round(f.cpu.elapsedMs / 1000, 1)} s`,
        value: round(f.cpu.perApprovalMs, 1),
        unit: 'ms',
        goal: `≤ ${GOALS.cpuPerApprovalMs} ms`,
        met: f.cpu.perApprovalMs <= GOALS.cpuPerApprovalMs,
      },
      GOALS.cpuPerApprovalMs,
      {
        value: round(f.cpu.bareJavaPerApprovalMs + f.cpu.bareSendsPerApprovalMs, 1),
        of: `the synchronous calls of one create and one decision made bare (GetItem + TransactWriteItems each), ${f.cpu.approvals} of each, with nothing else: DynamoDB Local's CPU ${round(f.cpu.bareJavaPerApprovalMs, 1)} ms (its JVM, less its idle share) and the calling node process's ${round(f.cpu.bareSendsPerApprovalMs, 1)} ms inside the SDK's sends (${round(f.cpu.bareNodePerApprovalMs, 1)} ms in all, with the adapters building the items); the JVM's whole share of an approval above: ${round(f.cpu.javaPerApprovalMs, 1)} ms`,
      },
    ),
    rateRow(
      'creates',
      t,
      (r) => r.createPerSecond,
      (r) => r.createRatio,
      GOALS.createsPerSecond,
    ),
    rateRow(
      'decisions',
      t,
      (r) => r.decidePerSecond,
      (r) => r.decideRatio,
      GOALS.decisionsPerSecond,
    ),
    {
      name: `p99 vs median latency in the steady part at ${t.clients} clients: create ${round(p99Create, 2)}× (${round(t.create.p99, 0)} / ${round(t.create.median, 0)} ms), decide ${round(p99Decide, 2)}× (${round(t.decide.p99, 0)} / ${round(t.decide.median, 0)} ms) (worse of the two)`,
      value: round(Math.max(p99Create, p99Decide), 2),
      unit: '×',
      goal: `≤ ${GOALS.p99}×`,
      met: Math.max(p99Create, p99Decide) <= GOALS.p99,
    },
    withFloor(
      vsBaseline(
        `search first page (state=requested, limit 20) with ${f.searchSmall.stored} stored vs one bare Query page${f.searchSmall.fresh ? ' (fresh stack process)' : ''}`,
        f.searchSmall.service,
        f.searchSmall.bare,
        GOALS.searchPage,
      ),
      GOALS.searchPage * f.searchSmall.bare,
      searchFloor(f.searchSmall),
    ),
    vsBaseline(
      `search first page with ${f.searchLarge.stored} stored vs with ${f.searchSmall.stored}${f.searchLarge.fresh ? ' (each in a fresh stack process)' : ' (one stack process, smoke run)'}`,
      f.searchLarge.service,
      f.searchSmall.service,
      GOALS.searchLarge,
    ),
    withFloor(
      {
        name: `largest Lambda bundle, minified (${largest.name})`,
        value: kb(largest.bytes),
        unit: 'KB',
        goal: `≤ ${GOALS.largestBundleKb} KB`,
        met: largest.bytes <= GOALS.largestBundleKb * 1024,
      },
      GOALS.largestBundleKb,
      largestFloor && {
        value: kb(largestFloor.bytes),
        of: `the largest floor bundle, ${largestFloor.name}'s: ${floorHolds(largestFloor.clients)}, minified the same way${beyondFloor(largest, f.bundles.floors)}`,
      },
    ),
    withFloor(
      {
        name: `largest read-only API bundle (${largestReadOnly?.name ?? 'none built'})`,
        value: largestReadOnly ? kb(largestReadOnly.bytes) : 0,
        unit: 'KB',
        goal: `≤ ${GOALS.readOnlyBundleKb} KB`,
        met: largestReadOnly !== undefined && largestReadOnly.bytes <= GOALS.readOnlyBundleKb * 1024,
      },
      GOALS.readOnlyBundleKb,
      readOnlyFloor && {
        value: kb(readOnlyFloor.bytes),
        of: `the largest read-only floor bundle, ${readOnlyFloor.name}'s: ${floorHolds(readOnlyFloor.clients)}${tableFloor ? `; any function that reads the table holds at least ${kb(tableFloor.bytes)} KB (the DynamoDB clients, zod, middy, Powertools)` : ''}${beyondFloor(largestReadOnly, f.bundles.floors)}`,
      },
    ),
    slowest && f.bundles.init
      ? withFloor(
          {
            name: `module init of the slowest bundled handler (${slowest.name}, --enable-source-maps as deployed): the time a fresh node takes to load its bundle, beyond Node's own start (bare node -e 0, the baseline), timed inside the process; ${round(slowest.withoutSourceMapsMs, 1)} ms without source maps. As whole processes less a bare node (the measure of earlier rounds, which also counts the exit): ${round(slowest.processOverBareMs, 1)} ms (the slowest so measured: ${slowestProcess?.name}, ${round(slowestProcess?.processOverBareMs ?? Number.NaN, 1)} ms)`,
            value: round(slowest.ms, 1),
            unit: 'ms',
            baseline: round(f.bundles.init.bareMs, 1),
            goal: `≤ ${GOALS.initOverBareMs} ms`,
            met: slowest.ms <= GOALS.initOverBareMs,
          },
          GOALS.initOverBareMs,
          slowestFloor && {
            value: round(slowestFloor.floorMs, 1),
            of: `module init of the slowest floor bundle, ${slowestFloor.name}'s (${floorHolds(f.bundles.floors.find((b) => b.name === slowestFloor.name)?.clients ?? [])}), as deployed, in the same runs`,
          },
        )
      : {
          name: 'module init of the slowest bundled handler over bare node -e 0 (not measured in a smoke run)',
          value: 0,
          unit: 'ms',
          goal: `≤ ${GOALS.initOverBareMs} ms`,
          met: false,
        },
  ];
  if (npmStart) {
    const n = npmStart.latency;
    results.push(
      withFloor(
        vsBaseline('npm start: GET /requests/{id} vs bare consistent Query (the bench: row above)', n.get.service, n.get.bare, GOALS.get),
        GOALS.get * n.get.bare,
        getFloor(n.get),
      ),
      vsBaseline('npm start: POST /requests vs the same calls bare', n.create.service, n.create.bare, GOALS.sameCalls),
      vsBaseline('npm start: POST /requests/{id}/decisions vs the same calls bare', n.decide.service, n.decide.bare, GOALS.sameCalls),
    );
  }
  results.push(
    vsBaseline(
      'GET /stats (30 days of counters, all profiles) vs one bare Query of the same day buckets',
      f.stats.service,
      f.stats.bare,
      2.5,
    ),
    vsBaseline(
      `export page (CSV, state=requested, 100 rows, ${f.exportPage.stored} stored) vs one bare Query page of 100`,
      f.exportPage.service,
      f.exportPage.bare,
      2.5,
    ),
    {
      name: `state transitions of a plain approval (${f.transitions.path.join(' → ')})`,
      value: f.transitions.count,
      unit: 'transitions',
      goal: '≤ 8',
      met: f.transitions.count <= 8,
    },
    {
      name: `stack process memory (RSS) with ${f.memory.pending} pending requests (workflow executions running)`,
      value: round(f.memory.rss / 1e6, 0),
      unit: 'MB',
      goal: '≤ 1000 MB',
      met: f.memory.rss <= 1e9,
    },
    {
      name: `cost of storing one more email with ${f.mail.stored} in the mailbox vs with 20 (SendEmail median; ${f.mail.bytesPerEmailFull.toFixed(0)} vs ${f.mail.bytesPerEmailEmpty.toFixed(0)} bytes written per email)`,
      value: round(f.mail.fullMs),
      unit: 'ms',
      baseline: round(f.mail.emptyMs),
      ratio: ratio(f.mail.fullMs, f.mail.emptyMs),
      goal: 'constant (≤ 1.5×)',
      met: f.mail.fullMs / f.mail.emptyMs <= 1.5 && f.mail.bytesPerEmailFull <= 1.1 * f.mail.bytesPerEmailEmpty,
    },
    {
      name: `npm run bench itself, every phase (load average at its start: ${f.loadAverage.join(' ')})`,
      value: round(f.minutes, 1),
      unit: 'minutes',
      goal: '≤ 10 minutes',
      met: f.minutes <= 10,
    },
  );
  return results;
}

/** A rate row at 50 clients: the median of the runs against the bare 2-item transaction rate, met in 2 of 3 runs. */
function rateRow(
  what: string,
  t: ThroughputFigures,
  perSecond: (run: ThroughputFigures['runs'][number]) => number,
  ratio: (run: ThroughputFigures['runs'][number]) => number,
  goal: number,
): Result {
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)] ?? Number.NaN;
  const met = t.runs.filter((r) => ratio(r) >= goal).length;
  return {
    name: `${what} per second at ${t.clients} clients vs bare 2-item TransactWriteItems per second (runs: ${t.runs.map((r) => `${round(ratio(r), 2)}×`).join(', ')}; median shown)`,
    value: round(median(t.runs.map(perSecond)), 1),
    unit: '/s',
    baseline: round(median(t.runs.map((r) => r.transact2PerSecond)), 1),
    ratio: round(median(t.runs.map(ratio)), 2),
    goal: `≥ ${goal}× in 2 of 3 runs (${met} of ${t.runs.length})`,
    met: met >= 2,
  };
}

/**
 * A route's floor through the gateway: the calls it must make, made bare, plus one round trip to a
 * handler that answers at once (GET /health, taken in the same turns): the HTTP hop and the
 * handler's middlewares, which every route pays. `baseline` is what the goal is a multiple of.
 */
const hopFloor = (calls: { ms: number; of: string }, hop: number, baseline: { ms: number; of: string }) => ({
  value: round(calls.ms + hop),
  of: `${calls.of} plus one round trip through the gateway to a handler that answers at once (GET /health, ${round(hop)} ms, taken in the same turns): the HTTP hop and the handler's middlewares, which every route pays (${ratio(calls.ms + hop, baseline.ms)}× ${baseline.of})`,
});

/** GET's floor: the bare Query and the hop; its goal is GOALS.get × the Query. */
export const getFloor = (get: LatencyFigures['get']) =>
  hopFloor({ ms: get.bare, of: 'the bare Query' }, get.hop, { ms: get.bare, of: 'the Query' });

/** The search's first page's floor: the Queries it starts with (one per shard of the by-state index, at once), made bare, and the hop. */
export const searchFloor = (search: SearchFigures) =>
  hopFloor(
    {
      ms: search.shards,
      of: `the Queries a first page starts with, made bare and at once (one per shard of the by-state index, ${round(search.shards)} ms),`,
    },
    search.hop,
    { ms: search.bare, of: 'the Query page' },
  );

/** A row with its floor: `outOfReach` when the floor is already above the goal's limit `limit` (a "≤" goal). */
export function withFloor(row: Result, limit: number, floor: { value: number; of: string } | undefined): Result {
  if (!floor || !Number.isFinite(floor.value)) return row;
  return { ...row, floor: floor.value, floorOf: floor.of, outOfReach: floor.value > limit };
}

/** What a function's bundle holds beyond its own floor bundle, by part (bench/bundles.ts `BundleParts`). */
export function beyondFloor(bundle: BundleFigures['sizes'][number] | undefined, floors: BundleFigures['floors']): string {
  const floor = floors.find((candidate) => candidate.name === bundle?.name)?.parts;
  if (!bundle?.parts || !floor) return '';
  const more = (part: keyof BundleParts) => {
    const kb = round(((bundle.parts?.[part] ?? 0) - floor[part]) / 1024, 1);
    return kb < 0 ? `${-kb} KB less` : `${kb} KB more`;
  };
  return `; beyond its floor, ${bundle.name} holds ${more('own')} of the service's own code (functions/), ${more('zod')} of zod (the kinds of schema it builds), ${more('sdk')} of the SDK (the commands it sends) and ${more('other')} of the rest`;
}

const floorHolds = (clients: readonly string[]) =>
  `${clients.length ? `the ${clients.join(', ')} client${clients.length > 1 ? 's' : ''}, ` : ''}zod, middy and Powertools alone`;
