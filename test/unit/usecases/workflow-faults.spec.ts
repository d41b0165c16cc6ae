/**
 * The fault gaps behind the workflow's guarantees (docs/architecture.md: Guarantees and the reconciler), on in-memory stores with a
 * fake clock: a decision stands when the outbox cannot tell Step Functions and the reconciler
 * tells it at the outcome check; a retried Plan round sends no reminder twice; a replayed create
 * starts no second execution; repairs that keep failing back off and never starve the other due requests.
 */
import type { ApprovalRequest } from '../../../functions/domain/model';
import { profileBodySchema } from '../../../functions/domain/profile';
import { isTransientAwsError } from '../../../functions/adapters/aws-errors';
import type { EventDeps, StepDeps } from '../../../functions/usecases/deps';
import { awaitDecision } from '../../../functions/usecases/workflow-steps/await-decision';
import { planRound } from '../../../functions/usecases/workflow-steps/plan-round';
import { REPAIR_BACKOFF_CAP_SECONDS, START_CHECK_SECONDS } from '../../../functions/usecases/checks';
import { relayBatch } from '../../../functions/usecases/outbox';
import type { Deps, StoredRequest } from '../../../functions/usecases/ports';
import { reconcile } from '../../../functions/usecases/reconcile';
import { createApprovalRequest } from '../../../functions/lifecycle/create';
import { decideAsUser } from '../../../functions/lifecycle/decide';
import { alice, bob, carol } from '../../helpers/memory/fixtures';
import { MemoryStore, sequentialIds } from '../../helpers/memory/memory-store';
import { pendingRequest, REQUEST_ID } from '../../helpers/memory/requests';
import { memoryStepDeps } from '../../helpers/memory/step-deps';

const ID = REQUEST_ID;
const CREATED = '2026-11-03T09:00:00.000Z';
const unavailable = () =>
  Object.assign(new Error('Service Unavailable'), { name: 'ServiceUnavailable', $metadata: { httpStatusCode: 503 } });
const refused = () => Object.assign(new Error('refused'), { name: 'ValidationException', $metadata: { httpStatusCode: 400 } });

function setup(...requests: ApprovalRequest[]) {
  const store = new MemoryStore(...requests);
  const { deps: stepDeps, workflow, mailer, clock } = memoryStepDeps(store, { now: CREATED });
  const deps: StepDeps & Deps & Pick<EventDeps, 'isTransient'> = {
    ...stepDeps,
    repository: store,
    newId: sequentialIds(),
    isTransient: isTransientAwsError,
  };
  /** The outbox, given the stored change of request `id` since `before`: its partial batch response. */
  const relay = async (before: StoredRequest | undefined, id = ID) =>
    relayBatch({ workflow }, [{ id: 'seq-1', kind: 'modify', before, after: await store.getRequest(id) }]);
  return { store, workflow, mailer, clock, deps, relay };
}

const checkAtOf = (store: MemoryStore, id = ID) => store.requests.get(id)?.rounds.checkAt;
const plus = (iso: string, seconds: number) => new Date(Date.parse(iso) + seconds * 1000).toISOString();

