/**
 * A short run of `npm run bench` (BENCH_SMOKE: tiny counts, no goal asserted): every phase runs
 * against the real local stack and the outputs are well-formed.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBench } from '../../bench/run';

const outDir = mkdtempSync(join(tmpdir(), 'approvals-bench-smoke-'));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

test('a smoke run of the benchmark writes one well-formed result per goal, the report and its chart', async () => {
  const lines: string[] = [];
  const returned = await runBench({ smoke: true, outDir, log: (line) => lines.push(line) });

  const file = JSON.parse(readFileSync(join(outDir, 'results.json'), 'utf8')) as {
    results: Array<Record<string, unknown>>;
    phases: Array<{ name: string; seconds: number }>;
  };
  const results = file.results;
  expect(results).toEqual(returned);
  expect(results).toHaveLength(24);
  const keys = ['name', 'value', 'unit', 'baseline', 'ratio', 'goal', 'met', 'floor', 'floorOf', 'outOfReach'];
  for (const result of results) {
    expect(Object.keys(result).every((key) => keys.includes(key))).toBe(true);
    if ('floor' in result) {
      expect(Number.isFinite(result.floor)).toBe(true);
      expect(typeof result.floorOf).toBe('string');
      expect(typeof result.outOfReach).toBe('boolean');
    }
    expect(typeof result.name).toBe('string');
    expect(typeof result.unit).toBe('string');
    expect(typeof result.goal).toBe('string');
    expect(typeof result.met).toBe('boolean');
    expect(Number.isFinite(result.value)).toBe(true);
    if ('baseline' in result) expect(Number.isFinite(result.baseline)).toBe(true);
    if ('ratio' in result) expect(Number.isFinite(result.ratio)).toBe(true);
  }
  // The plain approval really ran through the workflow and its history was read.
  const transitions = results.find((result) => String(result.name).startsWith('state transitions'));
  expect(transitions?.value).toBeGreaterThanOrEqual(4);

  // The CPU goal's floor (DynamoDB Local and the calling node process, the calls made bare) is measured in every run.
  const cpu = results.find((result) => String(result.name).startsWith('CPU per approval'));
  expect(cpu?.floor).toBeGreaterThan(0);
  // GET's floor: the bare Query plus a round trip through the gateway (GET /health), taken in the same turns.
  const get = results.find((result) => String(result.name).startsWith('GET /requests/{id}'));
  expect(get?.floor).toBeGreaterThan(get?.baseline as number);
  // The search's floor: its first Queries made bare (one per shard) plus that round trip.
  const search = results.find((result) => String(result.name).startsWith('search first page (state=requested'));
  expect(search?.floor).toBeGreaterThan(0);
  // Module init is measured (timed inside node around the bundle's require), and its floor beside it.
  const init = results.find((result) => String(result.name).startsWith('module init of the slowest bundled handler'));
  expect(String(init?.name)).toMatch(/timed inside the process/);
  expect(init?.value).toBeGreaterThan(0);
  expect(init?.floor).toBeGreaterThan(0);
  // The memory row counts the workflow executions running in the stack process: the seeded requests' among them.
  const memory = results.find((result) => String(result.name).startsWith('stack process memory'));
  const running = /with (\d+) pending requests \(workflow executions running\)/.exec(String(memory?.name));
  expect(Number(running?.[1])).toBeGreaterThan(0);
  // Every phase's wall time, in the order they ran, adding up to no more than the whole run.
  expect(file.phases.map((phase) => phase.name)).toEqual(
    expect.arrayContaining(['bundles, their floors and module init', 'main stack: CPU per approval', 'npm start comparison: npm start']),
  );
  for (const phase of file.phases) expect(phase.seconds).toBeGreaterThanOrEqual(0);
  const minutes = results.find((result) => String(result.name).startsWith('npm run bench itself'))?.value as number;
  expect(file.phases.reduce((sum, phase) => sum + phase.seconds, 0)).toBeLessThanOrEqual(minutes * 60 + 6);

  const report = readFileSync(join(outDir, 'report.md'), 'utf8');
  expect(report).toContain('### Where the minutes go');
  for (const phase of file.phases) expect(report).toContain(`| ${phase.name} | ${phase.seconds} |`);
  expect(report).toContain('| figure | value | baseline | ratio | goal |');
  for (const result of results) expect(report).toContain(String(result.name));
  expect(report).toContain('](chart.svg)');
  const chart = readFileSync(join(outDir, 'chart.svg'), 'utf8');
  expect(chart).toMatch(/^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  expect(chart.match(/<polyline /g)).toHaveLength(8);
  expect(lines[0]).toMatch(/^bench: \d+ cores/);
}, 240_000);
