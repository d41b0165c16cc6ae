/**
 * The bundles read the SDK's generated schemas with literal trait keys (infra/sdk-schema-keys.ts):
 * the same schemas, which esbuild can then leave out where a function never sends their operation.
 */
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { build, type Plugin } from 'esbuild';
import { PROJECT_ROOT } from '../../../infra/constructs/service-function';
import { SCHEMA_FILE, sdkSchemaKeys, withLiteralKeys } from '../../../infra/sdk-schema-keys';
import { defined, functionBundles } from '../../helpers/infra';

test('a computed key named by a string constant of the file becomes that string; others stay computed', () => {
  const source = [
    'const _h = "http";',
    'const _e = "error";',
    'const _p = "__proto__";',
    'export var A$ = [9, n0, "A", { [_h]: ["POST", "/a", 200], [_e]: _c }, () => B$];',
    'export var B$ = [3, n0, "B", { [_p]: 1, [other]: 2 }, [_h]];',
  ].join('\n');
  expect(withLiteralKeys(source).split('\n').slice(3)).toEqual([
    'export var A$ = [9, n0, "A", { "http": ["POST", "/a", 200], "error": _c }, () => B$];',
    'export var B$ = [3, n0, "B", { [_p]: 1, [other]: 2 }, [_h]];',
  ]);
});

/** Every schemas file of the SDK clients the functions bundle. */
const CLIENTS = [
  'client-cognito-identity-provider',
  'client-dynamodb',
  'client-eventbridge',
  'client-kms',
  'client-secrets-manager',
  'client-sesv2',
  'client-sfn',
];
const schemaFiles = CLIENTS.flatMap((client) => {
  const dir = path.join(PROJECT_ROOT, 'node_modules', '@aws-sdk', client, 'dist-es', 'schemas');
  return readdirSync(dir).map((file) => path.join(dir, file));
});

/** A schemas file's exports, evaluated from a bundle of it (with `plugins`), as text: functions by their source. */
async function exportsOf(file: string, plugins: Plugin[]): Promise<string> {
  const { outputFiles } = await build({
    stdin: { contents: `export * from ${JSON.stringify(file)};`, resolveDir: PROJECT_ROOT },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    mainFields: ['module', 'main'],
    write: false,
    logLevel: 'error',
    plugins,
  });
  const module = { exports: {} as Record<string, unknown> };
  new Function('module', 'exports', 'require', defined(outputFiles[0]).text)(module, module.exports, createRequire(file));
  return JSON.stringify(module.exports, (_key, value: unknown) => (typeof value === 'function' ? value.toString() : value));
}

test("every schemas file of the functions' clients is one the plugin reads, and its schemas are the same through it", async () => {
  expect(schemaFiles.length).toBeGreaterThanOrEqual(CLIENTS.length);
  for (const file of schemaFiles) {
    expect([file, SCHEMA_FILE.test(file)]).toEqual([file, true]);
    const [plain, literal] = await Promise.all([exportsOf(file, []), exportsOf(file, [sdkSchemaKeys])]);
    expect(literal.length).toBeGreaterThan(10_000);
    expect([file, literal === plain]).toEqual([file, true]);
  }
}, 60_000);

test('a function that sends only SendEmail holds none of the other SES v2 operations', async () => {
  const awaitDecision = defined((await functionBundles()).get('awaitDecision'), 'the awaitDecision bundle').code.text;
  expect(awaitDecision).toContain('"SendEmail"');
  for (const unused of ['BatchGetMetricData', 'CreateContactList', 'PutEmailIdentityDkimSigningAttributes']) {
    expect([unused, awaitDecision.includes(unused)]).toEqual([unused, false]);
  }
});
