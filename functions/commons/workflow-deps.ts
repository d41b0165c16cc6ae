import { z } from 'zod';
import { signingKeys } from './secrets';
import { approverLinks } from '../links/signing';
import { approverEmail, outcomeEmail } from '../notifications/emails';
import { Repository } from '../repository/repository';
import type { WorkflowDeps } from '../usecases/workflow';
import { documentClient } from './clients';
import { readEnv, tableEnv } from './config';
import { sesMailer } from './mailer';
import { stepFunctionsWorkflow } from './workflow';

let deps: WorkflowDeps | undefined;

/** Dependencies of the workflow's task functions, built once per process. */
export function workflowDeps(): WorkflowDeps {
  if (deps) return deps;
  const env = readEnv({
    ...tableEnv,
    SENDER_EMAIL: z.email(),
    PUBLIC_BASE_URL: z.url().transform((url) => url.replace(/\/+$/, '')),
    SES_CONFIGURATION_SET: z.string().min(1).optional(),
    LINK_KEYS_SECRET_ID: z.string().min(1),
    CALLBACK_KEYS_SECRET_ID: z.string().min(1),
  });
  deps = {
    repository: new Repository(documentClient(), env.TABLE_NAME),
    workflow: stepFunctionsWorkflow(undefined),
    now: () => new Date().toISOString(),
    send: sesMailer(env.SENDER_EMAIL, env.SES_CONFIGURATION_SET),
    links: async (request, approver) => approverLinks(env.PUBLIC_BASE_URL, request, approver, await signingKeys(env.LINK_KEYS_SECRET_ID)),
    approverEmail,
    outcomeEmail,
    callbackKey: async () => {
      const keys = await signingKeys(env.CALLBACK_KEYS_SECRET_ID);
      return { keyId: keys.currentKeyId, secret: keys.keys[keys.currentKeyId] as string };
    },
    fetch: globalThis.fetch,
  };
  return deps;
}
