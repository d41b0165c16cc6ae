/**
 * The endings of a pending request that are not decisions (lifecycle): a delete by the requester
 * or an admin, and the expiry the workflow or the reconciler applies.
 */
import type { ApprovalRequest, Identity } from '../domain/model';
import { deleteRequest, expire } from '../domain/rules';
import { adminAsDirectorySays } from '../usecases/people';
import type { Deps } from '../usecases/ports';
import { type ChangeDeps, changeRequest } from './change';

/** A delete: an admin's rights as the directory says now (usecases/people.ts), the requester's own always. */
export async function deleteApprovalRequest(deps: Deps, who: Identity, id: string, reason?: string): Promise<ApprovalRequest> {
  const caller = await adminAsDirectorySays(deps.directory, who);
  return changeRequest(deps, id, (request, now) => deleteRequest(request, caller, now, reason));
}

/** Most attempts of an expiry that keeps meeting concurrent writes before the step fails (and is retried). */
const EXPIRE_ATTEMPTS = 20;

/**
 * Expires a pending request whose time has come. A version race is retried until the request is
 * expired or ended otherwise (a decision or a delete that won stands); never swallowed. Past the
 * expiry no decision is accepted any more, so the races end quickly.
 */
export async function expireRequest(deps: ChangeDeps, requestId: string): Promise<void> {
  for (let attempt = 1; attempt <= EXPIRE_ATTEMPTS; attempt++) {
    try {
      await changeRequest(deps, requestId, (request, now) => expire(request, now));
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== 'conflict') throw error;
      const latest = await deps.repository.getRequest(requestId);
      if (latest?.request.state !== 'requested') return;
    }
  }
  throw new Error(`request ${requestId} could not be expired after ${EXPIRE_ATTEMPTS} attempts`);
}
