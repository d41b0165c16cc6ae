/**
 * Every function's bundle, built with the deployed options (infra/bundling.ts, with the source map
 * beside it as CDK deploys it): its minified size and its module init, the time a fresh `node`
 * process takes to load it (timed inside the process around the `require`: what a cold start spends
 * beyond Node's own start, which a bare `node -e 0` measures), each function in turn so that all see
 * the same machine load. Init is measured as deployed (`node --enable-source-maps`, the functions'
 * NODE_OPTIONS) and, in every other run, without the flag, to show what the source maps cost. The
 * whole process's time over a bare node, the measure of earlier rounds, is kept beside it: it also
 * counts the process's exit with the bundle's heap, which a Lambda cold start does not. Beside each
 * function, its floor (bench/floors.ts): the bundle of only the clients its needs call and the
 * libraries every function holds, built in the same esbuild run and loaded in the same runs.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { build, type Plugin } from 'esbuild';
import { FUNCTIONS } from '../functions/registry';
import { esbuildOptions, isReadOnlyApi } from '../infra/bundling';
import { DEPLOYED_SOURCE_MAP, writeDeployed } from '../infra/source-map';
import { type FloorSpec, floorEntry, floorKey, floorSpec } from './floors';
import { median } from './load';

/** Every Lambda function's entry: every function of the registry (functions/registry.ts). */
export const FUNCTION_ENTRIES: ReadonlyArray<{ name: string; entry: string; readOnly: boolean; floor: FloorSpec }> = FUNCTIONS.map(
  (fn) => ({
    name: fn.name,
    entry: fn.entry,
    readOnly: isReadOnlyApi(fn),
    floor: floorSpec(fn),
  }),
);

const ROOT = resolve(__dirname, '..');

/** The floors' entries as modules `floor:<key>`, resolved from the project root (bench/floors.ts). */
function floorModules(entries: ReadonlyMap<string, string>): Plugin {
  return {
    name: 'floor-entries',
    setup(builder) {
      builder.onResolve({ filter: /^floor:/ }, (args) => ({ path: args.path.slice('floor:'.length), namespace: 'floor' }));
      builder.onLoad({ filter: /.*/, namespace: 'floor' }, (args) => ({
        contents: entries.get(args.path),
        loader: 'ts',
        resolveDir: ROOT,
      }));
    },
  };
}

/** Settings every function may read at load (values in the shapes settings.ts checks). */
const FUNCTION_ENV = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  TABLE_NAME: 'approvals',
  STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:000000000000:stateMachine:approval',
  LINK_KEYS_SECRET_ID: 'approvals/link-signing-keys',
  CALLBACK_KEYS_SECRET_ID: 'approvals/callback-signing-keys',
  SENDER_EMAIL: 'approvals@example.com',
  PUBLIC_BASE_URL: 'https://approvals.example.com',
  CALLBACK_URL_PREFIXES: 'https://billing.example.com/approvals/',
  USER_POOL_ID: 'us-east-1_bench',
  EVENT_BUS_NAME: 'approvals',
  RECEIPT_SIGNING_KEY_ARN: 'arn:aws:kms:us-east-1:000000000000:key/bench',
  RECEIPT_KEY_ARNS: 'arn:aws:kms:us-east-1:000000000000:key/bench',
};

/**
 * A bundle's bytes by where they come from (esbuild's metafile): the service's own code
 * (functions/), zod, the AWS SDK (@aws-sdk, @smithy, @aws) and the rest (middy, Powertools, …).
 */
export interface BundleParts {
  own: number;
  zod: number;
  sdk: number;
  other: number;
}

export function partOf(input: string): keyof BundleParts {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input)?.[1];
  if (!pkg) return /(^|\/)functions\//.test(input) ? 'own' : 'other';
  if (pkg === 'zod') return 'zod';
  return /^@(aws-sdk|smithy|aws)\//.test(pkg) ? 'sdk' : 'other';
}

