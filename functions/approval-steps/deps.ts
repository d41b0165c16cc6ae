/**
 * The dependencies of the workflow steps (usecases/deps.ts `StepDeps`), built as every kind of
 * function's are (commons/deps.ts). Adapters for needs the step does not have are left out:
 * calling one fails naming the need (the step's role would refuse the call anyway).
 */
import { httpCallbackSender } from '../adapters/http-callbacks';
import { signingKeys } from '../adapters/secrets-manager';
import { asEmailFailure, sesMailer } from '../adapters/ses-mailer';
import { clientCallbackKey } from '../callbacks/keys';
import { commonDeps, directoryOf, workflowOf } from '../commons/deps';
import { needsOf, readSettings, setting } from '../commons/settings';
import { type Need, workflowSteps } from '../registry';
import { approverLinks } from '../links/signing';
import { approverEmail, closingEmail, outcomeEmail } from '../notifications/emails';
import type { StepDeps } from '../usecases/deps';
import type { ReceiptIssuer } from '../usecases/receipts';

const built = new Map<string, StepDeps>();

const notGranted = (need: Need) => () => Promise.reject(new Error(`configuration error: this step does not have the need ${need}`));

/**
 * The dependencies of the workflow step `name` (its name in the step list), with `receipts` for the
 * steps that sign receipts. Without a name, those of a step with every step's needs (tests that
 * drive the use cases against the local stack).
 */
export function stepDeps(name?: string, receipts?: ReceiptIssuer): StepDeps {
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
    ...commonDeps(settings),
    workflow: workflowOf(settings),
    directory: directoryOf(settings),
    send: has('email:send') ? sesMailer(setting(settings, 'SENDER_EMAIL'), settings.SES_CONFIGURATION_SET) : notGranted('email:send'),
    links:
      linkKeys && publicBaseUrl
        ? async (request, approver, forApprover) => {
            // Without its links the email cannot go: a key read that failed fails it, as SES would.
            const keys = await signingKeys(linkKeys).catch((error: unknown) => Promise.reject(asEmailFailure(error)));
            return approverLinks(publicBaseUrl, request, approver, keys, forApprover);
          }
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
    callbacks: httpCallbackSender(),
    // The receipt signer is the two signing steps' own (approval-steps/receipts.ts): only their bundles carry KMS.
    receipts: receipts ?? {
      store: { getReceipt: notGranted('receipts:sign'), putReceipt: notGranted('receipts:sign') },
      signer: { alg: 'ES256', kid: '', sign: notGranted('receipts:sign') },
      issuer: '',
    },
  };
  built.set(key, deps);
  return deps;
}
