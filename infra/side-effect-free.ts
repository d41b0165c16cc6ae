/**
 * The PKCS#10 reader's packages (`@peculiar/asn1-*` and their helpers, `@peculiar/utils`) marked free
 * of side effects, so that esbuild leaves out the modules of theirs that a function never imports.
 *
 * Their package.json files declare no `sideEffects`, and each schema class registers its ASN.1 schema
 * through decorators when its module loads, which esbuild must treat as a side effect. So a function
 * that imports one class from `@peculiar/asn1-x509` held every module the package's index re-exports:
 * the schemas of certificates, CRLs and about thirty extensions that the service never reads, and the
 * encoders and PEM helpers of `@peculiar/utils`. Of createRequest's bundle that was 23 KB (bench/
 * findings.md, twelfth round). A schema registers itself for the classes that use it, which import it,
 * and none of these packages looks a schema up by name or imports a module for its effect alone, so a
 * module that nothing imports is one nothing needs. test/unit/infra/bundled-csr.spec.ts runs the CSR
 * reader bundled with this plugin beside the source and compares what both read.
 */
import { readFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import type { ImportKind, Plugin, PluginBuild } from 'esbuild';

/**
 * The packages' files are loaded in a namespace of their own, so that esbuild calls this plugin for
 * the imports of those files alone (a filter on every relative import of the bundle would call it for
 * each of the SDK's thousands).
 */
const NAMESPACE = 'side-effect-free';
const GUARD = Symbol('side-effect-free');
/**
 * Paths in the namespace are relative to the project, as the source map names them: an absolute path
 * would put the build machine's folders in the deployed map and in the asset's hash.
 */
const ROOT = resolve(__dirname, '..');

/** `path` resolved as esbuild would, from `resolveDir`, and marked free of side effects in the namespace. */
async function marked(build: PluginBuild, path: string, resolveDir: string, kind: ImportKind) {
  // The guard: esbuild runs this plugin's own resolver again for a bare `@peculiar/` path.
  const resolved = await build.resolve(path, { kind, resolveDir, pluginData: GUARD });
  if (resolved.errors.length > 0) return { errors: resolved.errors };
  return { path: relative(ROOT, resolved.path), namespace: NAMESPACE, sideEffects: false };
}

export const sideEffectFree: Plugin = {
  name: 'side-effect-free-packages',
  setup(build) {
    // A package of theirs, imported from anywhere.
    build.onResolve({ filter: /^@peculiar\// }, (args) =>
      args.pluginData === GUARD ? undefined : marked(build, args.path, args.resolveDir, args.kind),
    );
    // A relative import inside one of their files.
    build.onResolve({ filter: /^\.\.?\//, namespace: NAMESPACE }, (args) => marked(build, args.path, args.resolveDir, args.kind));
    build.onLoad({ filter: /.*/, namespace: NAMESPACE }, async (args) => {
      const file = resolve(ROOT, args.path);
      return { contents: await readFile(file, 'utf8'), loader: 'js', resolveDir: dirname(file) };
    });
  },
};
