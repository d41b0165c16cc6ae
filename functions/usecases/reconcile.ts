/**
 * The backstop behind the workflow: the reconciler runs every minute (EventBridge Scheduler
 * in the cloud, a timer under npm start) and repairs each request whose `checkAt` is due (the
 * sparse index byDue; never a table scan). Whatever failed in between (a new request whose
 * workflow the outbox never started, a workflow that gave up, a workflow step that kept failing, an outcome
 * step that never ran), the request gets what it is owed:
 * 1. pending past its expiry: expired now (a running execution's wait is told in step 3);
 * 2. pending, or ended with its outcome email or callback not yet attempted, and no running
 *    execution: a new execution is started (it reads the request and carries on from there);
 * 3. ended while its execution still runs: the waiting round is told the outcome (a change whose
 *    wait the outbox could not end; a wait already closed refuses the task token, which changes
 *    nothing), and the request is looked at again later; pending, with a wait planned from a
 *    request that has moved since (a hold's end, a stage's start), that wait is ended to plan again;
 * 4. a running execution that is late (backing off, retrying a callback): looked at again later;
 * 5. nothing owed any more: the request leaves the index.
 * A repair that fails moves the request's check later (repairRetryAt) and is reported; the run goes
 * on with the others, oldest due first, so failing requests never starve the rest.
 */
import { dueAt, waitBasis } from '../domain/hold';
import type { Outcome } from '../domain/model';
import { CHECK_GRACE_SECONDS, earliest, plus, RUNNING_RECHECK_SECONDS, repairRetryAt, START_CHECK_SECONDS } from './checks';
import { expireRequest } from '../lifecycle/end';
import type { EventDeps } from './deps';
import type { ApprovalStore, StoredRequest } from './ports';

export type ReconcileDeps = Pick<EventDeps, 'workflow' | 'now' | 'meter' | 'isTransient'> & {
  repository: Pick<ApprovalStore, 'getRequest' | 'saveChange' | 'setRoundBookkeeping' | 'dueRequests'>;
};

export type RepairAction = 'expired' | 'signalled' | 'replanned' | 'started' | 'waiting' | 'cleared' | 'gone';

export interface Repair {
  requestId: string;
  actions: RepairAction[];
}

export interface ReconcileResult {
  repairs: Repair[];
  /**
   * Requests whose repair failed: how many times in a row, and when they are tried again (absent
   * when even that could not be stored: they stay due).
   */
  failed: Array<{ requestId: string; error: string; failures?: number; nextCheckAt?: string }>;
}

/** Most requests one run repairs; the rest stay due for the next run (oldest first). */
export const RECONCILE_BATCH = 200;

export async function reconcile(deps: ReconcileDeps, limit = RECONCILE_BATCH): Promise<ReconcileResult> {
  const due = await deps.repository.dueRequests(deps.now(), limit);
  const result: ReconcileResult = { repairs: [], failed: [] };
  for (const requestId of due) {
    try {
      result.repairs.push({ requestId, actions: await repairRequest(deps, requestId) });
    } catch (error) {
      result.failed.push({ requestId, error: (error as Error).name ?? 'Error', ...(await backOff(deps, requestId, error)) });
    }
  }
  return result;
}

/** Moves a request whose repair failed behind the others (see repairRetryAt), counting the failures in a row. */
async function backOff(deps: ReconcileDeps, requestId: string, error: unknown): Promise<{ failures?: number; nextCheckAt?: string }> {
  try {
    const stored = await deps.repository.getRequest(requestId);
    if (!stored) return {};
    const failures = (stored.rounds.repairFailures ?? 0) + 1;
    const nextCheckAt = repairRetryAt(deps.now(), failures, deps.isTransient(error));
    await deps.repository.setRoundBookkeeping(requestId, { checkAt: nextCheckAt, repairFailures: failures });
    return { failures, nextCheckAt };
  } catch {
    // The store itself is failing: the request stays due as it was.
    return {};
  }
}

/** What the workflow still owes an ended request: its outcome email, or its callback. */
function owesOutcome({ request, rounds }: StoredRequest): boolean {
  const callbackOwed = Boolean(request.callbackUrl) && !rounds.callbackDeliveredAt && !rounds.callbackAbandonedAt;
  return !rounds.outcomeNotifiedAt || callbackOwed;
}

export async function repairRequest(deps: ReconcileDeps, requestId: string): Promise<RepairAction[]> {
  const actions: RepairAction[] = [];
  let stored = await deps.repository.getRequest(requestId);
  if (!stored) return ['gone'];
  const now = deps.now();
  if (stored.request.state === 'requested' && Date.parse(now) >= Date.parse(dueAt(stored.request))) {
    await expireRequest(deps, requestId);
    actions.push('expired');
    stored = await deps.repository.getRequest(requestId);
    if (!stored) return [...actions, 'gone'];
  }
  const { request, rounds } = stored;
  const pending = request.state === 'requested';
  // A repair that succeeds ends a run of failures.
  const recovered = rounds.repairFailures ? { repairFailures: 0 } : {};
  if (!pending && !owesOutcome(stored)) {
    await deps.repository.setRoundBookkeeping(requestId, { checkAt: null, ...recovered });
    return [...actions, 'cleared'];
  }
  const name = rounds.execution ?? requestId;
  if ((await deps.workflow.status(name)) === 'running') {
    // Ended while its execution runs: if the execution still waits for that decision, it hears it
    // now and runs the outcome steps (looked at again as after any decision).
    if (!pending && rounds.taskToken && (await deps.workflow.finish(rounds.taskToken, request.state as Outcome))) {
      await deps.repository.setRoundBookkeeping(requestId, { checkAt: plus(now, START_CHECK_SECONDS), ...recovered });
      return [...actions, 'signalled'];
    }
    // Pending, and the wait was planned from a request that has moved since (a hold's end, a stage's
    // start): the replan the outbox could not deliver. A closed token (the workflow moved on) refuses it.
    const moved = pending && rounds.taskToken && rounds.waitBasis !== undefined && rounds.waitBasis !== waitBasis(request);
    if (moved && rounds.taskToken && (await deps.workflow.replan(rounds.taskToken))) {
      await deps.repository.setRoundBookkeeping(requestId, { checkAt: plus(now, START_CHECK_SECONDS), ...recovered });
      return [...actions, 'replanned'];
    }
    const later = plus(now, RUNNING_RECHECK_SECONDS);
    const checkAt = pending ? earliest(later, plus(dueAt(request), CHECK_GRACE_SECONDS)) : later;
    await deps.repository.setRoundBookkeeping(requestId, { checkAt, ...recovered });
    return [...actions, 'waiting'];
  }
  // No running execution: start a new one under a new name (a closed execution's name stays taken).
  const restarts = (rounds.restarts ?? 0) + 1;
  const restart = `${requestId}-r${restarts}`;
  await deps.repository.setRoundBookkeeping(requestId, {
    execution: restart,
    restarts,
    checkAt: plus(now, START_CHECK_SECONDS),
  });
  await deps.workflow.start(request, restart);
  if (rounds.repairFailures) await deps.repository.setRoundBookkeeping(requestId, recovered);
  return [...actions, 'started'];
}
