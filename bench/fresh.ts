/**
 * Phases that each start stacks of their own: the search first page with a given number of stored
 * requests (each size in a fresh stack process, seeded through the batch path), and the npm-start
 * comparison: the same GET, create and decide figures against `npm start` as a user runs it, and
 * against the bench's stack process in each of npm start's settings, to tell which setting costs what.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { batchPutRequests } from '../functions/adapters/dynamodb/batch';
import { TABLE_NAME } from '../local/stack';
import { type Calls, prepareCalls, type Target } from './calls';
import { interleaved, type LatencyFigures, latencyPhase } from './phases';
import { DEPLOYED, describeConfig, type StackConfig, startNpmStart, startService, stopService, waitQuiet } from './service';
import type { Sizes } from './sizes';
import { type PhaseTimer, phaseTimer } from './timings';

/** Runs `body` on a fresh stack process in `config`, then stops it and removes its data. */
async function withStack<T>(config: StackConfig, body: (calls: Calls, pids: number[]) => Promise<T>): Promise<T> {
  const dataDir = mkdtempSync(join(tmpdir(), 'approvals-bench-'));
  const { child, endpoints } = await startService(dataDir, { config });
  try {
    const calls = await prepareCalls({
      apiUrl: endpoints.apiUrl,
      dataDir,
      dynamoEndpoint: endpoints.dynamoEndpoint,
      tableName: TABLE_NAME,
    });
    try {
      return await body(calls, [child.pid ?? 0, endpoints.dynamoPid]);
    } finally {
      calls.close();
    }
  } finally {
    await stopService(child);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** BatchWriteItem calls in flight at once while seeding (measured: 8 keep DynamoDB Local busier than 4 with barriers, and than 16). */
export const SEED_WRITERS = 8;

/**
 * Writes requests cloned from the template, a day and more old, until `total` are stored, through
 * the service's own batch adapter (the same items a create writes, keys from its key module):
 * `SEED_WRITERS` writers, each taking the next 25 requests, so DynamoDB Local never waits on a
 * batch boundary. Returns how many are stored.
 */
export async function seedTo(calls: Calls, table: string, total: number): Promise<number> {
  const stored = () => calls.counts.created + calls.counts.seeded;
  const base = Date.parse(calls.template.createdAt) - 86_400_000;
  const wanted = Math.max(0, total - stored());
  const first = calls.counts.seeded;
  let next = 0;
  const chunk = 25;
  await Promise.all(
    Array.from({ length: SEED_WRITERS }, async () => {
      while (next < wanted) {
        const from = next;
        const n = Math.min(chunk, wanted - from);
        next += n;
        const batch = Array.from({ length: n }, (_, i) => ({
          request: calls.cloneRequest(new Date(base - (first + from + i) * 1000).toISOString()),
        }));
        await batchPutRequests(calls.db, table, batch);
        calls.counts.seeded += n;
      }
    }),
  );
  return stored();
}

export interface SearchFigures {
  stored: number;
  service: number;
  bare: number;
  /** The floor's parts, taken in the same turns: the search's first Queries made bare (`searchShards`) and GET /health. */
  shards: number;
  hop: number;
  /** Whether the stack process was started for this size alone. */
  fresh: boolean;
}

/** The search first page (state=requested, limit 20) beside a bare Query page, with `stored` requests stored. */
async function searchWith(
  calls: Calls,
  pids: number[],
  stored: number,
  size: Sizes,
  timer: PhaseTimer,
): Promise<Omit<SearchFigures, 'fresh'>> {
  const total = await timer.time(`search, ${stored} stored: seed`, () => seedTo(calls, TABLE_NAME, stored));
  return timer.time(`search, ${stored} stored: measure`, async () => {
    // Measure once DynamoDB Local and the stack are quiet after the seed.
    await waitQuiet(pids, { timeoutMs: 120_000 });
    for (let i = 0; i < size.warmup; i++) {
      await calls.service.search();
      await calls.bare.searchPage();
      await calls.bare.searchShards();
      await calls.service.health();
    }
    const figures = await interleaved(size, {
      bare: calls.bare.searchPage,
      service: calls.service.search,
      shards: calls.bare.searchShards,
      hop: calls.service.health,
    });
    const median = (name: string) => figures[name] ?? Number.NaN;
    return { stored: total, service: median('service'), bare: median('bare'), shards: median('shards'), hop: median('hop') };
  });
}

/** The search stacks: deployed, without the outbox (see StackConfig.outbox): the seed starts no workflows. */
const SEARCH_STACK: StackConfig = { ...DEPLOYED, outbox: false };

/**
 * The search figures with each number of requests stored, each in a fresh stack process (with
 * `size.freshSearch`; the smoke run seeds one stack to each size in turn).
 */
export async function searchInFreshStacks(storedSizes: number[], size: Sizes, timer: PhaseTimer = phaseTimer()): Promise<SearchFigures[]> {
  if (!size.freshSearch) {
    return withStack(SEARCH_STACK, async (calls, pids) => {
      const figures: SearchFigures[] = [];
      for (const stored of storedSizes) figures.push({ ...(await searchWith(calls, pids, stored, size, timer)), fresh: false });
      return figures;
    });
  }
  const figures: SearchFigures[] = [];
  for (const stored of storedSizes)
    figures.push({ ...(await withStack(SEARCH_STACK, (calls, pids) => searchWith(calls, pids, stored, size, timer))), fresh: true });
  return figures;
}

async function warmUp(calls: Calls, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    await calls.service.create();
    await calls.service.get();
    await calls.service.decide();
    await calls.bare.create();
    await calls.bare.query();
    await calls.bare.decide();
  }
}

export interface ConfigFigures {
  name: string;
  latency: LatencyFigures;
}

/**
 * The one setting run beside npm start: of the three in which npm start differs from the deployed
 * configuration (pretty logs, no --enable-source-maps, DynamoDB Local on disk), the one that
 * explains its gap. The last full run that measured all of them (one at a time, then all three)
 * put create / decide medians at 27.6 / 25.7 ms deployed, 25.1 / 24.5 ms with pretty logs and
 * 29.2 / 26.6 ms without the flag (within the run's noise), 55.2 / 40.7 ms with the table on disk,
 * 56.3 / 39.2 ms with all three and 48.2 / 51.6 ms for npm start itself: the disk alone accounts
 * for the gap. The other settings carry no goal and are no longer run.
 */
export const NPM_START_SETTINGS: ReadonlyArray<{ name: string; config: StackConfig }> = [
  { name: 'DynamoDB Local on disk (the setting that explains npm start)', config: { ...DEPLOYED, dynamo: 'disk' } },
];

/**
 * GET, create and decide beside their bare calls against `npm start` (spawned as a user runs it,
 * driven over HTTP), and, with `variants`, against a fresh stack process in the deployed
 * configuration and with DynamoDB Local on disk as npm start keeps it.
 */
export async function npmStartComparison(
  size: Sizes,
  log: (line: string) => void,
  timer: PhaseTimer = phaseTimer(),
): Promise<ConfigFigures[]> {
  const phase = { samples: size.npmStartSamples };
  const figures: ConfigFigures[] = [];
  const configs = size.variants ? [{ name: `deployed (${describeConfig(DEPLOYED)})`, config: DEPLOYED }, ...NPM_START_SETTINGS] : [];
  for (const { name, config } of configs) {
    const latency = await timer.time(`npm start comparison: ${name}`, () =>
      withStack(config, async (calls) => {
        await warmUp(calls, size.warmup);
        for (let i = 0; i < phase.samples + 5; i++) await calls.bare.create();
        return latencyPhase(calls, phase);
      }),
    );
    log(`${name}: ${summary(latency)}`);
    figures.push({ name, latency });
  }
  await timer.time('npm start comparison: npm start', () => npmStartItself(size, phase, log, figures));
  return figures;
}

async function npmStartItself(
  size: Sizes,
  phase: { samples: number },
  log: (line: string) => void,
  figures: ConfigFigures[],
): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'approvals-bench-npm-start-'));
  // Ports of its own, away from the usual 3000/8005 a person may be running.
  const port = 3100 + Math.floor(Math.random() * 900);
  const npm = await startNpmStart(dataDir, { port, mailPort: port + 5000 });
  try {
    const target: Target = { apiUrl: npm.apiUrl, dataDir, dynamoEndpoint: npm.dynamoEndpoint, tableName: npm.tableName };
    const calls = await prepareCalls(target);
    try {
      await warmUp(calls, size.warmup);
      const latency = await latencyPhase(calls, phase);
      log(`npm start: ${summary(latency)}`);
      figures.push({ name: 'npm start', latency });
    } finally {
      calls.close();
    }
  } finally {
    await npm.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export function summary(l: LatencyFigures): string {
  const r = (a: number, b: number) => (a / b).toFixed(2);
  return `GET ${l.get.service.toFixed(1)} ms (${r(l.get.service, l.get.bare)}× bare), create ${l.create.service.toFixed(1)} ms (${r(l.create.service, l.create.bare)}× bare, ${r(l.create.service, l.create.transact2)}× 2-item), decide ${l.decide.service.toFixed(1)} ms (${r(l.decide.service, l.decide.bare)}× bare, ${r(l.decide.service, l.decide.transact2)}× 2-item)`;
}
