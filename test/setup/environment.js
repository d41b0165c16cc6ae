/**
 * Jest's Node environment, plus one thing: the local SES emulator (aws-ses-v2-local, an Express app
 * with a MIME parser and iconv-lite's code tables) is loaded by Node once per Jest worker instead of
 * once per test file. Jest gives every file a fresh module registry, and loading that package through
 * it cost about 250 ms per file that starts a stack, 9 of the integration project's 18 s of module
 * loading (CPU profiles of npm test, 2026-12-07). `moduleNameMapper` (jest-base.js) sends its two entry
 * points to the shims in worker-modules/, which take them from here.
 *
 * What a file leaves in the package's module state is reset by the next stack it starts: the mailbox
 * gives the store a new email list on every start (local/mailbox.ts), and files of one worker run one
 * after the other. Nothing else is shared: the service's modules, the SDK and the other emulators
 * still load per file.
 * @type {typeof import('jest-environment-node').TestEnvironment}
 */
const { TestEnvironment } = require('jest-environment-node');

/** The modules a test file may take from the worker (the shims' names). */
const WORKER_MODULES = new Set(['aws-ses-v2-local', 'aws-ses-v2-local/dist/store']);

class ServiceTestEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    this.global.__workerModule = (name) => {
      if (!WORKER_MODULES.has(name)) throw new Error(`${name} is not a module shared by the Jest worker`);
      return require(name);
    };
  }
}

module.exports = ServiceTestEnvironment;
