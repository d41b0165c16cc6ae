/**
 * Every function's bundle, built with the deployed options (infra/bundling.ts, with the source map
 * beside it as CDK deploys it): its minified size and its module init, the time `node` takes to
 * load it, against a bare `node -e 0`, interleaved so that all see the same machine load. Init is
 * measured as deployed (`node --enable-source-maps`, the functions' NODE_OPTIONS) and without the
 * flag, to show what the source maps cost.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { build } from 'esbuild';
import { FUNCTIONS } from '../functions/registry';
import { esbuildOptions, isReadOnlyApi } from '../infra/bundling';
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

export interface BundleFigures {
  /** `readOnly`: a read-only API function (infra/bundling.ts `isReadOnlyApi`). */
  sizes: Array<{ name: string; bytes: number; readOnly: boolean }>;
  /** Each function's floor bundle (bench/floors.ts): what it holds and its minified size. */
  floors: Array<{ name: string; clients: string[]; bytes: number }>;
  /**
   * Medians: `ms` as deployed (`--enable-source-maps`), `withoutSourceMapsMs` without the flag;
   * `floorMs` the module init of the function's floor bundle, as deployed.
   */
  init?: { bareMs: number; functions: Array<{ name: string; ms: number; withoutSourceMapsMs: number; floorMs: number }> };
}

/** `only`: the first so many functions (default all). */
export async function measureBundles(options: { initRuns: number; only?: number; log: (line: string) => void }): Promise<BundleFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'approvals-bundles-'));
  try {
    const built: Array<{ name: string; file: string; bytes: number; readOnly: boolean; floorKey: string }> = [];
    // The floor bundles, one per distinct floor (functions with the same clients share one).
    const floorBuilt = new Map<string, { file: string; bytes: number }>();
    for (const { name, entry, readOnly, floor } of FUNCTION_ENTRIES.slice(0, options.only)) {
      const file = join(dir, `${name}.js`);
      // As CDK builds it (infra/constructs/service-function.ts): a linked source map without the sources.
      await build({ ...esbuildOptions(resolve(entry)), outfile: file, sourcemap: true, sourcesContent: false });
      const key = floorKey(floor);
      if (!floorBuilt.has(key)) {
        const floorFile = join(dir, `floor-${floorBuilt.size}.js`);
        const { entryPoints: _entry, ...options } = esbuildOptions(resolve(entry));
        await build({
          ...options,
          stdin: { contents: floorEntry(floor), resolveDir: resolve(__dirname, '..'), sourcefile: `floor-${key}.ts`, loader: 'ts' },
          outfile: floorFile,
          sourcemap: true,
          sourcesContent: false,
        });
        floorBuilt.set(key, { file: floorFile, bytes: statSync(floorFile).size });
      }
      built.push({ name, file, bytes: statSync(file).size, readOnly, floorKey: key });
    }
    const sizes = built.map(({ name, bytes, readOnly }) => ({ name, bytes, readOnly }));
    const floors = FUNCTION_ENTRIES.slice(0, options.only).map(({ name, floor }) => ({
      name,
      clients: floor.clients,
      bytes: floorBuilt.get(floorKey(floor))?.bytes ?? Number.NaN,
    }));
    if (options.initRuns <= 0) return { sizes, floors };
    const env = { ...process.env, ...FUNCTION_ENV };
    const time = (args: string[]) => {
      const t0 = performance.now();
      const run = spawnSync(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
      const ms = performance.now() - t0;
      if (run.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${run.stderr.toString().slice(-500)}`);
      return ms;
    };
    const bare: number[] = [];
    const deployed = new Map(built.map(({ name }) => [name, [] as number[]]));
    const withoutMaps = new Map(built.map(({ name }) => [name, [] as number[]]));
    const floorInit = new Map([...floorBuilt.keys()].map((key) => [key, [] as number[]]));
    for (let run = 0; run < options.initRuns; run++) {
      for (const fn of built) {
        const load = `require(${JSON.stringify(fn.file)})`;
        bare.push(time(['-e', '0']));
        deployed.get(fn.name)?.push(time(['--enable-source-maps', '-e', load]));
        withoutMaps.get(fn.name)?.push(time(['-e', load]));
      }
      // Each floor bundle as deployed, in the same runs (interleaved with the functions' own).
      for (const [key, { file }] of floorBuilt)
        floorInit.get(key)?.push(time(['--enable-source-maps', '-e', `require(${JSON.stringify(file)})`]));
    }
    const functions = built.map(({ name, floorKey: key }) => ({
      name,
      ms: median(deployed.get(name) ?? []),
      withoutSourceMapsMs: median(withoutMaps.get(name) ?? []),
      floorMs: median(floorInit.get(key) ?? []),
    }));
    const slowest = functions.reduce((a, b) => (b.ms > a.ms ? b : a));
    options.log(
      `module init: bare node ${median(bare).toFixed(1)} ms; slowest ${slowest.name} ${slowest.ms.toFixed(1)} ms with source maps, ${slowest.withoutSourceMapsMs.toFixed(1)} ms without`,
    );
    return { sizes, floors, init: { bareMs: median(bare), functions } };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
