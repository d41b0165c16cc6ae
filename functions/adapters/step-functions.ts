import { SendTaskFailureCommand, SendTaskSuccessCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { ApprovalRequest, Outcome } from '../domain/model';
import type { WorkflowPort } from '../usecases/ports';
import { sfnClient } from './clients';

/** Error name the workflow catches when a pending request is deleted. */
export const DELETED_ERROR = 'Approvals.RequestDeleted';

const CLOSED_TOKEN_ERRORS = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);

/**
 * The workflow port on the Step Functions API. Completing a task needs only its token; starting
 * needs the state machine, which only functions with the need workflow:start are given.
 */
export function stepFunctionsWorkflow(stateMachineArn: string | undefined): WorkflowPort {
  const sfn = sfnClient();
  return {
    async start(request: ApprovalRequest) {
      if (!stateMachineArn) throw new Error('configuration error: this function does not have the need workflow:start');
      try {
        await sfn.send(
          new StartExecutionCommand({ stateMachineArn, name: request.id, input: JSON.stringify({ requestId: request.id }) }),
        );
      } catch (error) {
        // Same name and same input returns the running execution; a finished one with this
        // name means the workflow already ran for this request.
        if ((error as Error).name !== 'ExecutionAlreadyExists') throw error;
      }
    },
    async finish(taskToken: string, outcome: Outcome) {
      try {
        if (outcome === 'deleted') {
          await sfn.send(new SendTaskFailureCommand({ taskToken, error: DELETED_ERROR, cause: 'the request was deleted' }));
        } else {
          await sfn.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify({ outcome }) }));
        }
      } catch (error) {
        if (!CLOSED_TOKEN_ERRORS.has((error as Error).name)) throw error;
      }
    },
  };
}
