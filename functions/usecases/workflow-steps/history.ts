/** History entries the workflow steps write themselves (the workflow is the actor). */
import { type HistoryEntry, type HistoryType, WORKFLOW_ACTOR } from '../../domain/model';
import type { StepDeps } from '../deps';

/** A history entry by the workflow itself. */
export const workflowEntry = (at: string, type: HistoryType, details: Record<string, unknown>): HistoryEntry => ({
  at,
  type,
  actor: WORKFLOW_ACTOR,
  details,
});

/** Stores a history entry by the workflow itself (one that goes with no bookkeeping). */
export function record(
  deps: Pick<StepDeps, 'repository'>,
  requestId: string,
  at: string,
  type: HistoryType,
  details: Record<string, unknown>,
) {
  return deps.repository.appendHistory(requestId, workflowEntry(at, type, details));
}

/** The entry of an email that could not be sent for good (the mailer's failure name, never its message). */
export const emailFailureEntry = (at: string, recipient: string, purpose: string, error: unknown): HistoryEntry =>
  workflowEntry(at, 'notification-failed', { recipient, purpose, error: (error as Error).name ?? 'Error' });

/** Stores the entry of an email that could not be sent for good. */
export function recordEmailFailure(
  deps: Pick<StepDeps, 'repository' | 'now'>,
  requestId: string,
  recipient: string,
  purpose: string,
  error: unknown,
) {
  return deps.repository.appendHistory(requestId, emailFailureEntry(deps.now(), recipient, purpose, error));
}

/** Listed approvers who got no email because they may no longer decide (left the directory or the group). */
export const skippedDetail = (skipped: string[]) => (skipped.length > 0 ? { skipped } : {});

/**
 * The subject of the emails an entry records (evidence of what was sent): `subject` when every
 * recipient got the same one, else `subjects` by recipient; nothing when none was sent.
 */
export function subjectDetail(subjects: Record<string, string>): { subject?: string; subjects?: Record<string, string> } {
  const distinct = [...new Set(Object.values(subjects))];
  if (distinct.length === 0) return {};
  return distinct.length === 1 ? { subject: distinct[0] } : { subjects };
}
