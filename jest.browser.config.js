/** The browser test: headless Chromium against `npm start`, run by `npm run test:browser`. */
// Without npm test's shared DynamoDB Local (test/setup): these tests start the whole stack themselves.
const { globalSetup, globalTeardown, ...base } = require('./jest.config.js');

module.exports = { ...base, roots: ['<rootDir>/test/browser'], testPathIgnorePatterns: ['/node_modules/'], testTimeout: 120000 };
