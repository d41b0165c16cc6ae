/**
 * The rules behind the workflow's guarantees (docs/architecture.md: Guarantees and the reconciler), on in-memory stores with a
 * fake clock: reminders stop, an approver gets at most 21 emails, the first approval email goes
 * once even when an attempt overlaps another, an expiry is never swallowed, a create is never a
 * 500 once stored, and the reconciler repairs whatever the workflow left undone.
 */
import type { ApprovalRequest } from '../../../functions/domain/model';
import { MAX_REMINDERS } from '../../../functions/domain/model';
import { profileBodySchema } from '../../../functions/domain/profile';
import { isTransientAwsError } from '../../../functions/adapters/aws-errors';
import type { EventDeps, StepDeps } from '../../../functions/usecases/deps';
import { awaitDecision } from '../../../functions/usecases/workflow-steps/await-decision';
import { deliverCallback } from '../../../functions/usecases/workflow-steps/deliver-callback';
import { notifyOutcome } from '../../../functions/usecases/workflow-steps/notify-outcome';
import { planRound } from '../../../functions/usecases/workflow-steps/plan-round';
import { createApprovalRequest } from '../../../functions/lifecycle/create';
import { decideAsUser } from '../../../functions/lifecycle/decide';
import { deleteApprovalRequest } from '../../../functions/lifecycle/end';
import { reconcile } from '../../../functions/usecases/reconcile';
import type { Deps } from '../../../functions/usecases/ports';
import { alice, bob, carol, user } from '../../helpers/memory/fixtures';
import { type FakeClock, MemoryStore, type RecordingMailer, sequentialIds } from '../../helpers/memory/memory-store';
import { pendingRequest, REQUEST_ID } from '../../helpers/memory/requests';
import { MemoryDirectory } from '../../helpers/memory/memory-directory';
import { memoryStepDeps } from '../../helpers/memory/step-deps';

const ID = REQUEST_ID;
const CREATED = '2026-11-03T09:00:00.000Z';

function pending(overrides: Partial<ApprovalRequest> = {}): ApprovalRequest {
  return pendingRequest({
    remindAfter: 'PT1S',
    expireAfter: 'P360D',
    maxReminders: 20,
    createdAt: CREATED,
    expiresAt: new Date(Date.parse(CREATED) + 360 * 86400_000).toISOString(),
    ...overrides,
  });
}

function setup(request: ApprovalRequest | undefined = pending(), now = CREATED) {
  const store = request ? new MemoryStore(request) : new MemoryStore();
  const directory = MemoryDirectory.fromIdentities(alice, bob, carol, user('dave', ['approvers']));
  const { deps: stepDeps, workflow, mailer, clock, meter } = memoryStepDeps(store, { now, directory });
  const deps: StepDeps & Deps & Pick<EventDeps, 'isTransient'> = {
    ...stepDeps,
    repository: store,
    newId: sequentialIds(),
    isTransient: isTransientAwsError,
  };
  return { store, workflow, mailer, clock, deps, meter };
}

const emailsTo = (mailer: RecordingMailer, address: string) => mailer.sent.filter((email) => email.to === address);

/** Runs rounds as the workflow does: plan, wait (the clock moves by the planned wait), plan again. */
async function runRounds(deps: StepDeps, clock: FakeClock, rounds: number) {
  for (let round = 0; round < rounds; round++) {
    const plan = await planRound(deps, ID);
    if (plan.done) return;
    await awaitDecision(deps, ID, `token-${round}`, plan.waitSeconds);
    clock.advance(plan.waitSeconds);
  }
}

