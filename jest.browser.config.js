/** The browser test: headless Chromium against `npm start`, run by `npm run test:browser`. */
const base = require('./test/setup/jest-base');

module.exports = { ...base, roots: ['<rootDir>/test/browser'], testTimeout: 120000 };
