/**
 * `npm test`: two projects, the unit tests (test/unit) and the integration tests (test/integration).
 * scripts/test.js runs them as two Jest processes at once, each in one process (--runInBand): each
 * then loads only its own libraries (the CDK for the one, the service and its engines for the
 * other) and compiles them once. `npx jest <file>` runs one file of either.
 *
 * The browser test needs Chromium: `npm run test:browser` runs it. The reliability suite's load and
 * faults take minutes: `npm run test:reliability` runs it.
 * @type {import('jest').Config}
 */
const base = require('./test/setup/jest-base');

module.exports = {
  testTimeout: 30000,
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
