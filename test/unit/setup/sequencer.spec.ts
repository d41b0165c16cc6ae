/**
 * npm test's order (test/setup/sequencer.js): on a run without Jest's timings the longest files go
 * first, where Jest would order them by size; with timings Jest's own order stands.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const LongestFirst = require('../../../test/setup/sequencer.js');
const ROOT = join(__dirname, '..', '..', '..');

const sizes: Record<string, number> = {
  'test/unit/a.test.ts': 900,
  'test/unit/infra/infra.test.ts': 10,
  'test/integration/b.test.ts': 500,
  'test/integration/links.test.ts': 400,
  'test/integration/workflow.test.ts': 300,
};
const context = { config: { cache: false }, hasteFS: { getSize: (path: string) => sizes[path.slice(ROOT.length + 1)] } };
const tests = () => Object.keys(sizes).map((file) => ({ path: join(ROOT, file), context }));
const order = (sorted: Array<{ path: string }>) => sorted.map((test) => test.path.slice(ROOT.length + 1));

test('each file it names exists', () => {
  for (const file of LongestFirst.LONGEST) expect(existsSync(join(ROOT, file))).toBe(true);
});

test('without timings the longest files go first, in its order, then the rest by size', () => {
  expect(order(new LongestFirst({}).sort(tests()))).toEqual([
    'test/unit/infra/infra.test.ts',
    'test/integration/workflow.test.ts',
    'test/integration/links.test.ts',
    'test/unit/a.test.ts',
    'test/integration/b.test.ts',
  ]);
});

test("with timings Jest's order stands: the longest run first", () => {
  const durations: Record<string, number> = {
    'a.test.ts': 30,
    'infra.test.ts': 20,
    'b.test.ts': 10,
    'links.test.ts': 5,
    'workflow.test.ts': 1,
  };
  const sequencer = new LongestFirst({});
  sequencer.time = (test: { path: string }) => durations[test.path.split('/').pop() as string];
  expect(order(sequencer.sort(tests()))).toEqual([
    'test/unit/a.test.ts',
    'test/unit/infra/infra.test.ts',
    'test/integration/b.test.ts',
    'test/integration/links.test.ts',
    'test/integration/workflow.test.ts',
  ]);
});