describe('the profile limits', () => {
  const body = { name: 'p', requireApprovalFor: [], approvers: [], requiredApprovals: 1, remindAfter: 'PT1S' };
  test('maxReminders defaults to 5 and must be 0..20', () => {
    expect(profileBodySchema.parse({ ...body, expireAfter: 'P1D' }).maxReminders).toBe(5);
    expect(profileBodySchema.safeParse({ ...body, expireAfter: 'P1D', maxReminders: 21 }).success).toBe(false);
    expect(profileBodySchema.safeParse({ ...body, expireAfter: 'P1D', maxReminders: -1 }).success).toBe(false);
    expect(profileBodySchema.safeParse({ ...body, expireAfter: 'P1D', maxReminders: 0 }).success).toBe(true);
  });

  test('expireAfter is at most P360D', () => {
    expect(profileBodySchema.safeParse({ ...body, expireAfter: 'P360D' }).success).toBe(true);
    const refused = profileBodySchema.safeParse({ ...body, expireAfter: 'P361D' });
    expect(refused.success).toBe(false);
    expect(JSON.stringify(refused.error?.issues)).toContain('P360D');
  });

  test('a request copies maxReminders from its profile', async () => {
    const { deps, store } = setup(undefined);
    await store.putProfile(
      'cards',
      profileBodySchema.parse({
        ...body,
        requireApprovalFor: ['card.request'],
        approvers: ['carol@example.com'],
        expireAfter: 'P1D',
        maxReminders: 2,
      }),
      CREATED,
    );
    const { request } = await createApprovalRequest(deps, alice, {
      kind: 'card.request',
      profileId: 'cards',
      subject: { holderId: 'h', cardProfile: 'p' },
    });
    expect(request.maxReminders).toBe(2);
  });
});

describe('reminders stop', () => {
  test('after maxReminders no more reminders: the next wait runs to the expiry', async () => {
    const { deps, clock, mailer } = setup(pending({ maxReminders: 2 }));
    await runRounds(deps, clock, 10);
    expect(emailsTo(mailer, 'bob@example.com').filter((email) => /Reminder/.test(email.subject))).toHaveLength(2);
  });

  test('whatever the profile says, one approver gets at most 21 emails from one request', async () => {
    // A stored request claiming more reminders than allowed (written by hand).
    const { deps, clock, mailer } = setup(pending({ maxReminders: 500 }));
    await runRounds(deps, clock, 200);
    expect(emailsTo(mailer, 'bob@example.com')).toHaveLength(1 + MAX_REMINDERS);
    expect(emailsTo(mailer, 'bob@example.com').length).toBeLessThanOrEqual(21);
  });
});

describe('the first approval email goes to each approver once', () => {
  test('an attempt that overlaps one still sending (the workflow step timing out, a retry) skips the approvers already claimed, and is deferred', async () => {
    const { deps, mailer, store } = setup(pending({ approvers: ['bob@example.com', 'carol@example.com', 'dave@example.com'] }));
    // The first attempt is slow: while it sends to bob, the workflow step times out and a second attempt runs.
    let overlapping: Promise<void> | undefined;
    const slowSend = deps.send;
    deps.send = async (email) => {
      overlapping ??= awaitDecision({ ...deps, send: slowSend }, ID, 'token-2', 60);
      await overlapping.catch(() => undefined);
      return slowSend(email);
    };
    await awaitDecision(deps, ID, 'token-1', 60);
    // The second attempt emailed carol and dave, met bob's unsettled claim and did not mark the round notified.
    await expect(overlapping).rejects.toMatchObject({ name: 'Approvals.EmailDeferred' });
    for (const approver of ['bob@example.com', 'carol@example.com', 'dave@example.com']) expect(emailsTo(mailer, approver)).toHaveLength(1);
    const notified = store.historyOf(ID).filter((entry) => entry.type === 'notified');
    expect(notified).toHaveLength(1);
    expect(notified[0]?.details).toMatchObject({ recipients: ['bob@example.com', 'carol@example.com', 'dave@example.com'] });
  });

  test('a claim left by an attempt that died before sending defers the round, and is taken over after a minute', async () => {
    const { deps, mailer, store, clock } = setup();
    await store.claimApprovalEmail(ID, 'bob@example.com', clock.now(), '1970-01-01T00:00:00.000Z');
    await expect(awaitDecision(deps, ID, 'token-1', 60)).rejects.toMatchObject({ name: 'Approvals.EmailDeferred' });
    expect(emailsTo(mailer, 'bob@example.com')).toHaveLength(0);
    expect(store.requests.get(ID)?.rounds.notifiedAt).toBeUndefined();
    // Still fresh: deferred again, nobody emailed twice.
    clock.advance(30);
    await expect(awaitDecision(deps, ID, 'token-2', 60)).rejects.toMatchObject({ name: 'Approvals.EmailDeferred' });
    // The workflow's retry after the claim went stale takes it over.
    clock.advance(31);
    await awaitDecision(deps, ID, 'token-3', 60);
    expect(emailsTo(mailer, 'bob@example.com')).toHaveLength(1);
    expect(emailsTo(mailer, 'carol@example.com')).toHaveLength(1);
    expect(store.requests.get(ID)?.rounds.notifiedAt).toBeDefined();
  });
});

