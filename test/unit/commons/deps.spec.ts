/**
 * A function's handler passes the adapters its needs call for, and only those (commons/deps.ts):
 * its bundle then holds only those clients, and a mismatch stops the function at cold start.
 */
import { checkAdapters, noDirectory, noWorkflow } from '../../../functions/commons/deps';
import { needsOf } from '../../../functions/commons/settings';

const directory = () => noDirectory;
const workflow = () => noWorkflow;

test('an API function without directory:read may not be given the directory, and one with it must be', () => {
  expect(() => checkAdapters('getRequest', needsOf('getRequest'), { directory }, ['directory', 'workflow'])).toThrow(
    'configuration error: getRequest has no need for the directory adapter (directory:read)',
  );
  expect(() => checkAdapters('listTasks', needsOf('listTasks'), {}, ['directory', 'workflow'])).toThrow(
    'configuration error: listTasks needs the directory adapter (directory:read)',
  );
  expect(() => checkAdapters('getRequest', needsOf('getRequest'), {}, ['directory', 'workflow'])).not.toThrow();
  expect(() => checkAdapters('listTasks', needsOf('listTasks'), { directory }, ['directory', 'workflow'])).not.toThrow();
});

test('any workflow need calls for the workflow adapter', () => {
  expect(() => checkAdapters('reconciler', needsOf('reconciler'), {}, ['workflow'])).toThrow(/reconciler needs the workflow adapter/);
  expect(() => checkAdapters('sesEvents', needsOf('sesEvents'), { workflow }, ['workflow'])).toThrow(
    /sesEvents has no need for the workflow adapter/,
  );
});

test('an adapter left out fails on use, naming the need', async () => {
  await expect(noDirectory.userBySub('someone')).rejects.toThrow(
    'configuration error: this function does not have the need directory:read',
  );
  await expect(noWorkflow.finish('token', 'approved')).rejects.toThrow(
    'configuration error: this function does not have the need workflow:task',
  );
});
