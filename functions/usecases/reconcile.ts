/**
 * The backstop behind the workflow: the reconciler runs every few minutes (EventBridge Scheduler
 * in the cloud, a timer under npm start) and repairs each request whose `checkAt` is due (the
 * sparse index byDue; never a table scan). Whatever failed in between (a create whose
 * StartExecution failed, a workflow that gave up, a task that kept failing, an outcome step that
 * never ran), the request gets what it is owed:
 * 1. pending past its expiry: expired now (the waiting workflow, if any, is told);
 * 2. pending, or ended with its outcome email or callback not yet attempted, and no running
 *    execution: a new execution is started (it reads the request and carries on from there);
 * 3. a running execution that is late (backing off, retrying a callback): looked at again later;
 * 4. nothing owed any more: the request leaves the index.
 */
import { CHECK_GRACE_SECONDS, earliest, plus, RUNNING_RECHECK_SECONDS, START_CHECK_SECONDS } from './checks';
import { expireRequest } from './approval-rounds';
import type { ApprovalStore, Clock, Meter, StoredRequest, WorkflowPort } from './ports';

export interface ReconcileDeps {
  repository: Pick<ApprovalStore, 'getRequest' | 'saveChange' | 'setRoundBookkeeping' | 'dueRequests'>;
  workflow: WorkflowPort;
  now: Clock;
  meter: Meter;
}

export type RepairAction = 'expired' | 'started' | 'waiting' | 'cleared' | 'gone';

export interface Repair {
  requestId: string;
  actions: RepairAction[];
}

export interface ReconcileResult {
  repairs: Repair[];
  /** Requests whose repair failed (they stay due and are tried again next run). */
  failed: Array<{ requestId: string; error: string }>;
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
      result.failed.push({ requestId, error: (error as Error).name ?? 'Error' });
    }
  }
  return result;
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
  if (stored.request.state === 'requested' && Date.parse(now) >= Date.parse(stored.request.expiresAt)) {
    await expireRequest(deps, requestId);
    actions.push('expired');
    stored = await deps.repository.getRequest(requestId);
    if (!stored) return [...actions, 'gone'];
  }
  const { request, rounds } = stored;
  const pending = request.state === 'requested';
  if (!pending && !owesOutcome(stored)) {
    await deps.repository.setRoundBookkeeping(requestId, { checkAt: null });
    return [...actions, 'cleared'];
  }
  const name = rounds.execution ?? requestId;
  if ((await deps.workflow.status(name)) === 'running') {
    const later = plus(now, RUNNING_RECHECK_SECONDS);
    const checkAt = pending ? earliest(later, plus(request.expiresAt, CHECK_GRACE_SECONDS)) : later;
    await deps.repository.setRoundBookkeeping(requestId, { checkAt });
    return [...actions, 'waiting'];
  }
  // No running execution: start a new one under a new name (a closed execution's name stays taken).
  const restarts = (rounds.restarts ?? 0) + 1;
  const restart = `${requestId}-r${restarts}`;
  await deps.repository.setRoundBookkeeping(requestId, { execution: restart, restarts, checkAt: plus(now, START_CHECK_SECONDS) });
  await deps.workflow.start(request, restart);
  return [...actions, 'started'];
}
