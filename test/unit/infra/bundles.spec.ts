/**
 * Every Lambda function's bundle, built by esbuild with the deployed options (infra/bundling.ts),
 * stays within the size budget. Sizes drive cold starts: the benchmark measures module init.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { FUNCTION_ENTRIES } from '../../../bench/bundles';
import { bundleBudget, isReadOnlyApi, READ_ONLY_BUNDLE_BYTES } from '../../../infra/bundling';
import { FUNCTIONS, functionNamed } from '../../../functions/registry';
import { functionBundles } from '../../helpers/infra';

test('the bundle list covers every function of the registry', () => {
  const entries = FUNCTION_ENTRIES.map((fn) => fn.entry);
  for (const fn of FUNCTIONS) expect(entries).toContain(fn.entry);
});

/** Every bundle's bytes by function name (test/helpers/infra.ts builds them, each its function's own bundle). */
let sizes: Map<string, number>;
/** The node_modules packages each bundle holds, by function name (from esbuild's metafile). */
let packages: Map<string, Set<string>>;
/** The files each bundle holds (esbuild's metafile), by function name. */
let inputs: Map<string, string[]>;
beforeAll(async () => {
  const bundles = await functionBundles();
  inputs = new Map([...bundles].map(([name, bundle]) => [name, bundle.inputs]));
  sizes = new Map([...bundles].map(([name, bundle]) => [name, bundle.code.contents.length]));
  packages = new Map(
    [...bundles].map(([name, bundle]) => [
      name,
      new Set(bundle.inputs.flatMap((input) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input)?.[1] ?? [])),
    ]),
  );
}, 60_000);

test.each(FUNCTION_ENTRIES.map((fn) => [fn.name]))('the %s bundle is within the size budget', (name) => {
  const bytes = sizes.get(name) ?? 0;
  expect(bytes).toBeGreaterThan(1000);
  expect(bytes).toBeLessThanOrEqual(bundleBudget(functionNamed(name)));
});

test('the read-only API functions are the GET routes, with the tighter budget', () => {
  const readOnly = FUNCTIONS.filter(isReadOnlyApi).map((fn) => fn.name);
  expect(readOnly).toEqual(
    expect.arrayContaining(['getRequest', 'searchRequests', 'listTasks', 'getStats', 'getReceipt', 'receiptKeys', 'getEvidence']),
  );
  expect(readOnly).not.toContain('createRequest');
  for (const name of readOnly) expect(bundleBudget(functionNamed(name))).toBe(READ_ONLY_BUNDLE_BYTES);
});

/** The AWS clients, each with the needs that call it: a bundle holds a client exactly when its function's needs call it. */
const CLIENT_NEEDS: Record<string, readonly string[]> = {
  '@aws-sdk/client-dynamodb': ['table:get', 'table:query', 'table:search', 'table:put', 'table:update', 'table:delete', 'table:due'],
  '@aws-sdk/client-cognito-identity-provider': ['directory:read'],
  '@aws-sdk/client-sfn': ['workflow:start', 'workflow:task', 'workflow:describe'],
  '@aws-sdk/client-sesv2': ['email:send'],
  '@aws-sdk/client-secrets-manager': ['links:sign', 'links:verify', 'callback:sign'],
  '@aws-sdk/client-kms': ['receipts:sign', 'receipts:publish'],
  '@aws-sdk/client-eventbridge': ['events:put'],
};

test.each(FUNCTION_ENTRIES.map((fn) => [fn.name]))('the %s bundle holds the clients its needs call and no other', (name) => {
  const needs: readonly string[] = functionNamed(name).needs;
  const held = Object.keys(CLIENT_NEEDS).filter((client) => packages.get(name)?.has(client));
  const called = Object.keys(CLIENT_NEEDS).filter((client) => CLIENT_NEEDS[client]?.some((need) => needs.includes(need)));
  expect(held).toEqual(called);
});

test.each(FUNCTION_ENTRIES.map((fn) => [fn.name]))(
  "the %s bundle holds the receipts' signature converter only if it signs or publishes receipts",
  (name) => {
    const receipts = functionNamed(name).needs.some((need) => need === 'receipts:sign' || need === 'receipts:publish');
    expect([name, packages.get(name)?.has('ecdsa-sig-formatter')]).toEqual([name, receipts]);
  },
);

/** Whether an SDK client's schemas (dist-es/schemas) mark a member as an event stream (the `streaming` trait). */
const hasEventStream = (schemaSource: string) => /=\s*"streaming"/.test(schemaSource);

test('none of the clients has an event-stream operation, so the bundles leave the SDK codec out (functions/adapters/no-event-streams.ts)', () => {
  // The check finds the trait as the SDK writes it (client-lambda's InvokeWithResponseStream has one).
  expect(hasEventStream('const _st = "streaming";\nconst _t = "type";')).toBe(true);
  for (const client of Object.keys(CLIENT_NEEDS)) {
    const schemas = join(dirname(require.resolve(`${client}/package.json`)), 'dist-es', 'schemas');
    const files = readdirSync(schemas).filter((name) => name.endsWith('.js'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files)
      expect([client, file, hasEventStream(readFileSync(join(schemas, file), 'utf8'))]).toEqual([client, file, false]);
  }
  for (const [name, files] of inputs) {
    expect([name, files.filter((file) => file.includes('@smithy/core/dist-es/submodules/event-streams/'))]).toEqual([name, []]);
    // Every bundle with the SDK's HTTP protocol (each one with a client) holds the stand-in instead.
    const protocol = files.some((file) => file.endsWith('@smithy/core/dist-es/submodules/protocols/HttpProtocol.js'));
    expect([name, files.some((file) => file.endsWith('functions/adapters/no-event-streams.ts'))]).toEqual([name, protocol]);
  }
});
