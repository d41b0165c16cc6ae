/** The benchmark's outputs: bench/results.json, bench/chart.svg and the report, docs/performance.md. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { latencyThroughputChart, type Series } from './chart';
import type { ConfigFigures } from './fresh';
import { median } from './load';
import type { Sweep } from './phases';
import type { Result } from './results';
import { type PhaseTiming, phaseTable } from './timings';

/** Where the report goes: docs/performance.md, or `<outDir>/report.md` when the outputs go elsewhere. */
export function reportFileFor(outDir?: string): string {
  return outDir === undefined ? resolve('docs', 'performance.md') : join(resolve(outDir), 'report.md');
}

/** The top of the report: what the benchmark does and how to run it (true of every run). */
const HOW_IT_MEASURES = [
  '`npm run bench` measures the service against its own floor on this machine, in the configuration Lambda runs:',
  "it starts the same local stack as `npm start` in a process of its own with `node --enable-source-maps` and Powertools'",
  'one-line JSON logs (no `POWERTOOLS_DEV`), and drives it through the local gateway, so the functions run the code',
  "Lambda runs. Each route is put beside the same DynamoDB calls made bare, run by the service's own adapter on a second",
  'table of the same schema: for a create the profile GetItem and the very TransactWriteItems it writes, for a decision the',
  'consistent GetItem and the transaction a decision writes, for GET a consistent Query of the item collection; the old',
  '2-item TransactWriteItems is kept as a baseline for continuity. Service and bare calls are taken in turn (one of each,',
  'the order rotated) against the same DynamoDB Local, so the ratios hold on a busy machine. It also measures the CPU time per approval',
  '(the stack process and its DynamoDB Local JVM, from /proc, create to outcome email, in a quiet phase), creates and',
  'decisions per second at 50 clients in 3 runs with the p99 of their steady part, the search first page with 1,000 and',
  'with 100,000 stored (each in a fresh stack process), every bundle and its module init (bench/bundles.ts: the time a',
  'fresh node takes to load the bundle, timed inside the process, as deployed with its source map), and the same',
  'GET, create and decide figures against `npm start` as a user runs it, against a fresh stack process in the deployed',
  'configuration and against one with DynamoDB Local on disk as npm start keeps it (the setting that explains its gap),',
  'all in the same run. Where a goal has a floor, its row carries the floor measured in the same run (bench/floors.ts):',
  "the bundle of only the SDK clients a function's needs call, zod, middy and Powertools, minified the same way, and its",
  'module init; the CPU of DynamoDB Local and of the calling node process for the synchronous calls of an approval made',
  'bare; for GET, the bare Query plus a round trip through the gateway to GET /health, taken in the same turns; for the',
  "search's first page, the Queries it starts with (one per shard of the by-state index) made bare plus that round trip. A goal",
  'whose floor is past it is out of reach. Each phase\'s wall time is in `bench/results.json` and in the table "Where the',
  'minutes go".',
  '`npm run test:reliability` runs a smoke run of it (`test/reliability/bench-smoke.test.ts`, tiny counts, no goal asserted).',
  '',
  '```bash',
  'npm run bench                       # this page (about 10 minutes on 2 cores; its own row and the phase table below)',
  "BENCH_DYNAMODB=disk npm run bench   # DynamoDB Local's table on disk, as npm start keeps it (in memory by default)",
  'BENCH_QUICK=1 npm run bench         # smaller counts, for before/after comparisons of one change',
  'npm run bench:profile               # node --cpu-prof of the service under load, summed by module',
  'npm run bench:engine-memory         # heap per pending execution of the workflow engine alone',
  '```',
  '',
  'Everything below "The last run" is written by the benchmark; the findings after it come from',
  '`bench/findings.md`, kept by hand between runs.',
];

export interface Facts {
  cores: number;
  cpu: string;
  minutes: string;
  smoke: boolean;
  clients: number[];
  [key: string]: unknown;
}

function configTable(configs: ConfigFigures[]): string[] {
  if (configs.length === 0) return [];
  const r = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
  return [
    '### npm start beside the deployed configuration',
    '',
    'Each a fresh process, measured one after the other in this run: GET, create and decide at 1 client, medians in ms, and',
    'the ratio to the same calls made bare against the same DynamoDB Local (create and decide also to the 2-item transaction).',
    '',
    '| configuration | GET | vs bare | create | vs bare | vs 2-item | decide | vs bare | vs 2-item |',
    '|---|---|---|---|---|---|---|---|---|',
    ...configs
      .map(({ name, latency: l }) =>
        [
          name,
          l.get.service.toFixed(1),
          r(l.get.service, l.get.bare),
          l.create.service.toFixed(1),
          r(l.create.service, l.create.bare),
          r(l.create.service, l.create.transact2),
          l.decide.service.toFixed(1),
          r(l.decide.service, l.decide.bare),
          r(l.decide.service, l.decide.transact2),
        ].join(' | '),
      )
      .map((line) => `| ${line} |`),
    '',
  ];
}

