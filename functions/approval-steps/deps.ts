/**
 * The dependencies of the workflow steps (usecases/deps.ts `StepDeps`), built as every kind of
 * function's are (commons/deps.ts): each step's handler passes the adapters its needs call for
 * (approval-steps/adapters.ts), so its bundle holds only those clients. Adapters for needs the
 * step does not have are left out: calling one fails naming the need (the step's role would
 * refuse the call anyway).
 */
import { httpCallbackSender } from '../adapters/http-callbacks';
import { asEmailFailure } from '../adapters/ses-mailer';
import { clientCallbackKey } from '../callbacks/keys';
import { ADAPTER_NEEDS, checkAdapters, commonDeps, type NeedAdapters, noDirectory, notGranted, noWorkflow } from '../commons/deps';
import { needsOf, readSettings, type Settings, setting } from '../commons/settings';
import { type Need, workflowSteps } from '../registry';
import { approverLinks, type SigningKeys } from '../links/signing';
import { approverEmail, closingEmail, outcomeEmail } from '../notifications/emails';
import type { StepDeps } from '../usecases/deps';
import type { ReceiptIssuer } from '../usecases/receipts';
import type { Mailer } from '../usecases/senders';

/** The builders of the adapters a step's needs call for (approval-steps/adapters.ts has each), beside commons/deps.ts's. */
export interface StepAdapters extends NeedAdapters {
  /** email:send: the mailer (SES). */
  send?: (settings: Settings) => Mailer;
  /** links:sign, callback:sign: the signing keys stored under a secret id (Secrets Manager). */
  signingKeys?: (secretId: string) => Promise<SigningKeys>;
  /** receipts:sign: the receipt issuer (KMS); only the two signing steps' bundles carry KMS. */
  receipts?: (settings: Settings) => ReceiptIssuer;
}

const built = new Map<string, StepDeps>();

/**
 * The dependencies of the workflow step `name` (its name in the step list, or another function
 * that emails approvers as the steps do), given the adapters its needs call for. Without a name,
 * those of a step with every step's needs and the adapters given (tests that drive the use cases
 * against the local stack).
 */
export function stepDeps(name: string | undefined, adapters: StepAdapters): StepDeps {
  const key = name ?? '*';
  const cached = built.get(key);
  if (cached) return cached;
  const needs = name ? needsOf(name) : [...new Set(workflowSteps().flatMap((step) => step.needs))];
  if (name) checkAdapters(name, needs, adapters, Object.keys(ADAPTER_NEEDS) as Array<keyof typeof ADAPTER_NEEDS>);
  const settings = readSettings(needs);
  const has = (need: Need) => needs.includes(need);
  const linkKeys = has('links:sign') ? setting(settings, 'LINK_KEYS_SECRET_ID') : undefined;
  const callbackKeys = has('callback:sign') ? setting(settings, 'CALLBACK_KEYS_SECRET_ID') : undefined;
  const publicBaseUrl = has('email:send') ? setting(settings, 'PUBLIC_BASE_URL') : undefined;
  const { signingKeys } = adapters;
  const deps: StepDeps = {
    ...commonDeps(settings),
    workflow: adapters.workflow?.(settings) ?? noWorkflow,
    directory: adapters.directory?.(settings) ?? noDirectory,
    send: adapters.send?.(settings) ?? notGranted('email:send'),
    links:
      linkKeys && publicBaseUrl && signingKeys
        ? async (request, approver, forApprover) => {
            // Without its links the email cannot go: a key read that failed fails it, as SES would.
            const keys = await signingKeys(linkKeys).catch((error: unknown) => Promise.reject(asEmailFailure(error)));
            return approverLinks(publicBaseUrl, request, approver, keys, forApprover);
          }
        : notGranted('links:sign'),
    approverEmail,
    outcomeEmail,
    closingEmail,
    callbackKey:
      callbackKeys && signingKeys
        ? async (client) => {
            const keys = await signingKeys(callbackKeys);
            const secret = keys.keys[keys.currentKeyId];
            if (!secret) throw new Error(`configuration error: callback key ${keys.currentKeyId} is missing from its secret`);
            return { keyId: keys.currentKeyId, secret: clientCallbackKey(secret, client) };
          }
        : notGranted('callback:sign'),
    callbacks: httpCallbackSender(),
    receipts: adapters.receipts?.(settings) ?? {
      store: { getReceipt: notGranted('receipts:sign'), putReceipt: notGranted('receipts:sign') },
      signer: { alg: 'ES256', kid: '', sign: notGranted('receipts:sign') },
      issuer: '',
    },
  };
  built.set(key, deps);
  return deps;
}
