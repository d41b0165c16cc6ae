/**
 * `npm run bench`: the service against its own floor, in one run on this machine.
 *
 * Phases, each in its own module: bundles, their floors and module init (bench/bundles.ts,
 * bench/floors.ts) and the mailbox (bench/mailbox.ts) before any stack runs; then one stack process
 * in the deployed configuration (bench/service.ts) for the CPU per approval (and DynamoDB Local's
 * floor of it), the state transitions of a plain approval (before the throughput runs leave a
 * backlog), the 1-client latencies beside the same calls made bare (bench/calls.ts,
 * bench/phases.ts), the operators' reads, the clients sweep and the 50-client throughput runs; then
 * fresh stack processes for the search at two sizes and the npm-start comparison (npm start, the
 * deployed configuration, DynamoDB Local on disk: bench/fresh.ts). Each phase's wall time is
 * recorded (bench/timings.ts). The rows are built in bench/results.ts, the outputs written by
 * bench/report.ts: bench/results.json, bench/chart.svg and docs/performance.md (with
 * bench/findings.md, the hand-written part).
 *
 * `BENCH_DYNAMODB=disk` keeps the table on disk as `npm start` does (in memory by default).
 * `BENCH_QUICK=1` runs smaller counts (a few minutes) for before/after comparisons of one change.
 * `BENCH_SMOKE=1` runs every phase with tiny counts in seconds and asserts no goal (the smoke test
 * checks the outputs' shape). `BENCH_CPU_PROF=<dir>` runs the main stack process with
 * `node --cpu-prof` into that directory. `BENCH_OUT=<dir>` writes every output into that directory
 * instead, the report as `<dir>/report.md`.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  paginateListExecutions,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { LOCAL_CREDENTIALS, LOCAL_REGION, waitFor } from '../local/net';
import { TABLE_NAME } from '../local/stack';
import { measureBundles } from './bundles';
import { type Calls, prepareCalls } from './calls';
import { npmStartComparison, type SearchFigures, searchInFreshStacks, seedTo, summary } from './fresh';
import { closeClient } from './load';
import { measureMailbox } from './mailbox';
import { cpuPhase, interleaved, latencyPhase, sweepPhase, throughputPhase } from './phases';
import { reportFileFor, sweepSeries, writeOutputs } from './report';
import { buildResults, type Result } from './results';
import { type Endpoints, rssBytes, startService, stopService } from './service';
import { FULL, QUICK, SMOKE, type Sizes } from './sizes';
import { type PhaseTimer, phaseTimer } from './timings';

export type { Result } from './results';
export { reportFileFor } from './report';
export { BENCH_PROFILE, benchAuth, startService, stopService } from './service';

/**
 * Whether the stack process runs as Lambda does: started with --enable-source-maps and with source
 * maps on (as it says), without Powertools' pretty-printing (its environment, read from /proc).
 */
function deployedConfiguration(pid: number, endpoints: Endpoints): { sourceMaps: boolean; jsonLogs: boolean } {
  const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
  const dev = environ.find((entry) => entry.startsWith('POWERTOOLS_DEV='))?.slice('POWERTOOLS_DEV='.length);
  return {
    sourceMaps: cmdline.includes('--enable-source-maps') && endpoints.sourceMapsEnabled,
    jsonLogs: !dev || dev === 'false' || dev === '0',
  };
}

/** A client of the stack's local Step Functions API. */
const localSfn = (endpoints: Endpoints) =>
  new SFNClient({ endpoint: endpoints.sfnUrl, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });

/** The states a plain approval enters, from its execution's history (GetExecutionHistory on the local Step Functions API). */
async function plainApprovalPath(calls: Calls, endpoints: Endpoints): Promise<string[]> {
  const sfn = localSfn(endpoints);
  try {
    await calls.service.create();
    const id = calls.pending.pop() as string;
    const executionArn = `${endpoints.stateMachineArn.replace(':stateMachine:', ':execution:')}:${id}`;
    // Decided once the approver was notified (the workflow waits for a decision).
    await waitFor(
      async () => {
        const events = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 })).catch(() => undefined);
        return events?.events?.some((e) => e.type === 'TaskSubmitted') ?? false;
      },
      { timeoutMs: 180_000, what: 'the approval email round', intervalMs: 50 },
    );
    calls.pending.unshift(id);
    await calls.service.decide();
    await waitFor(async () => (await sfn.send(new DescribeExecutionCommand({ executionArn }))).status === 'SUCCEEDED', {
      timeoutMs: 180_000,
      what: 'the execution to succeed',
      intervalMs: 50,
    });
    const history: HistoryEvent[] = [];
    let nextToken: string | undefined;
    do {
      const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, nextToken, maxResults: 1000 }));
      history.push(...(page.events ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    return history.filter((event) => event.type?.endsWith('StateEntered')).map((event) => event.stateEnteredEventDetails?.name ?? '?');
  } finally {
    sfn.destroy();
  }
}

