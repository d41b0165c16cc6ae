import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { Repository } from '../adapters/dynamodb/repository';
import type { Deps } from '../usecases/ports';
import { documentClient } from '../adapters/clients';
import { readEnv, tableEnv } from './config';
import { stepFunctionsWorkflow } from '../adapters/step-functions';

let deps: Deps | undefined;

/**
 * The use cases' dependencies, built once per process from the environment.
 * Functions that never start a workflow run without STATE_MACHINE_ARN.
 */
export function apiDeps(): Deps {
  if (deps) return deps;
  const env = readEnv({ ...tableEnv, STATE_MACHINE_ARN: z.string().startsWith('arn:').optional() });
  deps = {
    repository: new Repository(documentClient(), env.TABLE_NAME),
    workflow: stepFunctionsWorkflow(env.STATE_MACHINE_ARN),
    now: () => new Date().toISOString(),
    newId: randomUUID,
  };
  return deps;
}
