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
import type { Plugin } from 'esbuild';

/** Where the marked modules live: any file of a `@peculiar/` package. */
const PACKAGE_FILE = /[\\/]node_modules[\\/]@peculiar[\\/]/;

export const sideEffectFree: Plugin = {
  name: 'side-effect-free-packages',
  setup(build) {
    // A bare import of one of the packages, or a relative import inside one.
    build.onResolve({ filter: /^(@peculiar\/|\.\.?\/)/ }, async (args) => {
      if (args.pluginData === sideEffectFree) return undefined;
      if (args.path.startsWith('.') && !PACKAGE_FILE.test(args.importer)) return undefined;
      const resolved = await build.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        pluginData: sideEffectFree,
      });
      if (resolved.errors.length > 0) return { errors: resolved.errors };
      return PACKAGE_FILE.test(resolved.path) ? { ...resolved, sideEffects: false } : resolved;
    });
  },
};
