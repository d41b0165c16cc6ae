/**
 * How every Lambda function is bundled, in one place: the CDK construct (infra/constructs/
 * service-function.ts) passes these options to NodejsFunction, and the bundle-size test and the
 * benchmark run esbuild with the same ones, so what they measure is what is deployed.
 *
 * The AWS SDK is bundled rather than taken from the Lambda runtime's copy: measured on the
 * benchmark machine (docs/performance.md), a handler whose SDK loads from node_modules (as the
 * runtime's copy does) starts slower than the minified single file, and the deployed code then
 * runs the SDK versions the tests ran.
 */
import { resolve } from 'node:path';
import type { BuildOptions } from 'esbuild';

/** The project root: function entries and aliases are relative to it. */
const ROOT = resolve(__dirname, '..');

export const BUNDLING = {
  format: 'cjs',
  target: 'node24',
  minify: true,
  /** ESM entry points first: they tree-shake (the SDK's `dist-es`, zod, Powertools). */
  mainFields: ['module', 'main'],
  externalModules: [] as string[],
  /**
   * Modules replaced by a file of the project (paths from the project root). The SDK's default
   * credential chain (shared files, SSO, web identity, metadata, with their STS and SSO clients:
   * about 110 KB) becomes the environment's credentials, which Lambda always sets and which every
   * client is given anyway (functions/adapters/credentials.ts).
   */
  alias: { '@aws-sdk/credential-provider-node': './functions/adapters/credentials.ts' } as Record<string, string>,
} as const;

/** BUNDLING.alias with absolute paths, as esbuild takes them whatever its working directory. */
export const bundlingAliases = (): Record<string, string> =>
  Object.fromEntries(Object.entries(BUNDLING.alias).map(([module, path]) => [module, resolve(ROOT, path)]));

/**
 * The largest minified bundle a function may have (bytes); test/unit/infra/bundles.spec.ts checks
 * every function against it so that bundles do not grow back. The goal is 300 KB; with the SDK
 * bundled, a bare DynamoDB client alone is about 334 KB (93 KB of it the default credential
 * chain), so the budget is the size reached today (docs/performance.md): createRequest is the largest,
 * as it alone carries the PKCS#10 schemas that check a P10 enrollment's CSR (about 60 KB). The
 * user directory's Cognito client added about 8 KB to each API function. Stages, delegation and the
 * CSR policy's findings in the emails took the workflow steps that email (notifyOutcome among them)
 * about 20 KB over 700 KB.
 */
export const MAX_BUNDLE_BYTES = 720 * 1024;
/**
 * What the two workflow steps that sign receipts (needs `receipts:sign`) may carry on top: the KMS
 * client, about 115 KB minified (measured with these options). Only they import it
 * (functions/approval-steps/receipts.ts); every other bundle keeps MAX_BUNDLE_BYTES.
 */
export const KMS_CLIENT_ALLOWANCE_BYTES = 130 * 1024;

/** The size budget of one function's bundle, by its needs. */
export const bundleBudget = (needs: readonly string[]) =>
  MAX_BUNDLE_BYTES + (needs.includes('receipts:sign') ? KMS_CLIENT_ALLOWANCE_BYTES : 0);
/** The goal the benchmark reports against. */
export const BUNDLE_GOAL_BYTES = 300 * 1024;

/** esbuild's options for one function's entry, as NodejsFunction runs it (without the source map). */
export function esbuildOptions(entry: string): BuildOptions {
  return {
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: BUNDLING.format,
    target: BUNDLING.target,
    minify: BUNDLING.minify,
    mainFields: [...BUNDLING.mainFields],
    external: [...BUNDLING.externalModules],
    alias: bundlingAliases(),
    logLevel: 'error',
  };
}
