/**
 * The outbox: the table's stream, read by the stream consumer after each write. A stored change is
 * the truth; what the workflow must hear of it follows from the change itself, so the API's calls
 * never wait on Step Functions:
 * - a new request (INSERT): its workflow is started, named after the request, so a second start
 *   (a retried batch, a replayed record) is harmless;
 * - a change that ended a pending request while a wait round held a task token: that wait ends with
 *   the outcome (task success; task failure for a delete). A closed or unknown token is not an error:
 *   the workflow's next round reads the state.
 * - a change of a pending request's hold end (a hold until a time placed, released or ended) while
 *   a wait round held a task token: that wait ends early, so the next round plans again around the
 *   hold (it was planned until the next reminder or the expiry); so does a stage's start (a stage
 *   reached its quorum), so the next round emails the new stage's approvers.
 * Anything else is ignored. Whatever the outbox could not do, the reconciler does (usecases/reconcile.ts).
 * After the workflow has heard of it, a change is published as events (usecases/events.ts) and counted
 * for GET /stats (usecases/stats.ts), in that order: a failure of either fails the record, which the
 * stream delivers again (the workflow's part is harmless to repeat, events come at least once, the
 * counters count a request version once).
 */
import { holdEnd } from '../domain/hold';
import type { Outcome } from '../domain/model';
import { type EventsPort, publishChange } from './events';
import type { StoredRequest, WorkflowPort } from './ports';
import { countChange, type StatsStore } from './stats';

/** One stored change of a request item, as the stream tells it. */
export interface RequestChange {
  /** The stream record's position (its sequence number): what a partial batch failure names. */
  id: string;
  kind: 'insert' | 'modify' | 'remove';
  before?: StoredRequest;
  after?: StoredRequest;
  /** The request's receipt as stored with it after the change, once it has one (events carry it). */
  receipt?: string;
  /** Whether the request had its receipt stored with it before the change. */
  wasSigned?: boolean;
}

export interface OutboxDeps {
  workflow: Pick<WorkflowPort, 'start' | 'finish' | 'replan'>;
  /** Where the change's events go (absent: none are published). */
  events?: EventsPort;
  /** Where the change is counted (absent: not counted). */
  stats?: Pick<StatsStore, 'apply'>;
  /** Told of a change that could not be relayed (it is retried); for the logs. */
  onFailed?: (change: RequestChange, error: unknown) => void;
}

export type OutboxAction = 'started' | 'signalled' | 'replanned' | 'closed' | 'ignored';

/** What the workflow hears of one stored change. */
export async function relayChange(deps: OutboxDeps, change: RequestChange): Promise<OutboxAction> {
  const { kind, before, after } = change;
  if (kind === 'insert' && after) {
    await deps.workflow.start(after.request);
    return 'started';
  }
  const ended = kind === 'modify' && before?.request.state === 'requested' && after && after.request.state !== 'requested';
  // The token stored with the change: the change was written on the condition that it was the one read.
  const taskToken = ended ? after.rounds.taskToken : undefined;
  if (ended && taskToken) {
    return (await deps.workflow.finish(taskToken, after.request.state as Outcome)) ? 'signalled' : 'closed';
  }
  const pending = kind === 'modify' && before?.request.state === 'requested' && after?.request.state === 'requested';
  const waiting = pending ? after.rounds.taskToken : undefined;
  const moved = pending && (before.request.currentStage ?? 0) !== (after.request.currentStage ?? 0);
  if (pending && waiting && (holdEnd(before.request) !== holdEnd(after.request) || moved)) {
    return (await deps.workflow.replan(waiting)) ? 'replanned' : 'closed';
  }
  return 'ignored';
}

/** A partial batch response: the records to deliver again (Lambda's ReportBatchItemFailures). */
export interface BatchResponse {
  batchItemFailures: Array<{ itemIdentifier: string }>;
}

/**
 * Relays the changes of one batch in stream order. At the first change that fails, stops and names
 * it: the stream delivers it again with every later one (a later change of the same request never
 * overtakes an earlier one), and those already relayed are not repeated.
 */
export async function relayBatch(deps: OutboxDeps, changes: readonly RequestChange[]): Promise<BatchResponse> {
  for (const change of changes) {
    try {
      await relayChange(deps, change);
      if (deps.events) await publishChange(deps.events, change);
      if (deps.stats) await countChange(deps.stats, change);
    } catch (error) {
      deps.onFailed?.(change, error);
      return { batchItemFailures: [{ itemIdentifier: change.id }] };
    }
  }
  return { batchItemFailures: [] };
}
