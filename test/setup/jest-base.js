/** What every Jest configuration here shares: npm test's two projects (jest.config.js), the reliability and browser suites. */
module.exports = {
  rootDir: require('node:path').join(__dirname, '..', '..'),
  testEnvironment: 'node',
  testMatch: ['**/*.test.ts'],
  // The functions' logs and metrics off (a test that checks them turns them on for itself).
  setupFiles: ['<rootDir>/test/helpers/memory/environment.ts'],
  transform: { '^.+\\.(t|j|mj)s$': ['@swc/jest', { jsc: { target: 'es2023' }, module: { type: 'commonjs' } }] },
  transformIgnorePatterns: ['/node_modules/(?!(@middy|jose|canonicalize)/)'],
  moduleNameMapper: {
    '^@middy/([^/]+)$': '<rootDir>/node_modules/@middy/$1/index.js',
    // RFC 8785's reference implementation (ESM only), the receipts' tests' independent canonical JSON.
    '^canonicalize$': '<rootDir>/node_modules/canonicalize/lib/canonicalize.js',
    // zod's English messages (functions/domain/zod.ts): the bundles take the ESM file, Jest's CommonJS its .cjs twin.
    '^zod/v4/locales/en\\.js$': '<rootDir>/node_modules/zod/v4/locales/en.cjs',
  },
};
