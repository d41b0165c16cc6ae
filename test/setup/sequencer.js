/**
 * Jest's own order, except on a run without Jest's timings (a fresh clone, or a new cache folder):
 * then Jest orders files by size, and `infra.test.ts`, small because its tests live in the spec
 * files beside it, started last and ran alone for its last 16 s (60.3 s wall against 57.5 s with
 * timings, 2026-12-07). The files that take longest go first on such a run.
 */
const TestSequencer = require('@jest/test-sequencer').default;

/**
 * The longest files of `npm test`, longest first (about 25, 21, 17 and 6 s each when run with the
 * others; the unit folders run as one file each, test/helpers/topics.ts, and test/unit/local's is the
 * longest of them: last on a fresh clone, it ran alone for its final 4 s).
 */
const LONGEST = [
  'test/unit/infra/infra.test.ts',
  'test/integration/workflow.test.ts',
  'test/integration/links.test.ts',
  'test/unit/local/local.test.ts',
];

const rank = (test) => LONGEST.findIndex((file) => test.path.endsWith(file));

class LongestFirst extends TestSequencer {
  sort(tests) {
    const sorted = super.sort(tests);
    const hinted = (test) => test.duration == null && rank(test) >= 0;
    return [...sorted.filter(hinted).sort((a, b) => rank(a) - rank(b)), ...sorted.filter((test) => !hinted(test))];
  }
}

module.exports = LongestFirst;
module.exports.LONGEST = LONGEST;
