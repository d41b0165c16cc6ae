/**
 * Reliability suite (`npm run test:reliability`): load, fault, fuzz and attack tests against the
 * whole local stack. Not part of `npm test`. RELIABILITY_SCALE (default 1) scales the load; the
 * reporter writes the figures of the run into docs/reliability.md.
 */
const base = require('./test/setup/jest-base');

module.exports = {
  ...base,
  roots: ['<rootDir>/test/reliability'],
  testTimeout: 15 * 60_000,
  // The functions log every refused link and failed email; the tests' own messages say what failed.
  silent: true,
  reporters: ['default', '<rootDir>/test/helpers/reliability/reporter.js'],
};
