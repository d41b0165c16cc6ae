/**
 * One approval from create to the outcome email, run through the real use cases on the in-memory
 * fakes, with every port call counted per function invocation: the API's create and decisions, the
 * stream consumer (each stored change of the request item that passes the event source mapping's
 * filter, adapters/dynamodb/stream.ts, is relayed as its own record), and the workflow steps, in the
 * order statemachines/approval.asl.json takes them (bench/scale/asl-walk.ts names the states entered).
 * test/unit/lifecycle/approval-calls.spec.ts checks the trace against bench/scale/calls.ts, from which
 * the scale model (bench/scale.ts, docs/scale.md) is written.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { REQUEST_CHANGE_FILTERS } from '../../../functions/adapters/dynamodb/stream';
import type { CreateRequestBody } from '../../../functions/domain/bodies';
import type { ApprovalRequest, HistoryEntry, Identity } from '../../../functions/domain/model';
import type { Profile } from '../../../functions/domain/profile';
import { createApprovalRequest } from '../../../functions/lifecycle/create';
import { decideAsUser } from '../../../functions/lifecycle/decide';
import type { StepDeps } from '../../../functions/usecases/deps';
import { type RequestChange, relayBatch } from '../../../functions/usecases/outbox';
import type { ApprovalStore, Deps, StoredRequest, WorkflowPort } from '../../../functions/usecases/ports';
import { awaitDecision } from '../../../functions/usecases/workflow-steps/await-decision';
import { notifyOutcome } from '../../../functions/usecases/workflow-steps/notify-outcome';
import { planRound } from '../../../functions/usecases/workflow-steps/plan-round';
import { type AslDefinition, walk } from '../../../bench/scale/asl-walk';
import { alice, bob, carol, profile } from './fixtures';
import { MemoryDirectory } from './memory-directory';
import { MemoryStats, RecordingEvents } from './memory-stats';
import { FakeClock, MemoryStore, RecordingWorkflow, sequentialIds } from './memory-store';
import { memoryStepDeps } from './step-deps';

export interface Invocation {
  /** The function invoked (functions/registry.ts names). */
  fn: string;
  /** Its port calls in order, `<port>.<method>`. */
  calls: string[];
}

/** One call to the table (store, stats, receipts), with what it read or wrote: the scale model sizes its items from it. */
export interface TableCall {
  fn: string;
  call: string;
  args: unknown[];
  /** The request item before and after the call (store calls). */
  before?: StoredRequest;
  after?: StoredRequest;
  /** History entries the call added. */
  history?: HistoryEntry[];
}

export interface ApprovalTrace {
  invocations: Invocation[];
  tableCalls: TableCall[];
  /** The workflow's states entered, in order. */
  states: string[];
  /** Events published to EventBridge (entries, not calls). */
  events: number;
  /** The request as it ended, and its profile (the scale model sizes the items from them). */
  request: ApprovalRequest;
  profile: Profile;
}

export type Scenario = 'plain' | 'quorum';

const ASL = JSON.parse(readFileSync(path.join(__dirname, '..', '..', '..', 'statemachines', 'approval.asl.json'), 'utf8')) as AslDefinition;

const body: CreateRequestBody = { kind: 'card.request', profileId: 'cards', subject: { holderId: 'E-1', cardProfile: 'PIV' } };

/** Whether a stored change of the request item passes the stream consumer's filter. */
export function passesFilter(kind: 'insert' | 'modify', before: StoredRequest | undefined, after: StoredRequest | undefined): boolean {
  const eventName = kind === 'insert' ? 'INSERT' : 'MODIFY';
  const images: Record<string, Record<string, string> | undefined> = {
    NewImage: after && { type: 'request', state: after.request.state },
    OldImage: before && { type: 'request', state: before.request.state },
  };
  return REQUEST_CHANGE_FILTERS.some(
    (filter) =>
      (filter.eventName as readonly string[]).includes(eventName) &&
      Object.entries(filter.dynamodb).every(([image, attributes]) =>
        Object.entries(attributes as Record<string, { S: readonly string[] }>).every(([name, { S }]) =>
          S.includes(images[image]?.[name] ?? ''),
        ),
      ),
  );
}

