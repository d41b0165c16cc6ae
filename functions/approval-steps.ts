/**
 * The approval workflow's steps: the functions that statemachines/approval.asl.json invokes.
 * `substitution` is the `${...}` name in the ASL that the CDK stack replaces with the function's
 * ARN and the local engine with the function's name. (In this code base "workflow" means the state
 * machine and its executions; "round" one wait for a decision between reminders.)
 */
export type StepNeed =
  /** Reads of the user directory: who may still decide and get emails. */
  | 'directory:read'
  | 'table:get'
  | 'table:put'
  | 'table:update'
  | 'table:delete'
  | 'workflow:task'
  | 'email:send'
  | 'links:sign'
  | 'callback:sign'
  /** The reconciler: Query on the sparse byDue index only, DescribeExecution, StartExecution. */
  | 'table:due'
  | 'workflow:describe'
  | 'workflow:start';

export interface ApprovalStep {
  name: string;
  entry: string;
  substitution: string;
  needs: StepNeed[];
}

export const APPROVAL_STEPS: readonly ApprovalStep[] = [
  {
    name: 'planRound',
    entry: 'functions/approval-steps/plan-round/handler.ts',
    substitution: 'PlanRoundFunctionArn',
    // table:delete: an expiry closes the approvers' task entries.
    needs: ['table:get', 'table:put', 'table:update', 'table:delete', 'email:send', 'links:sign', 'directory:read'],
  },
  {
    name: 'awaitDecision',
    entry: 'functions/approval-steps/await-decision/handler.ts',
    substitution: 'AwaitDecisionFunctionArn',
    needs: ['table:get', 'table:put', 'table:update', 'workflow:task', 'email:send', 'links:sign', 'directory:read'],
  },
  {
    name: 'notifyOutcome',
    entry: 'functions/approval-steps/notify-outcome/handler.ts',
    substitution: 'NotifyOutcomeFunctionArn',
    needs: ['table:get', 'table:put', 'table:update', 'email:send'],
  },
  {
    name: 'deliverCallback',
    entry: 'functions/approval-steps/deliver-callback/handler.ts',
    substitution: 'DeliverCallbackFunctionArn',
    needs: ['table:get', 'table:put', 'table:update', 'callback:sign'],
  },
];

/**
 * The workflow's backstop (functions/usecases/reconcile.ts): scheduled every few minutes, it
 * repairs requests whose check is due. Not a step of the state machine, but the same kind of
 * function: its own entry, its own least-privilege grants.
 */
export const RECONCILER_FUNCTION = {
  name: 'reconciler',
  entry: 'functions/reconciler/handler.ts',
  // table:delete: an expiry closes the approvers' task entries.
  needs: ['table:get', 'table:put', 'table:update', 'table:delete', 'table:due', 'workflow:describe', 'workflow:start', 'workflow:task'],
} as const satisfies { name: string; entry: string; needs: readonly StepNeed[] };

/**
 * The outbox's consumer (functions/usecases/outbox.ts): the table's stream feeds it through an
 * event source mapping (its filter: adapters/dynamodb/stream.ts), and it starts workflows and ends
 * waits. Reading the stream is the mapping's grant, not a need. `stream` holds the mapping's
 * batch rules, which the local stream poller follows too.
 */
export const STREAM_CONSUMER_FUNCTION = {
  name: 'streamConsumer',
  entry: 'functions/stream-consumer/handler.ts',
  needs: ['workflow:start', 'workflow:task'],
  stream: {
    batchSize: 10,
    /** Retries of a failed record before it goes to the on-failure queue. */
    retryAttempts: 10,
    /**
     * A record older than this goes to the on-failure queue instead: the reconciler's first look at a
     * new or ended request comes later (usecases/checks.ts, START_CHECK_SECONDS), so the two never
     * start the same request's workflow twice.
     */
    maxRecordAgeSeconds: 180,
    bisectBatchOnError: true,
  },
} as const satisfies { name: string; entry: string; needs: readonly StepNeed[]; stream: object };
