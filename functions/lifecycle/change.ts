/**
 * The one path by which a stored request changes (lifecycle): read, apply a domain rule, write
 * on a condition, again on a conflict.
 */
import { conflict, notFound } from '../domain/errors';
import type { ApprovalRequest, Outcome } from '../domain/model';
import type { Change } from '../domain/rules';
import { outcomeCheckAt, signalCheckAt } from '../usecases/checks';
import type { Meter, RequestStore, RoundStore, WorkflowPort, Clock } from '../usecases/ports';

const MAX_ATTEMPTS = 5;

export type ChangeDeps = {
  repository: Pick<RequestStore, 'getRequest' | 'saveChange'> & Pick<RoundStore, 'setRoundBookkeeping'>;
  workflow: WorkflowPort;
  now: Clock;
  meter: Meter;
  onWorkflowSignalFailed?: (requestId: string, error: unknown) => void;
};

/**
 * Read, apply a rule, write on the condition that nobody changed the request meanwhile; on a
 * conflict read again and re-apply, so concurrent callers get exactly one outcome. When the change
 * ends the request, the write also requires the wait round's task token to be the one read, and
 * the waiting workflow is told with that token: a token stored between the read and the write
 * makes the write a conflict (read again, with the new token); one stored after the write is
 * refused (its store requires `requested`), and that round ends by itself. A stored change
 * stands even when the workflow cannot be told (Step Functions down or throttling): see signalWorkflow.
 */
export async function changeRequest(
  deps: ChangeDeps,
  id: string,
  apply: (request: ApprovalRequest, now: string) => Change,
): Promise<ApprovalRequest> {
  for (let attempt = 1; ; attempt++) {
    const stored = await deps.repository.getRequest(id);
    if (!stored) throw notFound(`request ${id} does not exist`);
    const change = apply(stored.request, deps.now());
    const taskToken = stored.rounds.taskToken ?? null;
    const saved = change.outcome
      ? await deps.repository.saveChange(change, stored.request, outcomeCheckAt(change.request.updatedAt), { sameTaskToken: taskToken })
      : await deps.repository.saveChange(change, stored.request);
    if (saved === 'conflict' && attempt < MAX_ATTEMPTS) continue;
    if (saved === 'conflict') throw conflict('request is being changed by someone else; try again');
    if (change.outcome === 'approved' || change.outcome === 'rejected') {
      deps.meter.timeToDecision((Date.parse(change.request.updatedAt) - Date.parse(change.request.createdAt)) / 1000);
    }
    if (change.outcome && taskToken) await signalWorkflow(deps, change.request.id, taskToken, change.outcome);
    return change.request;
  }
}

/**
 * Tells the waiting workflow of an outcome already stored. When Step Functions cannot take it (down,
 * throttling, after the SDK's retries), the caller still gets the stored change; the request's check
 * becomes due at once, so the reconciler's next run after the recovery signals the waiting task (or
 * restarts the outcome path). Only the request id is logged, never the token.
 */
async function signalWorkflow(deps: ChangeDeps, requestId: string, taskToken: string, outcome: Outcome): Promise<void> {
  try {
    await deps.workflow.finish(taskToken, outcome);
  } catch (error) {
    deps.onWorkflowSignalFailed?.(requestId, error);
    // If this write fails too, the outcome check stored with the change (5 minutes) still comes.
    await deps.repository.setRoundBookkeeping(requestId, { checkAt: signalCheckAt(deps.now()) }).catch(() => undefined);
  }
}