export interface BundleFigures {
  /** `readOnly`: a read-only API function (infra/bundling.ts `isReadOnlyApi`). */
  sizes: Array<{ name: string; bytes: number; readOnly: boolean; parts?: BundleParts }>;
  /** Each function's floor bundle (bench/floors.ts): what it holds and its minified size. */
  floors: Array<{ name: string; clients: string[]; bytes: number; parts?: BundleParts }>;
  /**
   * Medians of module init, the time node takes inside the process to load the bundle (`require`,
   * timed around it): `ms` as deployed (`--enable-source-maps`), `withoutSourceMapsMs` without the
   * flag, `floorMs` the function's floor bundle as deployed. `processOverBareMs`: the same runs as
   * deployed timed as whole processes, less a bare `node -e 0` (`bareMs`), the measure of the rounds
   * before the thirteenth, which also counts the process's exit with the bundle's heap.
   */
  init?: {
    bareMs: number;
    functions: Array<{ name: string; ms: number; withoutSourceMapsMs: number; floorMs: number; processOverBareMs: number }>;
  };
}

/** How many of the slowest functions after the first pass are measured again (see measureBundles). */
const CONFIRMED_SLOWEST = 4;

/** `only`: the first so many functions (default all). */
export async function measureBundles(options: { initRuns: number; only?: number; log: (line: string) => void }): Promise<BundleFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'approvals-bundles-'));
  try {
    const entries = FUNCTION_ENTRIES.slice(0, options.only);
    // The floor bundles, one per distinct floor (functions with the same clients share one).
    const floorEntries = new Map<string, string>();
    for (const { floor } of entries) if (!floorEntries.has(floorKey(floor))) floorEntries.set(floorKey(floor), floorEntry(floor));
    const floorOut = new Map([...floorEntries.keys()].map((key, i) => [key, `floor-${i}`]));
    // One esbuild run for every bundle (each its own file: no code splitting), with the deployed
    // options and, as CDK builds it (infra/bundle-function.ts), a linked source map without the
    // sources that maps the service's own code alone; the floors' entries are modules of their own
    // resolved from the project.
    const { entryPoints: _one, ...deployedOptions } = esbuildOptions(resolve(ROOT, 'functions/registry.ts'));
    const { metafile, outputFiles } = await build({
      ...deployedOptions,
      metafile: true,
      entryPoints: [
        ...entries.map(({ name, entry }) => ({ in: resolve(ROOT, entry), out: name })),
        ...[...floorOut].map(([key, out]) => ({ in: `floor:${key}`, out })),
      ],
      outdir: dir,
      ...DEPLOYED_SOURCE_MAP,
      plugins: [...(deployedOptions.plugins ?? []), floorModules(floorEntries)],
    });
    writeDeployed(outputFiles);
    const bytesOf = (out: string) => statSync(join(dir, `${out}.js`)).size;
    const partsOf = (out: string): BundleParts => {
      const parts: BundleParts = { own: 0, zod: 0, sdk: 0, other: 0 };
      const output = Object.entries(metafile.outputs).find(([path]) => path.endsWith(`/${out}.js`))?.[1];
      for (const [input, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) parts[partOf(input)] += bytesInOutput;
      return parts;
    };
    const built = entries.map(({ name, readOnly, floor }) => ({
      name,
      file: join(dir, `${name}.js`),
      bytes: bytesOf(name),
      parts: partsOf(name),
      readOnly,
      floorKey: floorKey(floor),
    }));
    const floorBuilt = new Map(
      [...floorOut].map(([key, out]) => [key, { file: join(dir, `${out}.js`), bytes: bytesOf(out), parts: partsOf(out) }] as const),
    );
    const sizes = built.map(({ name, bytes, readOnly, parts }) => ({ name, bytes, readOnly, parts }));
    const floors = FUNCTION_ENTRIES.slice(0, options.only).map(({ name, floor }) => ({
      name,
      clients: floor.clients,
      bytes: floorBuilt.get(floorKey(floor))?.bytes ?? Number.NaN,
      parts: floorBuilt.get(floorKey(floor))?.parts,
    }));
    if (options.initRuns <= 0) return { sizes, floors };
    const env = { ...process.env, ...FUNCTION_ENV };
    /** A node process's wall time, and (with `file`) the time it took inside to load the bundle. */
    const run = (flags: string[], file?: string) => {
      const script = file
        ? `const t0 = process.hrtime.bigint(); require(${JSON.stringify(file)}); process.stdout.write(String(Number(process.hrtime.bigint() - t0) / 1e6));`
        : '0';
      const t0 = performance.now();
      const child = spawnSync(process.execPath, [...flags, '-e', script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      const wallMs = performance.now() - t0;
      if (child.status !== 0) throw new Error(`node ${flags.join(' ')} -e ${script} failed: ${child.stderr.toString().slice(-500)}`);
      return { wallMs, initMs: Number(child.stdout.toString()) };
    };
    const bare: number[] = [];
    const deployed = new Map(built.map(({ name }) => [name, [] as number[]]));
    const deployedWall = new Map(built.map(({ name }) => [name, [] as number[]]));
    const withoutMaps = new Map(built.map(({ name }) => [name, [] as number[]]));
    const floorInit = new Map([...floorBuilt.keys()].map((key) => [key, [] as number[]]));
    for (let round = 0; round < options.initRuns; round++) {
      for (const fn of built) {
        bare.push(run([]).wallMs);
        const asDeployed = run(['--enable-source-maps'], fn.file);
        deployed.get(fn.name)?.push(asDeployed.initMs);
        deployedWall.get(fn.name)?.push(asDeployed.wallMs);
        // Without the flag in every other run (2 of 4): what the flag costs needs fewer samples than the goal's figure.
        if (round % 2 === 0) withoutMaps.get(fn.name)?.push(run([], fn.file).initMs);
      }
      // Each floor bundle as deployed, in the same runs (interleaved with the functions' own).
      for (const [key, { file }] of floorBuilt) floorInit.get(key)?.push(run(['--enable-source-maps'], file).initMs);
    }
    // The slowest of some thirty medians of four noisy runs is biased up: an unlucky run elects a
    // function. The few slowest after the first pass are measured again, in turn, three times as
    // often, and their medians taken over all their runs.
    const firstPass = [...built].sort((a, b) => median(deployed.get(b.name) ?? []) - median(deployed.get(a.name) ?? []));
    for (let round = 0; round < 3 * options.initRuns; round++) {
      for (const fn of firstPass.slice(0, CONFIRMED_SLOWEST)) {
        const asDeployed = run(['--enable-source-maps'], fn.file);
        deployed.get(fn.name)?.push(asDeployed.initMs);
        deployedWall.get(fn.name)?.push(asDeployed.wallMs);
        bare.push(run([]).wallMs);
      }
    }
    const functions = built.map(({ name, floorKey: key }) => ({
      name,
      ms: median(deployed.get(name) ?? []),
      withoutSourceMapsMs: median(withoutMaps.get(name) ?? []),
      floorMs: median(floorInit.get(key) ?? []),
      processOverBareMs: median(deployedWall.get(name) ?? []) - median(bare),
    }));
    const slowest = functions.reduce((a, b) => (b.ms > a.ms ? b : a));
    options.log(
      `module init: slowest ${slowest.name} ${slowest.ms.toFixed(1)} ms with source maps, ${slowest.withoutSourceMapsMs.toFixed(1)} ms without; its process ${slowest.processOverBareMs.toFixed(1)} ms over bare node (${median(bare).toFixed(1)} ms)`,
    );
    return { sizes, floors, init: { bareMs: median(bare), functions } };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
