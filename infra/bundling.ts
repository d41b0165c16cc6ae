/**
 * How every Lambda function is bundled, in one place: the CDK construct (infra/constructs/
 * service-function.ts) bundles each function with these options (infra/bundle-function.ts, run by
 * the asset's local bundling), and the bundle-size test and the benchmark run esbuild with the same
 * ones, so what they measure is what is deployed.
 *
 * The AWS SDK is bundled rather than taken from the Lambda runtime's copy: measured on the
 * benchmark machine (docs/performance.md), a handler whose SDK loads from node_modules (as the
 * runtime's copy does) starts slower than the minified single file, and the deployed code then
 * runs the SDK versions the tests ran.
 */
import { resolve } from 'node:path';
import type { BuildOptions } from 'esbuild';
import { sdkSchemaKeys } from './sdk-schema-keys';
import { sideEffectFree } from './side-effect-free';

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
   * client is given anyway (functions/adapters/credentials.ts). The SDK's event-stream codec (about
   * 15 KB, loaded only for an operation with an event stream, which none of the functions' clients
   * has) becomes a module that says so (functions/adapters/no-event-streams.ts).
   */
  alias: {
    '@aws-sdk/credential-provider-node': './functions/adapters/credentials.ts',
    '@smithy/core/event-streams': './functions/adapters/no-event-streams.ts',
  } as Record<string, string>,
} as const;

/** BUNDLING.alias with absolute paths, as esbuild takes them whatever its working directory. */
export const bundlingAliases = (): Record<string, string> =>
  Object.fromEntries(Object.entries(BUNDLING.alias).map(([module, path]) => [module, resolve(ROOT, path)]));

/**
 * A read-only API function: every method of its route is GET or HEAD (functions/registry.ts). Its
 * bundle has its own budget and goal: it reads the table and answers, nothing more.
 */
export const isReadOnlyApi = (fn: { kind: string; methods?: readonly string[] }) =>
  fn.kind === 'api' && (fn.methods ?? []).every((method) => method === 'GET' || method === 'HEAD');

/**
 * The largest minified bundle a function may have (bytes), by kind; test/unit/infra/bundles.spec.ts
 * checks every function against it so that bundles do not grow back. The budgets are the sizes
 * reached (measured with these options, 2026-12), with about 10 KB of room:
 * - read-only API functions: up to 383 KB (health 91 KB, receiptKeys 267 KB; getRequest 319 KB, getStats 323 KB,
 *   exportRequests 332 KB; the ones that read the user directory carry its Cognito client: listTasks
 *   358 KB, getDelegation 354 KB; linkPage 383 KB also verifies links with Secrets Manager's client);
 * - other functions: 315–466 KB (createRequest 466 KB holds the packages that read a P10 enrollment's
 *   CSR, about 92 KB, of which asn1js is 58 KB; awaitDecision 444 KB the DynamoDB, Cognito, SES, Step Functions and
 *   Secrets Manager clients; notifyOutcome 407 KB and deliverCallback 381 KB the KMS client).
 * Every bundle is about 133 KB lighter without the SDK's default credential chain and 15 KB without
 * its event-stream codec (the aliases above), about 75 KB lighter with zod's tree-shakable API
 * (functions/domain/zod.ts), and holds only the clients its needs call (functions/commons/deps.ts);
 * the four that send email are 43 KB lighter without SES v2's other operations (infra/sdk-schema-keys.ts),
 * and createRequest 23 KB lighter without the CSR packages' unused schemas (infra/side-effect-free.ts).
 * Of what is left in getRequest, the SDK's core (@smithy/core, @aws-sdk/core) is about 120 KB
 * (docs/performance.md).
 */
export const READ_ONLY_BUNDLE_BYTES = 395 * 1024;
export const MAX_BUNDLE_BYTES = 476 * 1024;

/** The size budget of one function's bundle, by its kind. */
export const bundleBudget = (fn: { kind: string; methods?: readonly string[] }) =>
  isReadOnlyApi(fn) ? READ_ONLY_BUNDLE_BYTES : MAX_BUNDLE_BYTES;

/** The goals the benchmark reports against (issue 21): the largest bundle, a read-only API function's, module init (the time a fresh node takes to load a bundle, beyond its own start: bench/bundles.ts). */
export const BUNDLE_GOAL_BYTES = 450 * 1024;
export const READ_ONLY_BUNDLE_GOAL_BYTES = 300 * 1024;
export const INIT_GOAL_MS_OVER_BARE = 80;

/**
 * esbuild's options for one function's entry, as it is deployed (without the source map, which
 * infra/bundle-function.ts adds). One plugin lets esbuild leave out the SDK schemas of operations a
 * function never sends (infra/sdk-schema-keys.ts), and the other the modules of the CSR packages
 * that a function never imports (infra/side-effect-free.ts).
 */
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
    plugins: [sdkSchemaKeys, sideEffectFree],
    logLevel: 'error',
  };
}
