/** The browser test: headless Chromium against `npm start`, run by `npm run test:browser`. */
const base = require('./jest.config.js');

module.exports = { ...base, roots: ['<rootDir>/test/browser'], testPathIgnorePatterns: ['/node_modules/'], testTimeout: 120000 };
