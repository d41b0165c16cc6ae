/**
 * One dependency shape per kind of function, each built in one place:
 * - API operations: `ApiDeps` (ports.ts `Deps`), built by commons/deps.ts `apiDeps`;
 * - workflow steps: `StepDeps`, built by commons/deps.ts `stepDeps`;
 * - scheduled and event functions (the reconciler, SES events): `EventDeps`, built by
 *   commons/deps.ts `eventDeps`.
 * A use case takes a `Pick<>` of the shape of the functions that call it.
 */
import type { ApprovalRequest } from '../domain/model';
import type { ApprovalStore, Clock, Deps, Directory, Meter, WorkflowPort } from './ports';
import type { ReceiptIssuer } from './receipts';
import type { CallbackKey, CallbackSender, EmailContent, Mailer } from './senders';

export type ApiDeps = Deps;

export interface StepDeps {
  repository: Pick<
    ApprovalStore,
    | 'getRequest'
    | 'saveChange'
    | 'setRoundBookkeeping'
    | 'appendHistory'
    | 'claimApprovalEmail'
    | 'settleApprovalEmail'
    | 'claimReminder'
    | 'claimClosingEmail'
    | 'settleClosingEmail'
    | 'getDelegation'
  >;
  workflow: WorkflowPort;
  /** The user directory: only approvers who may still decide get emails with links. */
  directory: Directory;
  now: Clock;
  meter: Meter;
  send: Mailer;
  /** Approve and reject URLs for one approver (or a delegate, `forApprover` naming the delegator), valid until the request expires. */
  links: (request: ApprovalRequest, approver: string, forApprover?: string) => Promise<{ approve: string; reject: string }>;
  approverEmail: (
    request: ApprovalRequest,
    links: { approve: string; reject: string },
    options: { reminder: boolean; holdEnded?: boolean; forApprover?: string; escalation?: boolean; recipient?: string },
  ) => EmailContent;
  outcomeEmail: (request: ApprovalRequest) => EmailContent;
  /** The short email to an approver who did not decide, once the request ended. */
  closingEmail: (request: ApprovalRequest) => EmailContent;
  /** The signing key of one calling system (derived from the service's current callback key). */
  callbackKey: (client: string) => Promise<CallbackKey>;
  callbacks: CallbackSender;
  /** Signs an approved request's receipt once and keeps it (usecases/receipts.ts). */
  receipts: ReceiptIssuer;
}

export interface EventDeps {
  repository: ApprovalStore;
  workflow: WorkflowPort;
  now: Clock;
  meter: Meter;
  /**
   * Whether a failed store or workflow call failed for a passing reason (throttling, an outage,
   * the network): the adapters' classification, so the use cases never look at SDK errors.
   */
  isTransient: (error: unknown) => boolean;
  /** A structured log line (`level`, `message` and fields). */
  log: (entry: Record<string, unknown>) => void;
}
