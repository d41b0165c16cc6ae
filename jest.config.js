/**
 * `npm test`: two projects, the unit tests (test/unit) and the integration tests (test/integration),
 * which alone start the DynamoDB Local their files share (so a run of unit tests starts no JVM).
 *
 * The browser test needs Chromium: `npm run test:browser` runs it. The reliability suite's load and
 * faults take minutes: `npm run test:reliability` runs it.
 * @type {import('jest').Config}
 */
const base = require('./test/setup/jest-base');

module.exports = {
  // Three workers on these two cores: the integration files wait on timers and on the workflows they
  // set off, and a third worker fills that idle time. The whole run measured 78.3 and 77.6 s with
  // three, 108.9 and 78.7 s with two (alternating runs, 1,911 tests, 2026-12-07).
  maxWorkers: 3,
  // The longest files first on a run without Jest's timings, as on a fresh clone.
  testSequencer: '<rootDir>/test/setup/sequencer.js',
  testTimeout: 30000,
  // How long a worker may take to exit once the run is over before Jest kills it and prints "A worker
  // process has failed to exit gracefully" (default 500 ms). The files checked leave no handle open
  // and the worker exits by itself, but freeing its heap page by page on the way out (hundreds of
  // munmap calls, 150 to 300 ms when these 2 cores are shared) can take longer than 500 ms.
  workerGracefulExitTimeout: 5000,
  projects: [
    { ...base, displayName: 'unit', roots: ['<rootDir>/test/unit'] },
    {
      ...base,
      displayName: 'integration',
      roots: ['<rootDir>/test/integration'],
      // One DynamoDB Local for the run, shared by the integration files (test/setup/shared-dynamodb.ts).
      globalSetup: '<rootDir>/test/setup/global-setup.ts',
      globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
    },
  ],
};
