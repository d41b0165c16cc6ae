import { z } from 'zod';
import { approverLinks } from '../links/signing';
import { approverEmail, outcomeEmail } from '../notifications/emails';
import { Repository } from '../adapters/dynamodb/repository';
import type { StepDeps } from '../usecases/approval-rounds';
import { documentClient } from '../adapters/clients';
import { readEnv, tableEnv } from '../commons/config';
import { sesMailer } from '../adapters/ses-mailer';
import { signingKeys } from '../adapters/secrets-manager';
import { stepFunctionsWorkflow } from '../adapters/step-functions';

let deps: StepDeps | undefined;

/** A setting this function was not given: fails where it is used, naming the variable. */
function required<T>(value: T | undefined, name: string): T {
  if (value === undefined) throw new Error(`configuration error: ${name} is not set for this function`);
  return value;
}

/**
 * Dependencies of the workflow's task functions, built once per process. Each function gets only
 * the settings its grants need (see approval-steps.ts); TABLE_NAME is checked at cold start,
 * the others when first used.
 */
export function workflowDeps(): StepDeps {
  if (deps) return deps;
  const env = readEnv({
    ...tableEnv,
    SENDER_EMAIL: z.email().optional(),
    PUBLIC_BASE_URL: z.url().optional(),
    SES_CONFIGURATION_SET: z.string().min(1).optional(),
    LINK_KEYS_SECRET_ID: z.string().min(1).optional(),
    CALLBACK_KEYS_SECRET_ID: z.string().min(1).optional(),
  });
  const mailer = env.SENDER_EMAIL ? sesMailer(env.SENDER_EMAIL, env.SES_CONFIGURATION_SET) : undefined;
  deps = {
    repository: new Repository(documentClient(), env.TABLE_NAME),
    workflow: stepFunctionsWorkflow(undefined),
    now: () => new Date().toISOString(),
    send: (email) => required(mailer, 'SENDER_EMAIL')(email),
    links: async (request, approver) =>
      approverLinks(
        required(env.PUBLIC_BASE_URL, 'PUBLIC_BASE_URL'),
        request,
        approver,
        await signingKeys(required(env.LINK_KEYS_SECRET_ID, 'LINK_KEYS_SECRET_ID')),
      ),
    approverEmail,
    outcomeEmail,
    callbackKey: async () => {
      const keys = await signingKeys(required(env.CALLBACK_KEYS_SECRET_ID, 'CALLBACK_KEYS_SECRET_ID'));
      return { keyId: keys.currentKeyId, secret: required(keys.keys[keys.currentKeyId], `key ${keys.currentKeyId}`) };
    },
    fetch: globalThis.fetch,
  };
  return deps;
}