export function renderReport(
  results: Result[],
  facts: Facts,
  notes: string,
  chartLink = 'chart.svg',
  configs: ConfigFigures[] = [],
  phases: readonly PhaseTiming[] = [],
): string {
  const row = (r: Result) =>
    `| ${r.name} | ${r.value} ${r.unit} | ${r.baseline === undefined ? '' : `${r.baseline} ${r.unit}`} | ${r.ratio === undefined ? '' : `${r.ratio}×`} | ${r.goal} | ${r.met ? 'met' : r.outOfReach ? '**not met**, out of reach (floor past the goal)' : '**not met**'} | ${r.floor === undefined ? '' : `${r.floor} ${r.unit}: ${r.floorOf}`} |`;
  return [
    '# Performance',
    '',
    ...HOW_IT_MEASURES,
    '',
    '## The last run',
    '',
    `Written by \`npm run bench\`${facts.smoke ? ' (smoke run: tiny counts, figures meaningless)' : ''}: ${facts.cores} cores (${facts.cpu}), ${facts.minutes} minutes; ${results.filter((r) => r.met).length} of ${results.length} goals met.`,
    `DynamoDB Local's table ${process.env.BENCH_DYNAMODB === 'disk' ? 'on disk' : 'in memory (`BENCH_DYNAMODB=disk` for on disk)'}. Every baseline is measured in the same run against the same DynamoDB Local,`,
    "interleaved with the service's own calls. `bench/results.json` has the same rows and each phase's wall time; medians after a warm-up.",
    '',
    '| figure | value | baseline | ratio | goal | | floor (measured in this run: what cannot be removed with the chosen packages) |',
    '|---|---|---|---|---|---|---|',
    ...results.map(row),
    '',
    ...configTable(configs),
    ...phaseTable(phases, Number(facts.minutes) * 60),
    `### Latency and throughput at ${facts.clients.slice(0, -1).join(', ')} and ${facts.clients.at(-1)} clients`,
    '',
    `![median latency and throughput against clients](${chartLink})`,
    '',
    '<details><summary>measured facts (JSON)</summary>',
    '',
    '```json',
    JSON.stringify(facts, null, 1),
    '```',
    '',
    '</details>',
    '',
    notes,
  ].join('\n');
}

export function sweepSeries(sweep: Sweep): Series[] {
  const series = (name: string, color: string, runs: Sweep[keyof Sweep]): Series => ({
    name,
    color,
    latencyMs: runs.map((r) => median(r.latencies)),
    perSecond: runs.map((r) => r.perSecond),
  });
  return [
    series('POST /requests', '#d62728', sweep.create),
    series('bare 2-item TransactWriteItems', '#ff9896', sweep.transact2),
    series('GET /requests/{id}', '#1f77b4', sweep.get),
    series('bare consistent Query', '#aec7e8', sweep.query),
  ];
}

/** What bench/results.json holds: the rows of the report's table, and the wall time of each phase. */
export interface ResultsFile {
  results: Result[];
  phases: PhaseTiming[];
}

/** Writes results.json, chart.svg and the report (with bench/findings.md, the hand-written part, kept between runs). */
export function writeOutputs(
  outDir: string,
  reportFile: string,
  results: Result[],
  facts: Facts,
  series: Series[],
  configs: ConfigFigures[],
  phases: PhaseTiming[] = [],
): void {
  mkdirSync(outDir, { recursive: true });
  const file: ResultsFile = { results, phases };
  writeFileSync(join(outDir, 'results.json'), `${JSON.stringify(file, null, 2)}\n`);
  writeFileSync(join(outDir, 'chart.svg'), latencyThroughputChart(facts.clients, series));
  let notes = '';
  try {
    notes = readFileSync(join(outDir, 'findings.md'), 'utf8');
  } catch {
    // no findings beside these outputs
  }
  const chartLink = relative(dirname(reportFile), join(outDir, 'chart.svg'));
  mkdirSync(dirname(reportFile), { recursive: true });
  writeFileSync(reportFile, renderReport(results, facts, notes, chartLink, configs, phases));
}