describe('a decision stands when the outbox cannot tell Step Functions', () => {
  /** A pending request whose execution waits for a decision with `token-1`, and the request as read before the decision. */
  async function waiting() {
    const env = setup(pendingRequest({ createdAt: CREATED }));
    env.workflow.statuses.set(ID, 'running');
    await env.store.setRoundBookkeeping(ID, { taskToken: 'token-1', checkAt: plus(CREATED, 2 * 86400) });
    return { ...env, before: await env.store.getRequest(ID) };
  }

  test('SendTaskSuccess failing: the decision is stored and answered, the record fails (the stream delivers it again), and the outcome check is 5 minutes ahead', async () => {
    const { deps, store, workflow, clock, relay, before } = await waiting();
    workflow.failFinishWith = unavailable();
    const decided = await decideAsUser(deps, carol, ID, { decision: 'approve' });
    expect(decided.state).toBe('approved');
    expect(store.current(ID)?.state).toBe('approved');
    expect(await relay(before)).toEqual({ batchItemFailures: [{ itemIdentifier: 'seq-1' }] });
    expect(checkAtOf(store)).toBe(plus(clock.now(), START_CHECK_SECONDS));
  });

  test("past the outbox's retries, the reconciler's run after the recovery completes the waiting task, once; while it is down the request stays due each run", async () => {
    const { deps, store, workflow, clock, relay, before } = await waiting();
    workflow.failFinishWith = unavailable();
    await decideAsUser(deps, carol, ID, { decision: 'approve' });
    await relay(before);
    // Still down at the outcome check: reported, and due again at the run after (a transient failure).
    clock.advance(START_CHECK_SECONDS);
    const down = await reconcile(deps);
    expect(down.failed).toEqual([{ requestId: ID, error: 'ServiceUnavailable', failures: 1, nextCheckAt: clock.now() }]);
    expect(checkAtOf(store)).toBe(clock.now());
    // Recovered: the next run signals the waiting round with the stored outcome; nothing restarts.
    workflow.failFinishWith = undefined;
    clock.advance(60);
    expect((await reconcile(deps)).repairs).toEqual([{ requestId: ID, actions: ['signalled'] }]);
    expect(workflow.finished).toEqual([{ taskToken: 'token-1', outcome: 'approved' }]);
    expect(workflow.names).toEqual([]);
    expect(store.requests.get(ID)?.rounds.repairFailures).toBe(0);
    expect(checkAtOf(store)).toBe(plus(clock.now(), START_CHECK_SECONDS));
    // Idempotent: a later run finds the wait closed and only waits for the outcome steps.
    clock.advance(START_CHECK_SECONDS);
    expect((await reconcile(deps)).repairs).toEqual([{ requestId: ID, actions: ['waiting'] }]);
    expect(workflow.finished).toHaveLength(1);
  });

  test('when the outbox tells Step Functions, the outcome check stays 5 minutes ahead (no extra write)', async () => {
    const { deps, store, workflow, clock, relay, before } = await waiting();
    await decideAsUser(deps, carol, ID, { decision: 'approve' });
    expect(await relay(before)).toEqual({ batchItemFailures: [] });
    expect(workflow.finished).toEqual([{ taskToken: 'token-1', outcome: 'approved' }]);
    expect(checkAtOf(store)).toBe(plus(clock.now(), START_CHECK_SECONDS));
  });
});

describe('a replan the outbox could not deliver', () => {
  test('a released hold: the reconciler ends the wait planned until the hold end, 5 minutes after the release; a healthy wait is left alone', async () => {
    const expiresAt = plus(CREATED, 12 * 3600);
    const { deps, store, workflow, clock, relay } = setup(
      pendingRequest({ createdAt: CREATED, requiredApprovals: 2, remindAfter: 'PT4H', expireAfter: 'PT12H', expiresAt }),
    );
    workflow.statuses.set(ID, 'running');
    const round = async (token: string) => {
      const plan = await planRound(deps, ID);
      await awaitDecision(deps, ID, token, plan.waitSeconds, plan.basis);
      return plan;
    };
    await round('token-1');
    clock.advance(3600);
    let before = await store.getRequest(ID);
    await decideAsUser(deps, bob, ID, { decision: 'hold', until: plus(clock.now(), 20 * 86400) });
    await relay(before);
    expect((await round('token-2')).waitSeconds).toBe(20 * 86400);
    clock.advance(360);
    before = await store.getRequest(ID);
    workflow.failFinishWith = unavailable();
    await decideAsUser(deps, carol, ID, { decision: 'release' });
    // The stream delivers the record again until it gives up on it (Step Functions stays down).
    expect(await relay(before)).toEqual({ batchItemFailures: [{ itemIdentifier: 'seq-1' }] });
    workflow.failFinishWith = undefined;
    clock.advance(START_CHECK_SECONDS);
    expect((await reconcile(deps)).repairs).toEqual([{ requestId: ID, actions: ['replanned'] }]);
    expect(workflow.replanned).toEqual(['token-1', 'token-2']);
    // The next round plans from the release: the next reminder, not the hold's end 20 days away.
    expect((await round('token-3')).waitSeconds).toBeLessThan(4 * 3600);
    clock.advance(START_CHECK_SECONDS);
    expect((await reconcile(deps)).repairs).toEqual([]);
    expect(workflow.replanned).toEqual(['token-1', 'token-2']);
  });
});

describe('a retried Plan round sends no reminder twice', () => {
  test('the bookkeeping write fails once after the reminders went out; the retry sends each approver nothing more', async () => {
    const request = pendingRequest({ createdAt: CREATED, remindAfter: 'PT1H', maxReminders: 3 });
    const { deps, store, mailer, clock } = setup(request);
    await awaitDecision(deps, ID, 'token-0', 3600);
    expect(mailer.sent.map((email) => email.to).sort()).toEqual(['bob@example.com', 'carol@example.com']);
    clock.advance(3600);
    const write = store.setRoundBookkeeping.bind(store);
    let failures = 1;
    store.setRoundBookkeeping = async (...args) => {
      if (failures > 0 && 'reminders' in args[1]) {
        failures--;
        throw Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' });
      }
      return write(...args);
    };
    await expect(planRound(deps, ID)).rejects.toThrow('throttled');
    // The workflow retries the workflow step.
    await planRound(deps, ID);
    const reminders = (to: string) => mailer.sent.filter((email) => email.to === to && /remind/i.test(email.subject));
    expect(reminders('bob@example.com')).toHaveLength(1);
    expect(reminders('carol@example.com')).toHaveLength(1);
    expect(store.requests.get(ID)?.rounds.reminders).toBe(1);
    // The next reminder is a new number: claimed and sent once more.
    clock.advance(3600);
    await planRound(deps, ID);
    expect(reminders('bob@example.com')).toHaveLength(2);
  });
});

