/**
 * The builders of the adapters the workflow steps' needs call for (approval-steps/deps.ts
 * `StepAdapters`), one per service. A step's handler imports those of its needs only, so its
 * bundle holds only the clients it calls. The receipt issuer is in receipts.ts, imported by the
 * steps that sign receipts only: its signature converter (a CommonJS package) would otherwise be
 * in every step's bundle.
 */
import { signingKeys } from '../adapters/secrets-manager';
import { sesMailer } from '../adapters/ses-mailer';
import { directoryOf, workflowOf } from '../commons/deps';
import { type Settings, setting } from '../commons/settings';
import type { StepAdapters } from './deps';

/** email:send: SES, from the sender address (and configuration set) of the settings. */
export const sesMailerOf = (settings: Settings) => sesMailer(setting(settings, 'SENDER_EMAIL'), settings.SES_CONFIGURATION_SET);

export { directoryOf, signingKeys, workflowOf };

/** Every adapter but the receipt issuer: a step with every step's needs (tests against the local stack). */
export const EVERY_STEP_ADAPTER: StepAdapters = { directory: directoryOf, workflow: workflowOf, send: sesMailerOf, signingKeys };
