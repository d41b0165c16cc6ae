/**
 * Reliability suite (`npm run test:reliability`): load, fault, fuzz and attack tests against the
 * whole local stack. Not part of `npm test`. RELIABILITY_SCALE (default 1) scales the load; the
 * reporter writes the figures of the run into docs/reliability.md.
 */
// Without npm test's shared DynamoDB Local (test/setup): these tests start the whole stack themselves.
const { globalSetup, globalTeardown, ...base } = require('./jest.config.js');

module.exports = {
  ...base,
  roots: ['<rootDir>/test/reliability'],
  testPathIgnorePatterns: ['/node_modules/'],
  testTimeout: 15 * 60_000,
  // The functions log every refused link and failed email; the tests' own messages say what failed.
  silent: true,
  reporters: ['default', '<rootDir>/test/reliability/support/reporter.js'],
};