/**
 * The workflow executions still running (ListExecutions on the local Step Functions API): the
 * pending requests the stack process holds, the bench's own and the seeded ones the outbox started.
 */
async function runningExecutions(endpoints: Endpoints): Promise<number> {
  const client = localSfn(endpoints);
  try {
    let count = 0;
    const pages = paginateListExecutions(
      { client, pageSize: 1000 },
      { stateMachineArn: endpoints.stateMachineArn, statusFilter: 'RUNNING' },
    );
    for await (const page of pages) count += page.executions?.length ?? 0;
    return count;
  } finally {
    client.destroy();
  }
}

/** Every phase on the main stack process (deployed configuration), each timed by `timer`. */
async function mainStack(
  size: Sizes,
  log: (line: string) => void,
  timer: PhaseTimer,
  child: ChildProcess,
  endpoints: Endpoints,
  dataDir: string,
) {
  const calls = await prepareCalls({ apiUrl: endpoints.apiUrl, dataDir, dynamoEndpoint: endpoints.dynamoEndpoint, tableName: TABLE_NAME });
  try {
    const nodePid = child.pid ?? 0;
    const deployed = deployedConfiguration(nodePid, endpoints);
    log('warm-up');
    await timer.time('main stack: warm-up', async () => {
      for (let i = 0; i < size.warmup; i++) {
        await calls.service.create();
        await calls.service.get();
        await calls.service.search();
        await calls.service.decide();
        await calls.service.stats();
        await calls.service.exportPage();
        await calls.bare.create();
        await calls.bare.decide();
        await calls.bare.transact2();
        await calls.bare.query();
        await calls.bare.searchPage();
        await calls.bare.statsQuery();
        await calls.bare.exportPage();
      }
    });
    log(`CPU per approval: ${size.cpuApprovals} approvals`);
    const cpu = await timer.time('main stack: CPU per approval', () =>
      cpuPhase(calls, { nodePid, javaPid: endpoints.dynamoPid, dataDir }, size.cpuApprovals),
    );
    log(
      `CPU per approval: ${cpu.perApprovalMs.toFixed(1)} ms (node ${cpu.nodeMs.toFixed(0)} ms, DynamoDB Local ${cpu.javaMs.toFixed(0)} ms in all)`,
    );
    // Before the throughput runs, which leave a backlog of hundreds of workflows that the plain
    // approval would wait behind (the count of its transitions does not depend on the load).
    log('state transitions of a plain approval');
    const path = await timer.time('main stack: state transitions of a plain approval', () => plainApprovalPath(calls, endpoints));
    log('1 client: GET, create, decide beside their bare calls');
    const latency = await timer.time('main stack: 1-client latencies beside the bare calls', () => latencyPhase(calls, size));
    log(`deployed: ${summary(latency)}`);
    const reads = await timer.time("main stack: operators' reads (stats, export page)", async () => {
      const stored = await seedTo(calls, TABLE_NAME, size.searchSmall);
      const stats = await interleaved(size, { bare: calls.bare.statsQuery, service: calls.service.stats });
      const exportPage = await interleaved(size, { bare: calls.bare.exportPage, service: calls.service.exportPage });
      return { stored, stats, exportPage };
    });
    const sweep = await timer.time(`main stack: clients sweep (${size.clients.join(', ')})`, () => sweepPhase(calls, size, log));
    const top = size.clients.at(-1) ?? 1;
    log(`${top} clients: creates and decisions per second, ${size.throughputRuns} runs`);
    const throughput = await timer.time(`main stack: ${top}-client throughput runs`, () => throughputPhase(calls, size, top, log));
    const memory = { rss: rssBytes(nodePid), pending: await runningExecutions(endpoints) };
    return {
      deployed,
      cpu,
      latency,
      stats: { service: reads.stats.service ?? Number.NaN, bare: reads.stats.bare ?? Number.NaN },
      exportPage: { service: reads.exportPage.service ?? Number.NaN, bare: reads.exportPage.bare ?? Number.NaN, stored: reads.stored },
      sweep,
      throughput,
      transitions: { count: path.length, path },
      memory,
      counts: { ...calls.counts },
    };
  } finally {
    calls.close();
  }
}

