/** The approval workflow as the use cases see it (the Step Functions adapter implements it). */
import type { ApprovalRequest, Outcome } from '../domain/model';

/** What the reconciler learns of an execution: still running, ended (any way), or never started. */
export type ExecutionStatus = 'running' | 'ended' | 'missing';

/** What the use cases need from the approval workflow (one execution per request). */
export interface WorkflowPort {
  /**
   * Starts the workflow of a request. Idempotent: the execution is named after the request id
   * (or `name`, for a restart by the reconciler).
   */
  start(request: ApprovalRequest, name?: string): Promise<void>;
  /** The status of the request's execution named `name`. */
  status(name: string): Promise<ExecutionStatus>;
  /**
   * Ends the wait of a request's workflow after the request was decided or deleted: true when the
   * waiting round took it. A closed or unknown task token is not an error (false): the workflow's
   * next round reads the state.
   */
  finish(taskToken: string, outcome: Outcome): Promise<boolean>;
  /**
   * Ends the wait of a pending request's workflow early, so that its next round plans again (a hold
   * until a time was placed, released or ended): true when the waiting round took it; a closed or
   * unknown task token is not an error (false).
   */
  replan(taskToken: string): Promise<boolean>;
}
