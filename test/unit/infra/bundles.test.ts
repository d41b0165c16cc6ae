/**
 * Every Lambda function's bundle, built by esbuild with the deployed options (infra/bundling.ts),
 * stays within the size budget. Sizes drive cold starts: the benchmark measures module init.
 */
import { resolve } from 'node:path';
import { build } from 'esbuild';
import { FUNCTION_ENTRIES } from '../../../bench/bundles';
import { esbuildOptions, MAX_BUNDLE_BYTES } from '../../../infra/bundling';
import { OPERATIONS } from '../../../functions/operations';
import { APPROVAL_STEPS, RECONCILER_FUNCTION } from '../../../functions/approval-steps';

test('the bundle list covers every function of the operations list, the workflow and the reconciler', () => {
  const entries = FUNCTION_ENTRIES.map((fn) => fn.entry);
  for (const fn of [...OPERATIONS, ...APPROVAL_STEPS, RECONCILER_FUNCTION]) expect(entries).toContain(fn.entry);
});

test.each(FUNCTION_ENTRIES.map((fn) => [fn.name, fn.entry]))('the %s bundle is within the size budget', async (_name, entry) => {
  const result = await build({ ...esbuildOptions(resolve(entry)), write: false, outfile: 'out.js' });
  const bytes = result.outputFiles.reduce((sum, file) => sum + file.contents.length, 0);
  expect(bytes).toBeGreaterThan(1000);
  expect(bytes).toBeLessThanOrEqual(MAX_BUNDLE_BYTES);
});