export async function runBench(
  options: { smoke?: boolean; quick?: boolean; outDir?: string; cpuProfDir?: string; log?: (line: string) => void } = {},
): Promise<Result[]> {
  const size = options.smoke ? SMOKE : options.quick ? QUICK : FULL;
  const startedAt = Date.now();
  const timer = phaseTimer();
  const write = options.log ?? ((line: string) => console.log(line));
  // Each line after the first says when it was written, seconds into the run.
  const log = (line: string) => write(`${line}  [${Math.round((Date.now() - startedAt) / 1000)} s]`);
  const outDir = resolve(options.outDir ?? 'bench');
  const cores = availableParallelism();
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const load = loadavg().map((l) => l.toFixed(2));
  write(
    `bench: ${cores} cores (${cpu}), load average ${load.join(' ')}${options.smoke ? ', smoke run' : options.quick ? ', quick run' : ''}`,
  );
  try {
    // ---- before any stack runs -----------------------------------------------------------------
    const bundles = await timer.time('bundles, their floors and module init', () =>
      measureBundles({ initRuns: size.initRuns, only: size.bundles, log }),
    );
    const mail = await timer.time('mailbox', () => measureMailbox({ stored: size.mailStored, samples: size.mailSamples }));
    log(`mailbox: SendEmail ${mail.emptyMs.toFixed(2)} ms with 20 emails, ${mail.fullMs.toFixed(2)} ms with ${mail.stored}`);

    // ---- the main stack process, deployed configuration ----------------------------------------
    const dataDir = mkdtempSync(join(tmpdir(), 'approvals-bench-'));
    const { child, endpoints } = await timer.time('main stack: start', () => startService(dataDir, { cpuProfDir: options.cpuProfDir }));
    const main = await mainStack(size, log, timer, child, endpoints, dataDir).finally(() =>
      timer.time('main stack: stop', async () => {
        await stopService(child);
        rmSync(dataDir, { recursive: true, force: true });
      }),
    );

    // ---- fresh stack processes -------------------------------------------------------------------
    log(`search with ${size.searchSmall} and with ${size.searchLarge} stored${size.freshSearch ? ', each in a fresh stack process' : ''}`);
    const [searchSmall, searchLarge] = (await searchInFreshStacks([size.searchSmall, size.searchLarge], size, timer)) as [
      SearchFigures,
      SearchFigures,
    ];
    log(
      `search: ${searchSmall.service.toFixed(1)} ms with ${searchSmall.stored}, ${searchLarge.service.toFixed(1)} ms with ${searchLarge.stored}`,
    );
    log('npm start and its settings beside the deployed configuration');
    const npmStart = await npmStartComparison(size, log, timer);

    const minutes = ((Date.now() - startedAt) / 60_000).toFixed(1);
    const results = buildResults({
      ...main,
      searchSmall,
      searchLarge,
      bundles,
      npmStart,
      mail,
      minutes: Number(minutes),
      loadAverage: load,
    });
    const phases = timer.phases;
    const series = sweepSeries(main.sweep);
    const facts = {
      cores,
      cpu,
      loadAverageAtStart: load,
      minutes,
      smoke: Boolean(options.smoke),
      clients: size.clients,
      deployed: main.deployed,
      cpuPerApproval: main.cpu,
      latency: main.latency,
      throughput: main.throughput,
      search: { small: searchSmall, large: searchLarge },
      npmStart,
      sweep: series,
      bundles,
      memory: main.memory,
      mailbox: mail,
      transitions: main.transitions,
      counts: main.counts,
    };
    writeOutputs(outDir, reportFileFor(options.outDir), results, facts, series, npmStart, phases);
    log(`bench: done in ${minutes} min; ${results.filter((r) => !r.met).length} of ${results.length} goals not met`);
    for (const phase of phases) log(`  ${String(phase.seconds).padStart(6)} s  ${phase.name}`);
    for (const r of results)
      log(
        `  ${r.met ? 'met    ' : 'NOT MET'} ${r.name}: ${r.value} ${r.unit}${r.ratio === undefined ? '' : ` (${r.ratio}× of ${r.baseline})`} goal ${r.goal}`,
      );
    return results;
  } finally {
    closeClient();
  }
}

if (require.main === module) {
  runBench({
    smoke: process.env.BENCH_SMOKE === '1',
    quick: process.env.BENCH_QUICK === '1',
    outDir: process.env.BENCH_OUT,
    cpuProfDir: process.env.BENCH_CPU_PROF,
  }).then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(`bench failed: ${(error as Error).stack ?? error}`);
      process.exit(1);
    },
  );
}
