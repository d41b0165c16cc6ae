/**
 * Bundles one function for Lambda: `index.js` and its source map (`index.js.map`, without the
 * sources, mapping the service's own code alone: infra/source-map.ts) in the output folder, with the
 * options of infra/bundling.ts. The CDK asset of every
 * function runs it as its local bundling (infra/constructs/service-function.ts): esbuild's plugins
 * need its asynchronous API, which the asset's synchronous bundling step reaches through this process.
 *
 *   node --import tsx infra/bundle-function.ts <entry> <output folder>
 */
import { resolve } from 'node:path';
import { build, type LogLevel } from 'esbuild';
import { esbuildOptions } from './bundling';
import { DEPLOYED_SOURCE_MAP, writeDeployed } from './source-map';

/**
 * Writes `<outdir>/index.js` and `<outdir>/index.js.map` for the handler module `entry`; esbuild
 * reports errors on stderr unless `logLevel` says otherwise. Resolves with the modules whose code the
 * bundle holds (esbuild's metafile: paths relative to the project, a plugin's namespace first).
 */
export async function bundleFunction(entry: string, outdir: string, logLevel: LogLevel = 'error'): Promise<{ inputs: string[] }> {
  const { outputFiles, metafile } = await build({
    ...esbuildOptions(resolve(entry)),
    logLevel,
    entryPoints: { index: resolve(entry) },
    outdir,
    ...DEPLOYED_SOURCE_MAP,
    metafile: true,
  });
  writeDeployed(outputFiles);
  const bundle = Object.values(metafile.outputs).find((output) => output.entryPoint);
  return { inputs: Object.entries(bundle?.inputs ?? {}).flatMap(([input, { bytesInOutput }]) => (bytesInOutput > 0 ? [input] : [])) };
}

if (require.main === module) {
  const [entry, outdir] = process.argv.slice(2);
  if (!entry || !outdir) {
    process.stderr.write('usage: node --import tsx infra/bundle-function.ts <entry> <output folder>\n');
    process.exit(2);
  }
  bundleFunction(entry, outdir).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
