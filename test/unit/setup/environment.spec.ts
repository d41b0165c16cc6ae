/**
 * test/setup/environment.js: the local SES emulator comes from the Jest worker, one copy for every
 * test file the worker runs, where every other module loads in each file's own registry.
 */
type WorkerModule = (name: string) => unknown;
const workerModule = (globalThis as { __workerModule?: WorkerModule }).__workerModule;

test("aws-ses-v2-local and its store are the worker's copies: a fresh registry (the next file's) gets the same ones", () => {
  expect(workerModule).toEqual(expect.any(Function));
  const server = require('aws-ses-v2-local');
  const store = require('aws-ses-v2-local/dist/store');
  expect(server).toBe(workerModule?.('aws-ses-v2-local'));
  expect(store).toBe(workerModule?.('aws-ses-v2-local/dist/store'));
  jest.isolateModules(() => {
    expect(require('aws-ses-v2-local')).toBe(server);
    expect(require('aws-ses-v2-local/dist/store')).toBe(store);
  });
});

test('every other module still loads per registry, and the worker gives no other module', () => {
  let fresh: unknown;
  jest.isolateModules(() => {
    fresh = require('../../../local/mailbox');
  });
  expect(fresh).not.toBe(require('../../../local/mailbox'));
  expect(() => workerModule?.('express')).toThrow('express is not a module shared by the Jest worker');
});
