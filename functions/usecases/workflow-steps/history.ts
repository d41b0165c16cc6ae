/** History entries the workflow steps write themselves (the workflow is the actor). */
import { type HistoryType, WORKFLOW_ACTOR } from '../../domain/model';
import type { StepDeps } from '../deps';

/** A history entry by the workflow itself. */
export function record(
  deps: Pick<StepDeps, 'repository'>,
  requestId: string,
  at: string,
  type: HistoryType,
  details: Record<string, unknown>,
) {
  return deps.repository.appendHistory(requestId, { at, type, actor: WORKFLOW_ACTOR, details });
}

/** An email that could not be sent for good (the mailer's failure name, never its message). */
export function recordEmailFailure(
  deps: Pick<StepDeps, 'repository' | 'now'>,
  requestId: string,
  recipient: string,
  purpose: string,
  error: unknown,
) {
  return record(deps, requestId, deps.now(), 'notification-failed', { recipient, purpose, error: (error as Error).name ?? 'Error' });
}

/** Listed approvers who got no email because they may no longer decide (left the directory or the group). */
export const skippedDetail = (skipped: string[]) => (skipped.length > 0 ? { skipped } : {});
