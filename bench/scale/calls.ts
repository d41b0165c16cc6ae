/**
 * The calls one approval makes, per function invocation: the data the scale model (bench/scale.ts,
 * docs/scale.md) is written from. The tests check it against the real code, so the model cannot
 * drift from it: test/unit/lifecycle/calls.spec.ts the API's synchronous calls (`API_CALLS`),
 * test/unit/lifecycle/approval-calls.spec.ts a whole approval through the use cases, the stream
 * consumer and the workflow's path (`APPROVALS`).
 *
 * Calls are `<port>.<method>`: `store` the table (adapters/dynamodb), `directory` the user pool
 * (cached 10 s per instance, adapters/cognito-directory.ts: these are cold-cache counts), `workflow`
 * Step Functions, `email.send` SES, `events.publish` EventBridge, `stats.apply` the /stats counters
 * (a table transaction), `receipts` the receipt item, `kms.sign` a KMS Sign, `meter` metrics (EMF
 * log lines, no call).
 */

/** The store calls of the API's changes of a request (the directory's are in APPROVALS). */
export const API_CALLS = {
  create: ['store.getProfile', 'store.createRequest'],
  decide: ['store.getRequest', 'store.saveChange'],
} as const;

export interface Invocation {
  fn: string;
  calls: readonly string[];
}

export interface ApprovalCalls {
  /** What the approval is. */
  title: string;
  approvers: number;
  invocations: readonly Invocation[];
  /** The workflow's states entered (each a billed state transition). */
  states: readonly string[];
}

/** A stored change of the request item that reaches the stream consumer and changes nothing else (the round's bookkeeping). */
const idleRecord: Invocation = { fn: 'streamConsumer', calls: [] };
/** One approver's first approval email: claimed, sent, their delegation looked up, settled. */
const approverEmail = [
  'store.claimApprovalEmail',
  'email.send',
  'directory.usersByEmail',
  'directory.groupsOf',
  'store.getDelegation',
  'store.settleApprovalEmail',
];
const PATH = ['Plan round', 'Ended?', 'Await decision', 'Notify outcome', 'Callback?', 'Done'] as const;
const decide = (ends: boolean): Invocation => ({
  fn: 'decideRequest',
  calls: ['directory.userBySub', 'directory.groupsOf', ...API_CALLS.decide, ...(ends ? ['meter.timeToDecision'] : []), 'meter.decided'],
});
const notifyOutcome: Invocation = {
  fn: 'notifyOutcome',
  // The outcome's bookkeeping and its history entry: one transaction.
  calls: ['store.getRequest', 'kms.sign', 'receipts.putReceipt', 'email.send', 'store.setRoundBookkeeping'],
};
const started: Invocation = { fn: 'streamConsumer', calls: ['workflow.start', 'events.publish', 'stats.apply'] };
const ended: Invocation = { fn: 'streamConsumer', calls: ['workflow.finish', 'stats.apply'] };
/** The receipt copied onto the approved request item: the `Approved` event, carrying it. */
const signed: Invocation = { fn: 'streamConsumer', calls: ['events.publish'] };

function approval(approvers: number, title: string): ApprovalCalls {
  const lookups = Array.from({ length: approvers }, () => 'directory.usersByEmail');
  const checks = Array.from({ length: approvers }, () => ['directory.usersByEmail', 'directory.groupsOf']).flat();
  const emails = Array.from({ length: approvers }, () => approverEmail).flat();
  return {
    title,
    approvers,
    states: PATH,
    invocations: [
      {
        fn: 'createRequest',
        calls: ['directory.userBySub', 'store.getProfile', ...lookups, 'store.createRequest', 'meter.requestCreated'],
      },
      started,
      { fn: 'planRound', calls: ['store.getRequest'] },
      {
        fn: 'awaitDecision',
        // The request read again once the task token is stored: a change since the plan replans the wait.
        calls: [
          'store.getRequest',
          'store.setRoundBookkeeping',
          'store.getRequest',
          ...checks,
          ...emails,
          // The round's notice and its history entry: one transaction.
          'store.setRoundBookkeeping',
        ],
      },
      // The task token stored, each approver's email claimed and settled, the round's notice: each a
      // change of the request item while it is pending, which the mapping's filter lets through.
      ...Array.from({ length: 2 + 2 * approvers }, () => idleRecord),
      ...Array.from({ length: approvers - 1 }, () => [decide(false), { fn: 'streamConsumer', calls: ['stats.apply'] }]).flat(),
      decide(true),
      ended,
      notifyOutcome,
      signed,
      // The outcome's bookkeeping on the approved request item.
      idleRecord,
    ],
  };
}

/** A plain approval (one stage, one approver) and a 2-approver quorum, each from create to the outcome email. */
export const APPROVALS = {
  plain: approval(1, 'plain (1 stage, 1 approver)'),
  quorum: approval(2, 'quorum (1 stage, 2 of 2 approvers)'),
} as const satisfies Record<string, ApprovalCalls>;
