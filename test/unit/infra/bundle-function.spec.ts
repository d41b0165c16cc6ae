/**
 * What the functions' CDK assets deploy (infra/bundle-function.ts, run by each asset's local
 * bundling): `index.js` and its source map, the very code the bundle-size test and the benchmark
 * measure (infra/bundling.ts's options), one asset per function, and a handler named `index.handler`
 * in the templates.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { type CfnElement, Stack } from 'aws-cdk-lib';
import { bundleFunction } from '../../../infra/bundle-function';
import { ServiceFunction } from '../../../infra/constructs/service-function';
import { functionNamed } from '../../../functions/registry';
import { buildApp, defined, fixture, functionBundles, resources } from '../../helpers/infra';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'approvals-bundle-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('an entry that cannot be bundled is an error, and nothing is written', async () => {
  const out = path.join(dir, 'missing');
  await expect(bundleFunction('functions/no-such/handler.ts', out, 'silent')).rejects.toThrow(/Could not resolve/);
  expect(existsSync(out)).toBe(false);
});

test('a synth that bundles (infra/bundle-function.ts, run by each asset) gives each function its own asset: its measured bundle as index.js, with its source map', async () => {
  const app = buildApp({ 'aws:cdk:bundling-stacks': ['**'] });
  const stack = new Stack(app, 'Bundled');
  const names = ['health', 'openApi'];
  // The CDK bundles each asset as the function is made, and says so on stderr ("Bundling asset …").
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const built = (() => {
    try {
      return names.map((name) => new ServiceFunction(stack, name, { entry: functionNamed(name).entry }));
    } finally {
      stderr.mockRestore();
    }
  })();
  const assembly = app.synth();
  const template = assembly.getStackByName('Bundled').template as {
    Resources: Record<string, { Properties: { Code?: { S3Key?: string } } }>;
  };
  const keys = built.map((fn) => template.Resources[stack.getLogicalId(fn.node.defaultChild as CfnElement)]?.Properties.Code?.S3Key ?? '');
  expect(new Set(keys).size).toBe(names.length);
  const bundles = await functionBundles();
  const assetOf = (index: number) => path.join(assembly.directory, `asset.${defined(keys[index]).replace(/\.zip$/, '')}`);
  for (const [index, name] of names.entries()) {
    const code = readFileSync(path.join(assetOf(index), 'index.js'), 'utf8');
    expect([name, code]).toEqual([name, `${defined(bundles.get(name)).code.text}//# sourceMappingURL=index.js.map\n`]);
  }
  // The source map names the sources without holding them; the handler answers.
  const map = JSON.parse(readFileSync(path.join(assetOf(0), 'index.js.map'), 'utf8')) as { sources: string[]; sourcesContent?: unknown };
  expect(map.sources.some((source) => source.endsWith('functions/health/handler.ts'))).toBe(true);
  expect(map.sourcesContent).toBeUndefined();
  const { handler } = require(path.join(assetOf(0), 'index.js')) as {
    handler: (event: unknown, context: unknown) => Promise<{ statusCode: number }>;
  };
  const answer = await handler({ rawPath: '/health', headers: {}, requestContext: { http: { method: 'GET', path: '/health' } } }, {});
  expect(answer.statusCode).toBe(200);
}, 60_000);

test('every function runs index.handler on Node 24, with source maps on', () => {
  const functions = resources(fixture().statelessTemplate, 'AWS::Lambda::Function');
  const service = Object.values(functions).filter((fn) => (fn as { Properties: { Runtime?: string } }).Properties.Runtime === 'nodejs24.x');
  expect(service.length).toBeGreaterThan(30);
  for (const fn of service as unknown as Array<{ Properties: { Handler: string; Environment: { Variables: Record<string, string> } } }>) {
    expect(fn.Properties.Handler).toBe('index.handler');
    expect(fn.Properties.Environment.Variables.NODE_OPTIONS).toBe('--enable-source-maps');
  }
});
