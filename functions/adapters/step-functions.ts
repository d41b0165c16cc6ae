import { DescribeExecutionCommand, SendTaskFailureCommand, SendTaskSuccessCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { ApprovalRequest, Outcome } from '../domain/model';
import type { ExecutionStatus, WorkflowPort } from '../usecases/ports';
import { sfnClient } from './clients';

/** Error name the workflow catches when a pending request is deleted. */
export const DELETED_ERROR = 'Approvals.RequestDeleted';
/** The error that ends a wait early so that the workflow plans its round again (the ASL catches it). */
export const REPLAN_ERROR = 'Approvals.Replan';

const CLOSED_TOKEN_ERRORS = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);

/** The ARN of the execution `name` of the state machine `stateMachineArn`. */
export const executionArn = (stateMachineArn: string, name: string) =>
  `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;

/**
 * The workflow port on the Step Functions API. Ending a wait needs only its task token; starting
 * needs the state machine, which only functions with the need workflow:start are given.
 */
export function stepFunctionsWorkflow(stateMachineArn: string | undefined): WorkflowPort {
  const sfn = sfnClient();
  return {
    async start(request: ApprovalRequest, name = request.id) {
      if (!stateMachineArn) throw new Error('configuration error: this function does not have the need workflow:start');
      try {
        await sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify({ requestId: request.id }) }));
      } catch (error) {
        // Same name and same input returns the running execution; a finished one with this
        // name means the workflow already ran for this request.
        if ((error as Error).name !== 'ExecutionAlreadyExists') throw error;
      }
    },
    async status(name: string): Promise<ExecutionStatus> {
      if (!stateMachineArn) throw new Error('configuration error: this function does not have the need workflow:describe');
      try {
        const { status } = await sfn.send(new DescribeExecutionCommand({ executionArn: executionArn(stateMachineArn, name) }));
        return status === 'RUNNING' ? 'running' : 'ended';
      } catch (error) {
        if ((error as Error).name === 'ExecutionDoesNotExist') return 'missing';
        throw error;
      }
    },
    async finish(taskToken: string, outcome: Outcome) {
      try {
        if (outcome === 'deleted') {
          await sfn.send(new SendTaskFailureCommand({ taskToken, error: DELETED_ERROR, cause: 'the request was deleted' }));
        } else {
          await sfn.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify({ outcome }) }));
        }
        return true;
      } catch (error) {
        if (!CLOSED_TOKEN_ERRORS.has((error as Error).name)) throw error;
        return false;
      }
    },
    async replan(taskToken: string) {
      try {
        await sfn.send(new SendTaskFailureCommand({ taskToken, error: REPLAN_ERROR, cause: 'the hold of the request changed' }));
        return true;
      } catch (error) {
        if (!CLOSED_TOKEN_ERRORS.has((error as Error).name)) throw error;
        return false;
      }
    },
  };
}
