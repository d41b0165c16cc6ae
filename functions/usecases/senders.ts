/**
 * What leaves the service, as the use cases see it: emails (the SES adapter in production,
 * adapters/ses-mailer.ts) and callbacks to calling systems (adapters/http-callbacks.ts). The
 * adapters classify their failures, so the use cases never look at SDK errors or HTTP.
 */
import type { ApprovalRequest } from '../domain/model';

/** What an email says (rendered by notifications/emails.ts); `Email` adds the recipient and tags. */
export interface EmailContent {
  subject: string;
  text: string;
  html: string;
}

/** One email to one recipient. */
export interface Email extends EmailContent {
  to: string;
  /** Message tags; bounce and complaint events carry them back (requestId, purpose). */
  tags: Record<string, string>;
}

/**
 * Sends an email; resolves to the provider's message id. Rejects with EmailFailed when the
 * provider did not take it.
 */
export type Mailer = (email: Email) => Promise<string | undefined>;

/**
 * An email the provider did not take. `transient`: a passing reason (throttling, an outage, the
 * network), after the provider client's own retries: the same email may go later. Otherwise it
 * was refused for good (a refused address). `name` is the provider's name for the failure, which
 * the history records.
 */
export class EmailFailed extends Error {
  readonly transient: boolean;
  constructor(name: string, transient: boolean, message = name) {
    super(message);
    this.name = name;
    this.transient = transient;
  }
}

/** Whether an email failure may go away by itself (the step is deferred, not the email given up). */
export const isTransientEmailFailure = (error: unknown): boolean => error instanceof EmailFailed && error.transient;

/** The outcome event a calling system gets at its callbackUrl. */
export interface CallbackEvent {
  type: `request.${string}`;
  /** The calling system that created the request (the key is its own). */
  client: string;
  request: ApprovalRequest;
  /** On `request.approved`: the request's receipt (a compact JWS, usecases/receipts.ts). */
  receipt?: string;
}

/** A calling system's signing key (derived from the service's current callback key) and that key's id. */
export interface CallbackKey {
  keyId: string;
  secret: string;
}

/**
 * POSTs one signed event to a calling system, signed at `at` (ISO-8601); resolves to the status
 * of the answer, whatever it is. Rejects when nothing answered in time (the network, a timeout).
 */
export interface CallbackSender {
  send(url: string, event: CallbackEvent, key: CallbackKey, at: string): Promise<{ status: number }>;
}