describe("a round's history entry is written with its bookkeeping", () => {
  /** Makes the next write of bookkeeping with a history entry fail as a whole, as a cancelled transaction does. */
  function failNextRecordedWrite(store: MemoryStore) {
    const write = store.setRoundBookkeeping.bind(store);
    let failures = 1;
    store.setRoundBookkeeping = async (...args) => {
      if (failures > 0 && args[2]?.history) {
        failures--;
        throw Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' });
      }
      return write(...args);
    };
  }
  const entries = (store: MemoryStore, type: string) => store.historyOf(ID).filter((entry) => entry.type === type);

  test('the first approval emails: a retry after the write failed records them once, with every recipient, and emails nobody again', async () => {
    const { deps, store, mailer } = setup(pendingRequest({ createdAt: CREATED, remindAfter: 'PT1H' }));
    failNextRecordedWrite(store);
    await expect(awaitDecision(deps, ID, 'token-0', 3600)).rejects.toThrow('throttled');
    expect(entries(store, 'notified')).toEqual([]);
    expect(store.requests.get(ID)?.rounds.notifiedAt).toBeUndefined();
    await awaitDecision(deps, ID, 'token-0', 3600);
    expect(mailer.sent.map((email) => email.to).sort()).toEqual(['bob@example.com', 'carol@example.com']);
    expect(entries(store, 'notified')).toEqual([
      expect.objectContaining({ details: expect.objectContaining({ recipients: ['bob@example.com', 'carol@example.com'] }) }),
    ]);
    expect(store.requests.get(ID)?.rounds.notifiedAt).toEqual(expect.any(String));
  });

  test('a reminder: the retried round records it once, naming who was claimed before', async () => {
    const { deps, store, mailer, clock } = setup(pendingRequest({ createdAt: CREATED, remindAfter: 'PT1H', maxReminders: 3 }));
    await awaitDecision(deps, ID, 'token-0', 3600);
    clock.advance(3600);
    failNextRecordedWrite(store);
    await expect(planRound(deps, ID)).rejects.toThrow('throttled');
    expect(entries(store, 'reminded')).toEqual([]);
    await planRound(deps, ID);
    expect(mailer.sent.filter((email) => /remind/i.test(email.subject))).toHaveLength(2);
    expect(entries(store, 'reminded')).toEqual([
      expect.objectContaining({
        details: expect.objectContaining({ recipients: [], claimedBefore: ['bob@example.com', 'carol@example.com'] }),
      }),
    ]);
    expect(store.requests.get(ID)?.rounds.reminders).toBe(1);
  });
});

