import type { ApprovalRequest } from '../domain/model';
import type { Repository } from '../repository/repository';

export type Outcome = 'approved' | 'rejected' | 'expired' | 'deleted';

/** What the use cases need from the approval workflow. */
export interface WorkflowPort {
  /** Starts the workflow of a request. Idempotent: the execution is named after the request id. */
  start(request: ApprovalRequest): Promise<void>;
  /**
   * Ends the wait of a request's workflow after the request was decided or deleted.
   * A closed or unknown token is not an error: the workflow's next round reads the state.
   */
  finish(taskToken: string, outcome: Outcome): Promise<void>;
}

export interface Deps {
  repository: Repository;
  workflow: WorkflowPort;
  now: () => string;
  newId: () => string;
}