describe('the expiry is never swallowed', () => {
  test('past its expiry a request takes no decision (hold included): 409', async () => {
    const { deps, clock } = setup(pending({ expireAfter: 'PT1H', expiresAt: '2026-11-03T10:00:00.000Z' }));
    clock.set('2026-11-03T10:00:00.000Z');
    await expect(decideAsUser(deps, carol, ID, { decision: 'hold' })).rejects.toMatchObject({ code: 'conflict' });
  });

  test('past its expiry a delete is refused too (409 saying it expired, nothing stored): the request ends expired, never deleted', async () => {
    const { deps, clock, store } = setup(pending({ expireAfter: 'PT1H', expiresAt: '2026-11-03T10:00:00.000Z' }));
    clock.set('2026-11-03T09:59:59.000Z');
    const before = store.current(ID);
    clock.set('2026-11-03T10:00:00.000Z');
    await expect(deleteApprovalRequest(deps, alice, ID)).rejects.toMatchObject({
      code: 'conflict',
      message: 'request expired at 2026-11-03T10:00:00.000Z',
    });
    expect(store.current(ID)).toEqual(before);
    expect(await planRound(deps, ID)).toMatchObject({ done: true });
    expect(store.current(ID)?.state).toBe('expired');
  });

  test('an expiry that keeps losing version races (writes behind its back) retries until the request is expired', async () => {
    const { deps, clock, store } = setup(pending({ expireAfter: 'PT1H', expiresAt: '2026-11-03T10:00:00.000Z' }));
    clock.set('2026-11-03T10:00:01.000Z');
    // Nine conflicting writes in a row (more than one changeRequest's own attempts).
    store.conflictsToSimulate = 9;
    expect(await planRound(deps, ID)).toMatchObject({ done: true });
    expect(store.current(ID)?.state).toBe('expired');
  });

  test('an expiry that loses to a decision leaves that decision standing', async () => {
    const { deps, clock, store } = setup(pending({ expireAfter: 'PT1H', expiresAt: '2026-11-03T10:00:00.000Z' }));
    clock.set('2026-11-03T10:00:01.000Z');
    store.beforeSave = () => {
      store.beforeSave = undefined;
      const stored = store.requests.get(ID);
      if (stored) stored.request = { ...stored.request, state: 'approved', version: stored.request.version + 1 };
    };
    expect(await planRound(deps, ID)).toMatchObject({ done: true });
    expect(store.current(ID)?.state).toBe('approved');
  });
});

describe('a stored request always gets its workflow', () => {
  test('a create whose workflow the outbox never started (its start failed past the retries) is started by the reconciler', async () => {
    const { deps, store, workflow, clock } = setup(undefined);
    await store.putProfile(
      'cards',
      profileBodySchema.parse({
        name: 'p',
        requireApprovalFor: ['card.request'],
        approvers: ['carol@example.com'],
        requiredApprovals: 1,
        remindAfter: 'PT1H',
        expireAfter: 'P1D',
      }),
      CREATED,
    );
    const { request } = await createApprovalRequest(deps, alice, {
      kind: 'card.request',
      profileId: 'cards',
      subject: { holderId: 'h', cardProfile: 'p' },
    });
    expect(store.current(request.id)?.state).toBe('requested');
    expect(workflow.names).toEqual([]);
    expect(await reconcile(deps)).toEqual({ repairs: [], failed: [] });
    clock.advance(5 * 60);
    const result = await reconcile(deps);
    expect(result.repairs).toEqual([{ requestId: request.id, actions: ['started'] }]);
    expect(workflow.started).toEqual([request.id]);
  });
});

