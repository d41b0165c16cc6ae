/**
 * The dependencies of the workflow's steps, built once per step from its settings (see
 * commons/settings.ts). Adapters for needs the step does not have are left out: calling one
 * fails naming the need (the step's role would refuse the call anyway).
 */
import { cognitoClient, documentClient } from '../adapters/clients';
import { cachedDirectory, cognitoDirectory } from '../adapters/cognito-directory';
import { Repository } from '../adapters/dynamodb/repository';
import { signingKeys } from '../adapters/secrets-manager';
import { clientCallbackKey } from '../callbacks/keys';
import { sesMailer } from '../adapters/ses-mailer';
import { stepFunctionsWorkflow } from '../adapters/step-functions';
import { meter } from '../commons/observability';
import { needsOf, readSettings, setting } from '../commons/settings';
import { type Need, workflowSteps } from '../registry';
import { approverLinks } from '../links/signing';
import { approverEmail, closingEmail, outcomeEmail } from '../notifications/emails';
import type { StepDeps } from '../usecases/approval-rounds';

const built = new Map<string, StepDeps>();

const notGranted = (need: Need) => () => Promise.reject(new Error(`configuration error: this step does not have the need ${need}`));

/**
 * The dependencies of the step `name` (its name in the function registry). Without a name, those of a
 * step with every step's needs (tests that drive the use cases against the local stack).
 */
export function workflowDeps(name?: string): StepDeps {
  const key = name ?? '*';
  const cached = built.get(key);
  if (cached) return cached;
  const needs = name ? needsOf(name) : [...new Set(workflowSteps().flatMap((step) => step.needs))];
  const settings = readSettings(needs);
  const has = (need: Need) => needs.includes(need);
  const linkKeys = has('links:sign') ? setting(settings, 'LINK_KEYS_SECRET_ID') : undefined;
  const callbackKeys = has('callback:sign') ? setting(settings, 'CALLBACK_KEYS_SECRET_ID') : undefined;
  const publicBaseUrl = has('email:send') ? setting(settings, 'PUBLIC_BASE_URL') : undefined;
  const deps: StepDeps = {
    repository: new Repository(documentClient(), setting(settings, 'TABLE_NAME')),
    workflow: stepFunctionsWorkflow(settings.STATE_MACHINE_ARN),
    directory: cachedDirectory(cognitoDirectory(cognitoClient(), settings.USER_POOL_ID)),
    now: () => new Date().toISOString(),
    meter,
    send: has('email:send') ? sesMailer(setting(settings, 'SENDER_EMAIL'), settings.SES_CONFIGURATION_SET) : notGranted('email:send'),
    links:
      linkKeys && publicBaseUrl
        ? async (request, approver) => approverLinks(publicBaseUrl, request, approver, await signingKeys(linkKeys))
        : notGranted('links:sign'),
    approverEmail,
    outcomeEmail,
    closingEmail,
    callbackKey: callbackKeys
      ? async (client) => {
          const keys = await signingKeys(callbackKeys);
          const secret = keys.keys[keys.currentKeyId];
          if (!secret) throw new Error(`configuration error: callback key ${keys.currentKeyId} is missing from its secret`);
          return { keyId: keys.currentKeyId, secret: clientCallbackKey(secret, client) };
        }
      : notGranted('callback:sign'),
    fetch: globalThis.fetch,
  };
  built.set(key, deps);
  return deps;
}
