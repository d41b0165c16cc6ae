/**
 * The approval workflow's steps: the functions that statemachines/approval.asl.json invokes.
 * `substitution` is the `${...}` name in the ASL that the CDK stack replaces with the function's
 * ARN and the local engine with the function's name. (In this code base "workflow" means the state
 * machine of one request, "workflow step" one of these functions, "round" one plan-then-wait cycle.)
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
    needs: ['table:get', 'table:put', 'table:update', 'table:delete', 'workflow:task', 'email:send', 'links:sign', 'directory:read'],
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
