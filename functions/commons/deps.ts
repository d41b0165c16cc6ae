/**
 * The dependencies of each kind of function (usecases/deps.ts), built one way: the function's
 * settings are read from its needs (settings.ts) and the adapters are made when the module
 * loads, so a missing setting fails the cold start.
 *
 * The adapters that call a service other than the table (the user directory, the workflow, ...)
 * are passed in by each function's handler, for its needs only: a function's bundle is one file
 * holding every module its handler imports, called or not, so a handler that does not import an
 * adapter's builder does not carry that service's client. Passing one the needs do not name, or
 * leaving out one they do, stops the function at cold start; an adapter left out (no need) fails
 * on use, naming the need (the function's role would refuse the call anyway).
 */
import { randomUUID } from 'node:crypto';
import { isTransientAwsError } from '../adapters/aws-errors';
import { cognitoClient, documentClient } from '../adapters/clients';
import { cachedDirectory, cognitoDirectory } from '../adapters/cognito-directory';
import { Repository } from '../adapters/dynamodb/repository';
import { stepFunctionsWorkflow } from '../adapters/step-functions';
import type { Need } from '../registry';
import type { ApiDeps, EventDeps } from '../usecases/deps';
import type { Directory, WorkflowPort } from '../usecases/ports';
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

/** The builders of the adapters for needs beyond the table that API and event functions may have. */
export interface NeedAdapters {
  /** directory:read: `directoryOf`. */
  directory?: (settings: Settings) => Directory;
  /** workflow:start, workflow:task, workflow:describe: `workflowOf`. */
  workflow?: (settings: Settings) => WorkflowPort;
}

/** The needs each adapter serves: a function passes an adapter exactly when its needs name one of them. */
export const ADAPTER_NEEDS = {
  directory: ['directory:read'],
  workflow: ['workflow:start', 'workflow:task', 'workflow:describe'],
  send: ['email:send'],
  signingKeys: ['links:sign', 'callback:sign'],
  receipts: ['receipts:sign'],
} as const satisfies Record<string, readonly Need[]>;

/** Throws unless `adapters` holds exactly the adapters (of `kinds`) that the needs of `name` call for. */
export function checkAdapters(
  name: string,
  needs: readonly Need[],
  adapters: object,
  kinds: ReadonlyArray<keyof typeof ADAPTER_NEEDS>,
): void {
  for (const kind of kinds) {
    const served: readonly Need[] = ADAPTER_NEEDS[kind];
    const needed = served.some((need) => needs.includes(need));
    const given = (adapters as Record<string, unknown>)[kind] !== undefined;
    if (needed !== given) {
      throw new Error(`configuration error: ${name} ${needed ? 'needs' : 'has no need for'} the ${kind} adapter (${served.join(', ')})`);
    }
  }
}

/** A call that fails naming the need the function does not have. */
export const notGranted =
  (need: Need) =>
  (..._args: unknown[]): Promise<never> =>
    Promise.reject(new Error(`configuration error: this function does not have the need ${need}`));

/** The directory of a function without directory:read: every read fails. */
export const noDirectory: Directory = {
  userBySub: notGranted('directory:read'),
  usersByEmail: notGranted('directory:read'),
  groupsOf: notGranted('directory:read'),
  membersOf: notGranted('directory:read'),
};

/** The workflow of a function without a workflow need: every call fails. */
export const noWorkflow: WorkflowPort = {
  start: notGranted('workflow:start'),
  status: notGranted('workflow:describe'),
  finish: notGranted('workflow:task'),
  replan: notGranted('workflow:task'),
};

/** The settings of the function `name` (its name in the function registry). */
export const settingsOf = (name: string): Settings => readSettings(needsOf(name));

const built = new Map<string, { deps: ApiDeps; settings: Settings }>();

/** The dependencies of the API function `name` (its name in the function registry), given its adapters. */
export function apiDeps(name: string, adapters: NeedAdapters = {}): ApiDeps {
  return apiFunction(name, adapters).deps;
}

/** As apiDeps, with the function's settings (for what only that function needs). */
export function apiFunction(name: string, adapters: NeedAdapters = {}): { deps: ApiDeps; settings: Settings } {
  const cached = built.get(name);
  if (cached) return cached;
  checkAdapters(name, needsOf(name), adapters, ['directory', 'workflow']);
  const settings = settingsOf(name);
  // Create, decide and delete never call Step Functions: the outbox does (usecases/outbox.ts).
  const deps: ApiDeps = {
    ...commonDeps(settings),
    directory: adapters.directory?.(settings) ?? noDirectory,
    newId: randomUUID,
    callbackUrlPrefixes: callbackUrlPrefixesOf(settings),
  };
  built.set(name, { deps, settings });
  return { deps, settings };
}

/** The dependencies of the scheduled or event function `name` (`reconciler`, `sesEvents`), given its adapters. */
export function eventDeps(name: string, adapters: NeedAdapters = {}): EventDeps {
  checkAdapters(name, needsOf(name), adapters, ['directory', 'workflow']);
  const settings = settingsOf(name);
  return {
    ...commonDeps(settings),
    workflow: adapters.workflow?.(settings) ?? noWorkflow,
    isTransient: isTransientAwsError,
    log: ({ level, message, ...rest }) =>
      level === 'error'
        ? logger.error(String(message), rest)
        : level === 'warn'
          ? logger.warn(String(message), rest)
          : logger.info(String(message), rest),
  };
}
