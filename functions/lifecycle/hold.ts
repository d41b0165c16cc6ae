/**
 * The end of a hold with `until` when its time has come (lifecycle): a workflow round applies it,
 * after re-emailing the approvers who have not decided.
 */
import { holdEnded } from '../domain/hold';
import type { ApprovalRequest } from '../domain/model';
import { type ChangeDeps, changeRequest } from './change';

/**
 * Ends the hold at its `until`, moving `expiresAt` (history `hold-ended`, with `details`). Undefined
 * when the request is no longer held until a time (released, decided or ended meanwhile).
 */
export async function endHoldInTime(
  deps: ChangeDeps,
  requestId: string,
  details: Record<string, unknown>,
): Promise<ApprovalRequest | undefined> {
  try {
    return await changeRequest(deps, requestId, (request, now) => {
      const change = holdEnded(request, now);
      return { ...change, history: { ...change.history, details: { ...change.history.details, ...details } } };
    });
  } catch (error) {
    if ((error as { code?: string }).code === 'conflict') return undefined;
    throw error;
  }
}
