/**
 * The one path by which a stored request changes (lifecycle): read, apply a domain rule, write
 * on a condition, again on a conflict. The workflow hears of the change from the outbox
 * (usecases/outbox.ts), after the write: a change never waits on Step Functions.
 */
import { conflict, notFound } from '../domain/errors';
import type { ApprovalRequest } from '../domain/model';
import type { Change } from '../domain/rules';
import { waitBasis } from '../domain/hold';
import { earliest, outcomeCheckAt, plus, START_CHECK_SECONDS } from '../usecases/checks';
import type { Clock, Meter, RequestStore, StoredRequest } from '../usecases/ports';

const MAX_ATTEMPTS = 5;

export type ChangeDeps = {
  repository: Pick<RequestStore, 'getRequest' | 'saveChange'>;
  now: Clock;
  meter: Meter;
};

/**
 * A pending change that moves what the running wait was planned from (a hold's end, a stage's
 * start: domain/hold.ts waitBasis) brings the reconciler within START_CHECK_SECONDS, in case the
 * outbox cannot end that wait early (Step Functions down past its retries): the reconciler does.
 */
function replanCheckAt(stored: StoredRequest, after: ApprovalRequest): string | undefined {
  if (after.state !== 'requested' || waitBasis(after) === waitBasis(stored.request)) return undefined;
  const soon = plus(after.updatedAt, START_CHECK_SECONDS);
  return stored.rounds.checkAt ? earliest(stored.rounds.checkAt, soon) : soon;
}

/**
 * Read, apply a rule, write on the condition that nobody changed the request meanwhile; on a
 * conflict read again and re-apply, so concurrent callers get exactly one outcome: one read and
 * one transaction when nobody else writes. When the change ends the request, the write also
 * requires the wait round's task token to be the one read, so the stored change names the wait it
 * ends and the outbox ends that one: a token stored between the read and the write makes the
 * write a conflict (read again, with the new token); one stored after the write is refused (its
 * store requires `requested`), and that round ends by itself. If the outbox cannot end the wait
 * (Step Functions down past its retries), the outcome check stored with the change brings the
 * reconciler, which does; a pending change that moves the running wait's plan brings it too
 * (replanCheckAt).
 */
export async function changeRequest<P = undefined>(
  deps: ChangeDeps,
  id: string,
  apply: (request: ApprovalRequest, now: string, prepared?: P) => Change,
  /** What the rule needs from elsewhere (the directory), looked up for the request as read. */
  prepare?: (request: ApprovalRequest) => Promise<P>,
): Promise<ApprovalRequest> {
  for (let attempt = 1; ; attempt++) {
    const stored = await deps.repository.getRequest(id);
    if (!stored) throw notFound(`request ${id} does not exist`);
    const prepared = prepare ? await prepare(stored.request) : undefined;
    const change = apply(stored.request, deps.now(), prepared);
    const taskToken = stored.rounds.taskToken ?? null;
    const saved = change.outcome
      ? await deps.repository.saveChange(change, stored.request, outcomeCheckAt(change.request.updatedAt), { sameTaskToken: taskToken })
      : await deps.repository.saveChange(change, stored.request, replanCheckAt(stored, change.request));
    if (saved === 'conflict' && attempt < MAX_ATTEMPTS) continue;
    if (saved === 'conflict') throw conflict('request is being changed by someone else; try again');
    if (change.outcome === 'approved' || change.outcome === 'rejected') {
      deps.meter.timeToDecision((Date.parse(change.request.updatedAt) - Date.parse(change.request.createdAt)) / 1000);
    }
    return change.request;
  }
}