describe('a replayed create starts no second execution', () => {
  const body = { kind: 'card.request' as const, profileId: 'cards', subject: { holderId: 'h', cardProfile: 'p' } };

  /** A create stored whose workflow was not started (the outbox has not relayed it, or gave up), with the idempotency key `key`. */
  async function createUnstarted(
    { deps, store, workflow }: ReturnType<typeof setup>,
    key?: string,
    times = { remindAfter: 'PT1H', expireAfter: 'P1D' },
  ) {
    await store.putProfile(
      'cards',
      profileBodySchema.parse({
        name: 'p',
        requireApprovalFor: ['card.request'],
        approvers: ['carol@example.com'],
        requiredApprovals: 1,
        ...times,
      }),
      CREATED,
    );
    const { request } = await createApprovalRequest(deps, alice, body, key);
    expect(workflow.names).toEqual([]);
    return request;
  }

  test('after the reconciler restarted the workflow under another name, a replay with the same key and body starts nothing', async () => {
    const context = setup();
    const { deps, workflow, clock } = context;
    const request = await createUnstarted(context, 'key-1');
    clock.advance(START_CHECK_SECONDS);
    expect((await reconcile(deps)).repairs).toEqual([{ requestId: request.id, actions: ['started'] }]);
    expect(workflow.names).toEqual([`${request.id}-r1`]);
    const replayed = await createApprovalRequest(deps, alice, body, 'key-1');
    expect(replayed).toMatchObject({ replayed: true, request: { id: request.id } });
    expect(workflow.names).toEqual([`${request.id}-r1`]);
  });

  test('a request that expires within a minute: the reconciler waits until the outbox is done trying to start it, so one execution runs', async () => {
    const context = setup();
    const { deps, workflow, clock, store } = context;
    const request = await createUnstarted(context, undefined, { remindAfter: 'PT30S', expireAfter: 'PT1M' });
    const inserted = [{ id: 'seq-1', kind: 'insert' as const, after: await store.getRequest(request.id) }];
    workflow.failStartWith = unavailable();
    expect(await relayBatch({ workflow }, inserted)).toEqual({ batchItemFailures: [{ itemIdentifier: 'seq-1' }] });
    // Past the expiry, while the stream still delivers the record (up to its 180 s, plus the consumer's run).
    clock.advance(120);
    expect((await reconcile(deps)).repairs).toEqual([]);
    workflow.failStartWith = undefined;
    clock.advance(90);
    expect(await relayBatch({ workflow }, inserted)).toEqual({ batchItemFailures: [] });
    clock.advance(90);
    expect((await reconcile(deps)).repairs).toEqual([{ requestId: request.id, actions: ['expired', 'waiting'] }]);
    expect(workflow.names).toEqual([request.id]);
  });

  test('a replay before any start starts nothing: the outbox (or the reconciler) starts the stored request', async () => {
    const context = setup();
    const { deps, workflow } = context;
    const request = await createUnstarted(context, 'key-2');
    expect(await createApprovalRequest(deps, alice, body, 'key-2')).toMatchObject({ replayed: true, request: { id: request.id } });
    expect(workflow.names).toEqual([]);
  });
});

describe('the reconciler is fair', () => {
  const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

  test('250 repairs that keep failing do not starve a healthy overdue request: it is repaired by the second run', async () => {
    const failing = Array.from({ length: 250 }, (_, i) => pendingRequest({ id: id(i + 1), createdAt: CREATED }));
    const healthy = pendingRequest({ id: id(999), createdAt: CREATED });
    const { deps, store, workflow, clock } = setup(...failing, healthy);
    // Every failing request is due before the healthy one.
    for (const [i, request] of failing.entries()) await store.setRoundBookkeeping(request.id, { checkAt: plus(CREATED, i) });
    await store.setRoundBookkeeping(healthy.id, { checkAt: plus(CREATED, 300) });
    const start = workflow.start.bind(workflow);
    workflow.start = async (request, name) => {
      if (request.id !== healthy.id) throw unavailable();
      return start(request, name);
    };
    clock.advance(3600);
    const runs = [];
    for (let run = 0; run < 2 && !workflow.started.includes(healthy.id); run++) {
      runs.push(await reconcile(deps));
      clock.advance(60);
    }
    expect(workflow.started).toEqual([healthy.id]);
    expect(runs.length).toBeLessThanOrEqual(2);
    // Each failing one was tried once per run at most, reported, and moved behind the requests already due.
    expect(runs[0]?.failed).toHaveLength(200);
    for (const failure of runs[0]?.failed ?? [])
      expect(Date.parse(failure.nextCheckAt ?? '')).toBeGreaterThan(Date.parse(plus(CREATED, 300)));
  });

  test('a request whose repair keeps failing for itself backs off: its next check moves later, doubling from a minute up to an hour', async () => {
    const { deps, store, workflow, clock } = setup(pendingRequest({ createdAt: CREATED }));
    await store.setRoundBookkeeping(ID, { checkAt: CREATED });
    workflow.failStartWith = refused();
    const delays: number[] = [];
    for (let run = 0; run < 9; run++) {
      const { failed } = await reconcile(deps);
      expect(failed).toEqual([{ requestId: ID, error: 'ValidationException', failures: run + 1, nextCheckAt: checkAtOf(store) }]);
      delays.push((Date.parse(checkAtOf(store) ?? '') - Date.parse(clock.now())) / 1000);
      // Nothing is tried before the check is due.
      expect(await reconcile(deps)).toEqual({ repairs: [], failed: [] });
      clock.set(checkAtOf(store) ?? '');
    }
    expect(delays).toEqual([
      60,
      120,
      240,
      480,
      960,
      1920,
      REPAIR_BACKOFF_CAP_SECONDS,
      REPAIR_BACKOFF_CAP_SECONDS,
      REPAIR_BACKOFF_CAP_SECONDS,
    ]);
    // Once the repair works, the count starts again.
    workflow.failStartWith = undefined;
    expect((await reconcile(deps)).repairs).toEqual([{ requestId: ID, actions: ['started'] }]);
    expect(store.requests.get(ID)?.rounds.repairFailures).toBe(0);
  });
});