export async function traceApproval(scenario: Scenario): Promise<ApprovalTrace> {
  const approvers = scenario === 'plain' ? [bob] : [bob, carol];
  const cards = profile({ id: 'cards', approvers: approvers.map((a) => a.email), requiredApprovals: approvers.length });
  const store = new MemoryStore();
  store.profiles.set('cards', cards);
  const clock = new FakeClock('2026-11-03T10:00:00.000Z');
  const invocations: Invocation[] = [];
  const tableCalls: TableCall[] = [];
  let current: Invocation | undefined;
  const stream: RequestChange[] = [];
  const snapshot = (id: string | undefined) => {
    const stored = id ? store.requests.get(id) : undefined;
    return stored ? structuredClone(stored) : undefined;
  };

  function counted<T extends object>(name: string, target: T, onWrite?: (method: string, args: unknown[]) => Promise<unknown>): T {
    return new Proxy(target, {
      get(object, method) {
        const value = Reflect.get(object, method);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          current?.calls.push(`${name}.${String(method)}`);
          if (onWrite) return onWrite(String(method), args);
          return value.apply(object, args);
        };
      },
    });
  }
  const countedFunction =
    <A extends unknown[], R>(name: string, fn: (...args: A) => R) =>
    (...args: A): R => {
      current?.calls.push(name);
      return fn(...args);
    };

  const directory = counted('directory', MemoryDirectory.fromIdentities(alice, bob, carol));
  const made = memoryStepDeps(store, { now: clock.now(), directory });
  // The store: each call counted, and each change of the request item put on the stream.
  let requestId: string | undefined;
  const repository = counted<ApprovalStore>('store', store, async (method, args) => {
    const id = requestId ?? ((args[0] as { request?: ApprovalRequest } | undefined)?.request?.id as string | undefined);
    const before = snapshot(id);
    const entries = id ? store.historyOf(id).length : 0;
    const result = await (Reflect.get(store, method) as (...a: unknown[]) => Promise<unknown>).apply(store, args);
    const after = snapshot(id);
    const history = id ? structuredClone(store.historyOf(id).slice(entries)) : [];
    tableCalls.push({ fn: current?.fn ?? '?', call: `store.${method}`, args: structuredClone(args), before, after, history });
    if (after && JSON.stringify(before) !== JSON.stringify(after)) {
      const kind = before ? 'modify' : 'insert';
      const signed = receipt ? { receipt, wasSigned: true } : {};
      stream.push({ id: String(stream.length + 1), kind, ...(before ? { before } : {}), after, ...signed });
    }
    return result;
  });
  // The receipt: stored beside the request and copied onto its item in one transaction
  // (adapters/dynamodb/receipts.ts), a change of the request item that the stream tells.
  let receipt: string | undefined;
  const receiptStore = counted('receipts', made.receipts.store, async (method, args) => {
    const result = await (Reflect.get(made.receipts.store, method) as (...a: unknown[]) => Promise<unknown>).apply(
      made.receipts.store,
      args,
    );
    const image = snapshot(requestId);
    tableCalls.push({ fn: current?.fn ?? '?', call: `receipts.${method}`, args: structuredClone(args), before: image, after: image });
    if (method === 'putReceipt' && !receipt && requestId) {
      receipt = (result as { receipt: string }).receipt;
      if (image) stream.push({ id: String(stream.length + 1), kind: 'modify', before: image, after: image, receipt });
    }
    return result;
  });

  // The workflow: a start begins the execution, a finish ends the wait of its task token.
  const recording = new RecordingWorkflow();
  const workflow = counted<WorkflowPort>('workflow', recording);
  const events = new RecordingEvents();
  const stats = new MemoryStats();
  const recorded = <T extends object>(name: string, target: T): T =>
    counted(name, target, async (method, args) => {
      tableCalls.push({ fn: current?.fn ?? '?', call: `${name}.${method}`, args: structuredClone(args) });
      return (Reflect.get(target, method) as (...a: unknown[]) => Promise<unknown>).apply(target, args);
    });
  const outboxDeps = { workflow, events: counted('events', events), stats: recorded('stats', stats) };
  const apiDeps = {
    repository,
    directory,
    now: clock.now,
    newId: sequentialIds(),
    meter: counted('meter', memoryStepDeps(store, { now: clock.now() }).meter),
  } as Deps;
  const stepDeps: StepDeps = {
    ...made.deps,
    repository,
    workflow,
    directory,
    now: clock.now,
    meter: counted('meter', made.meter),
    send: countedFunction('email.send', made.mailer.send),
    callbacks: counted('callbacks', made.callbacks),
    receipts: {
      issuer: made.receipts.issuer,
      store: receiptStore,
      signer: counted('kms', made.receipts.signer),
    },
  };

  async function invoke<R>(fn: string, run: () => Promise<R>): Promise<R> {
    current = { fn, calls: [] };
    invocations.push(current);
    try {
      return await run();
    } finally {
      current = undefined;
      await drain();
    }
  }
  async function drain(): Promise<void> {
    while (stream.length > 0) {
      const change = stream.shift() as RequestChange;
      if (!passesFilter(change.kind as 'insert' | 'modify', change.before, change.after)) continue;
      const response = await invoke('streamConsumer', () => relayBatch(outboxDeps, [change]));
      if (response.batchItemFailures.length > 0) throw new Error('the stream consumer failed a record');
    }
  }

  const created = await invoke('createRequest', () => createApprovalRequest(apiDeps, alice, body));
  requestId = created.request.id;
  if (!recording.started.includes(requestId)) throw new Error('the outbox did not start the workflow');
  const id = requestId;
  let tokens = 0;
  const decide = (who: Identity) => invoke('decideRequest', () => decideAsUser(apiDeps, who, id, { decision: 'approve' }));

  const states = await walk(
    ASL,
    {
      'Plan round': () => invoke('planRound', () => planRound(stepDeps, id)),
      'Await decision': async (input) => {
        const taskToken = `token-${++tokens}`;
        const plan = input.plan as { waitSeconds?: number; basis?: string } | undefined;
        await invoke('awaitDecision', () => awaitDecision(stepDeps, id, taskToken, plan?.waitSeconds, plan?.basis));
        // The approvers decide while the task waits; the outbox ends the wait.
        for (const approver of approvers) await decide(approver);
        const finished = recording.finished.find((f) => f.taskToken === taskToken);
        if (!finished) throw new Error('the wait was not ended by the outbox');
        return { outcome: finished.outcome };
      },
      'Notify outcome': () => invoke('notifyOutcome', () => notifyOutcome(stepDeps, id)),
    },
    { requestId: id },
  );
  const request = store.current(id);
  if (!request) throw new Error('the request is gone');
  return { invocations, tableCalls, states, events: events.published.length, request, profile: cards };
}