describe('the reconciler', () => {
  test('a pending request past its expiry whose workflow died is expired and its outcome restarted', async () => {
    const { deps, store, workflow, clock } = setup(pending({ expireAfter: 'PT1H', expiresAt: '2026-11-03T10:00:00.000Z' }));
    await store.setRoundBookkeeping(ID, { checkAt: '2026-11-03T10:01:00.000Z', taskToken: 'dead-token' });
    workflow.statuses.set(ID, 'ended');
    clock.set('2026-11-03T10:01:00.000Z');
    const { repairs } = await reconcile(deps);
    expect(repairs).toEqual([{ requestId: ID, actions: ['expired', 'started'] }]);
    expect(store.current(ID)?.state).toBe('expired');
    // A dead execution waits for nothing: it is restarted, not told.
    expect(workflow.finished).toEqual([]);
    expect(workflow.names).toEqual([`${ID}-r1`]);
    // The restarted execution owns the request now: the next check describes it.
    expect(store.requests.get(ID)?.rounds.execution).toBe(`${ID}-r1`);
  });

  test('a running but late execution is left alone and looked at again, never later than the expiry', async () => {
    const { deps, store, workflow, clock } = setup(pending({ expireAfter: 'PT1H', expiresAt: '2026-11-03T10:00:00.000Z' }));
    await store.setRoundBookkeeping(ID, { checkAt: '2026-11-03T09:30:00.000Z' });
    workflow.statuses.set(ID, 'running');
    clock.set('2026-11-03T09:30:00.000Z');
    expect((await reconcile(deps)).repairs).toEqual([{ requestId: ID, actions: ['waiting'] }]);
    expect(store.requests.get(ID)?.rounds.checkAt).toBe('2026-11-03T09:45:00.000Z');
    expect(workflow.names).toEqual([]);
  });

  test('an ended request whose outcome email was never attempted gets a new execution; once notified it leaves the index', async () => {
    const { deps, store, workflow, clock, mailer } = setup(pending());
    await decideAsUser(deps, { ...carol, email: 'carol@example.com' }, ID, { decision: 'approve' });
    expect(store.requests.get(ID)?.rounds.checkAt).toBeDefined();
    clock.advance(5 * 60);
    expect((await reconcile(deps)).repairs).toEqual([{ requestId: ID, actions: ['started'] }]);
    expect(workflow.names).toEqual([`${ID}-r1`]);
    // The restarted execution notifies the outcome (the reconciler started it; here the step runs by hand).
    await notifyOutcome(deps, ID);
    expect(emailsTo(mailer, 'alice@example.com')).toHaveLength(1);
    expect(store.requests.get(ID)?.rounds.checkAt).toBeUndefined();
    clock.advance(3600);
    expect(await reconcile(deps)).toEqual({ repairs: [], failed: [] });
  });

  test('a callback still owed keeps the request watched until delivered or given up', async () => {
    const { deps, store, clock } = setup(pending({ callbackUrl: 'https://calling.example/hook', client: 'billing-system' }));
    await decideAsUser(deps, carol, ID, { decision: 'approve' });
    expect(await notifyOutcome(deps, ID)).toEqual({ callback: true });
    expect(store.requests.get(ID)?.rounds.checkAt).toBeDefined();
    await deliverCallback(deps, ID);
    expect(store.requests.get(ID)?.rounds.checkAt).toBeUndefined();
    clock.advance(86400);
    expect(await reconcile(deps)).toEqual({ repairs: [], failed: [] });
  });

  test('one failing repair does not stop the others, and is reported', async () => {
    const { deps, store, workflow, clock } = setup(pending());
    const other = pending({ id: '00000000-0000-4000-8000-000000000009' });
    store.requests.set(other.id, { request: other, rounds: { checkAt: CREATED } });
    await store.setRoundBookkeeping(ID, { checkAt: CREATED });
    clock.advance(60);
    const start = workflow.start.bind(workflow);
    workflow.start = async (request, name) => {
      if (request.id === ID) throw Object.assign(new Error('down'), { name: 'ServiceUnavailable' });
      return start(request, name);
    };
    const result = await reconcile(deps);
    // Reported with its count of failures in a row; a transient failure is tried again at the next run.
    expect(result.failed).toEqual([{ requestId: ID, error: 'ServiceUnavailable', failures: 1, nextCheckAt: clock.now() }]);
    expect(result.repairs).toEqual([{ requestId: other.id, actions: ['started'] }]);
  });
});

test('a request its requester deleted owes no outcome email: once its callback is delivered the reconciler forgets it', async () => {
  const { deps, store, clock, workflow } = setup(pending({ callbackUrl: 'https://calling.example/hook', client: 'billing-system' }));
  const { deleteApprovalRequest } = await import('../../../functions/lifecycle/end');
  await deleteApprovalRequest(deps, alice, ID);
  expect(await notifyOutcome(deps, ID)).toEqual({ callback: true });
  await deliverCallback(deps, ID);
  expect(store.requests.get(ID)?.rounds.checkAt).toBeUndefined();
  clock.advance(3600);
  expect(await reconcile(deps)).toEqual({ repairs: [], failed: [] });
  expect(workflow.names).toEqual([]);
});
