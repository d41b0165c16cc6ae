/**
 * The API use cases' dependencies, built once per function from its settings (see settings.ts):
 * the adapters are made when the module loads, so a missing setting fails the cold start.
 */
import { randomUUID } from 'node:crypto';
import { cognitoClient, documentClient } from '../adapters/clients';
import { cachedDirectory, cognitoDirectory } from '../adapters/cognito-directory';
import { Repository } from '../adapters/dynamodb/repository';
import { parseCallbackUrlPrefixes } from '../domain/callbacks';
import type { Deps } from '../usecases/ports';
import { meter } from './observability';
import { needsOf, readSettings, type Settings, setting } from './settings';

const built = new Map<string, { deps: Deps; settings: Settings }>();

/** The dependencies of the API function `name` (its name in the operations list), with its settings. */
export function apiDeps(name: string): Deps {
  return apiFunction(name).deps;
}

export function apiFunction(name: string): { deps: Deps; settings: Settings } {
  const cached = built.get(name);
  if (cached) return cached;
  const settings = readSettings(needsOf(name));
  const deps: Deps = {
    repository: new Repository(documentClient(), setting(settings, 'TABLE_NAME')),
    directory: cachedDirectory(cognitoDirectory(cognitoClient(), settings.USER_POOL_ID)),
    now: () => new Date().toISOString(),
    newId: randomUUID,
    meter,
    callbackUrlPrefixes: parseCallbackUrlPrefixes(settings.CALLBACK_URL_PREFIXES ?? ''),
  };
  built.set(name, { deps, settings });
  return { deps, settings };
}
