/**
 * The functions the approval workflow invokes. `substitution` is the `${...}`
 * name in statemachines/approval.asl.json that the CDK stack replaces with the
 * function's ARN and the local engine with the function's name.
 */
export type WorkflowNeed = 'table:get' | 'table:put' | 'table:update' | 'workflow:task' | 'email:send' | 'links:sign' | 'callback:sign';

export interface WorkflowFunction {
  name: string;
  entry: string;
  substitution: string;
  needs: WorkflowNeed[];
}

export const WORKFLOW_FUNCTIONS: readonly WorkflowFunction[] = [
  {
    name: 'planRound',
    entry: 'functions/workflow/plan-round/handler.ts',
    substitution: 'PlanRoundFunctionArn',
    needs: ['table:get', 'table:put', 'table:update', 'workflow:task', 'email:send', 'links:sign'],
  },
  {
    name: 'awaitDecision',
    entry: 'functions/workflow/await-decision/handler.ts',
    substitution: 'AwaitDecisionFunctionArn',
    needs: ['table:get', 'table:put', 'table:update', 'workflow:task', 'email:send', 'links:sign'],
  },
  {
    name: 'notifyOutcome',
    entry: 'functions/workflow/notify-outcome/handler.ts',
    substitution: 'NotifyOutcomeFunctionArn',
    needs: ['table:get', 'table:put', 'table:update', 'email:send'],
  },
  {
    name: 'deliverCallback',
    entry: 'functions/workflow/deliver-callback/handler.ts',
    substitution: 'DeliverCallbackFunctionArn',
    needs: ['table:get', 'table:put', 'table:update', 'callback:sign'],
  },
];
