/**
 * The dependencies of each kind of function (usecases/deps.ts), built one way: the function's
 * settings are read from its needs (settings.ts) and the adapters are made when the module
 * loads, so a missing setting fails the cold start. Adapters for needs a function does not have
 * are still made but fail on use (the function's role would refuse the call anyway).
 */
import { randomUUID } from 'node:crypto';
import { isTransientAwsError } from '../adapters/aws-errors';
import { cognitoClient, documentClient } from '../adapters/clients';
import { cachedDirectory, cognitoDirectory } from '../adapters/cognito-directory';
import { Repository } from '../adapters/dynamodb/repository';
import { stepFunctionsWorkflow } from '../adapters/step-functions';
import type { ApiDeps, EventDeps } from '../usecases/deps';
import { logger, meter } from './observability';
import { callbackUrlPrefixesOf, needsOf, readSettings, type Settings, setting } from './settings';

/** What every kind of function gets: the table, the clock, the meter. */
export function commonDeps(settings: Settings) {
  return {
    repository: new Repository(documentClient(), setting(settings, 'TABLE_NAME')),
    now: () => new Date().toISOString(),
    meter,
  };
}

/** The workflow, for the functions that start or signal it (never the API's: the outbox does that). */
export const workflowOf = (settings: Settings) => stepFunctionsWorkflow(settings.STATE_MACHINE_ARN);

/** The user directory (cached for seconds: a disabled user loses their rights within that time). */
export const directoryOf = (settings: Settings) => cachedDirectory(cognitoDirectory(cognitoClient(), settings.USER_POOL_ID));

/** The settings of the function `name` (its name in the function registry). */
export const settingsOf = (name: string): Settings => readSettings(needsOf(name));

const built = new Map<string, { deps: ApiDeps; settings: Settings }>();

/** The dependencies of the API function `name` (its name in the function registry), with its settings. */
export function apiDeps(name: string): ApiDeps {
  return apiFunction(name).deps;
}

/** As apiDeps, with the function's settings (for what only that function needs). */
export function apiFunction(name: string): { deps: ApiDeps; settings: Settings } {
  const cached = built.get(name);
  if (cached) return cached;
  const settings = settingsOf(name);
  // Create, decide and delete never call Step Functions: the outbox does (usecases/outbox.ts).
  const deps: ApiDeps = {
    ...commonDeps(settings),
    directory: directoryOf(settings),
    newId: randomUUID,
    callbackUrlPrefixes: callbackUrlPrefixesOf(settings),
  };
  built.set(name, { deps, settings });
  return { deps, settings };
}

/** The dependencies of the scheduled or event function `name` (`reconciler`, `sesEvents`). */
export function eventDeps(name: string): EventDeps {
  const settings = settingsOf(name);
  return {
    ...commonDeps(settings),
    workflow: workflowOf(settings),
    isTransient: isTransientAwsError,
    log: ({ level, message, ...rest }) =>
      level === 'error'
        ? logger.error(String(message), rest)
        : level === 'warn'
          ? logger.warn(String(message), rest)
          : logger.info(String(message), rest),
  };
}
