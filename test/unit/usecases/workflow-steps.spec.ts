import type { ApprovalRequest } from '../../../functions/domain/model';
import { EmailDeferred } from '../../../functions/usecases/closing-emails';
import { EmailFailed } from '../../../functions/usecases/senders';
import { awaitDecision } from '../../../functions/usecases/workflow-steps/await-decision';
import { CallbackFailed, deliverCallback } from '../../../functions/usecases/workflow-steps/deliver-callback';
import { notifyOutcome } from '../../../functions/usecases/workflow-steps/notify-outcome';
import { planRound } from '../../../functions/usecases/workflow-steps/plan-round';
import { alice, bob, carol } from '../../helpers/memory/fixtures';
import { MemoryDirectory } from '../../helpers/memory/memory-directory';
import { MemoryStore, type RecordingCallbacks } from '../../helpers/memory/memory-store';
import { pendingRequest, REQUEST_ID } from '../../helpers/memory/requests';
import { memoryStepDeps } from '../../helpers/memory/step-deps';

const ID = REQUEST_ID;
const CREATED = '2026-11-03T09:00:00.000Z';

function pending(overrides: Partial<ApprovalRequest> = {}): ApprovalRequest {
  return pendingRequest({
    requiredApprovals: 2,
    remindAfter: 'PT4H',
    expireAfter: 'PT12H',
    createdAt: CREATED,
    expiresAt: '2026-11-03T21:00:00.000Z',
    ...overrides,
  });
}

function setup(request = pending(), now = '2026-11-03T09:00:01.000Z') {
  const store = new MemoryStore(request);
  const directory = MemoryDirectory.fromIdentities(alice, bob, carol);
  const { deps, workflow, mailer, clock, meter, callbacks } = memoryStepDeps(store, { now, directory });
  return {
    store,
    workflow,
    mailer,
    clock,
    deps,
    meter,
    directory,
    calls: callbacks.calls,
    answerWith: (status: number) => (callbacks.status = status),
  };
}

const types = (store: MemoryStore) => store.historyOf(ID).map((entry) => entry.type);

describe('planning a round', () => {
  test('before the first reminder is due it waits until then and sends nothing', async () => {
    const { deps, mailer } = setup();
    expect(await planRound(deps, ID)).toMatchObject({ done: false, waitSeconds: 4 * 3600 - 1 });
    expect(mailer.sent).toEqual([]);
  });

  test('a due reminder goes to the approvers who have not approved, and the next one is planned', async () => {
    const approvals = [{ by: { id: 'email:bob@example.com', email: 'bob@example.com' }, at: CREATED }];
    const { deps, store, mailer, clock, meter } = setup(pending({ approvals }));
    await store.setRoundBookkeeping(ID, { notifiedAt: CREATED });
    clock.set('2026-11-03T13:00:05.000Z');
    const plan = await planRound(deps, ID);
    expect(mailer.sent.map((email) => [email.to, email.tags.purpose])).toEqual([['carol@example.com', 'reminder']]);
    expect(mailer.sent[0]?.subject).toMatch(/Reminder/);
    expect((await store.getRequest(ID))?.rounds).toMatchObject({ nextReminderAt: '2026-11-03T17:00:00.000Z', reminders: 1 });
    expect(types(store)).toEqual(['reminded']);
    expect(meter.names()).toEqual(['reminderSent']);
    expect(plan).toMatchObject({ done: false, waitSeconds: 4 * 3600 - 5 });
  });

  test('the wait never runs past the expiry', async () => {
    const { deps, store, clock } = setup();
    await store.setRoundBookkeeping(ID, { notifiedAt: CREATED, nextReminderAt: '2026-11-03T23:00:00.000Z' });
    clock.set('2026-11-03T20:00:00.000Z');
    expect(await planRound(deps, ID)).toMatchObject({ done: false, waitSeconds: 3600 });
  });

  test('at its expiry the request is expired and the workflow is done, telling no wait (the round planning has none)', async () => {
    const { deps, store, clock, workflow } = setup();
    await store.setRoundBookkeeping(ID, { notifiedAt: CREATED, taskToken: 'token-1' });
    clock.set('2026-11-03T21:00:00.000Z');
    expect(await planRound(deps, ID)).toEqual({ done: true, waitSeconds: 1, basis: '' });
    expect(store.current(ID)).toMatchObject({ state: 'expired', decision: { decision: 'expired', by: { id: 'workflow' } } });
    expect(workflow.finished).toEqual([]);
  });

  test('an ended or missing request ends the workflow without a write', async () => {
    const { deps, store } = setup(pending({ state: 'approved' }));
    expect(await planRound(deps, ID)).toEqual({ done: true, waitSeconds: 1, basis: '' });
    expect(await planRound(deps, '00000000-0000-4000-8000-000000000009')).toEqual({ done: true, waitSeconds: 1, basis: '' });
    expect(store.saved).toEqual([]);
  });
});

describe('only approvers who may still decide get emails with links', () => {
  test('the first approval email skips a listed approver taken out of the approvers group, and the notified entry says so', async () => {
    const { deps, store, mailer, directory } = setup();
    directory.removeFromGroup('bob', 'approvers');
    await awaitDecision(deps, ID, 'token-1');
    expect(mailer.sent.map((email) => email.to)).toEqual(['carol@example.com']);
    expect(store.historyOf(ID)).toEqual([
      expect.objectContaining({
        type: 'notified',
        details: {
          recipients: ['carol@example.com'],
          skipped: ['bob@example.com'],
          subject: 'Approval needed: Request a smart card requested by alice@example.com [6f1c2b9e]',
        },
      }),
    ]);
  });

  test('a reminder skips an approver disabled in the directory, and one who approved under another address', async () => {
    const request = pending({
      approvers: ['bob@example.com', 'carol@example.com', 'dave@example.com'],
      approvals: [{ by: { id: 'dave', email: 'd.old@example.com' }, at: CREATED }],
    });
    const { deps, store, mailer, clock, directory } = setup(request);
    directory.put({ sub: 'dave', email: 'dave@example.com', groups: ['approvers'] }).disable('carol');
    await store.setRoundBookkeeping(ID, { notifiedAt: CREATED });
    clock.set('2026-11-03T13:00:05.000Z');
    await planRound(deps, ID);
    expect(mailer.sent.map((email) => email.to)).toEqual(['bob@example.com']);
    expect(store.historyOf(ID)).toEqual([
      expect.objectContaining({
        type: 'reminded',
        details: expect.objectContaining({ recipients: ['bob@example.com'], skipped: ['carol@example.com'] }),
      }),
    ]);
  });

  test('nobody gets a link to approve a request they requested or hold, whatever the directory says now', async () => {
    const { deps, mailer } = setup(pending({ subject: { holderId: 'carol', cardProfile: 'PIV' } }));
    await awaitDecision(deps, ID, 'token-1');
    expect(mailer.sent.map((email) => email.to)).toEqual(['bob@example.com']);
  });
});

describe('awaiting a decision', () => {
  test('stores the task token and emails each approver once, with their own links', async () => {
    const { deps, store, mailer } = setup();
    await awaitDecision(deps, ID, 'token-1');
    await awaitDecision(deps, ID, 'token-2');
    expect(mailer.sent.map((email) => email.to)).toEqual(['bob@example.com', 'carol@example.com']);
    expect(mailer.sent[0]?.text).toContain('Approve: https://x/approve/bob@example.com');
    expect((await store.getRequest(ID))?.rounds).toMatchObject({ taskToken: 'token-2', notifiedAt: '2026-11-03T09:00:01.000Z' });
    expect(types(store)).toEqual(['notified']);
  });

  test('when this attempt emailed every approver, the notified entry names them all without reading the request again', async () => {
    const { deps, store } = setup();
    const reads = jest.spyOn(store, 'getRequest');
    await awaitDecision(deps, ID, 'token-1');
    expect(reads).toHaveBeenCalledTimes(1);
    expect(store.historyOf(ID)).toEqual([
      expect.objectContaining({
        type: 'notified',
        details: {
          recipients: ['bob@example.com', 'carol@example.com'],
          subject: 'Approval needed: Request a smart card requested by alice@example.com [6f1c2b9e]',
        },
      }),
    ]);
  });

  test('when an earlier attempt emailed some approvers, the notified entry still names every approver emailed', async () => {
    const { deps, mailer, store } = setup();
    mailer.failFor = (email) => (email.to === 'carol@example.com' ? new EmailFailed('ThrottlingException', true) : undefined);
    await expect(awaitDecision(deps, ID, 'token-1')).rejects.toBeInstanceOf(EmailDeferred);
    mailer.failFor = undefined;
    await awaitDecision(deps, ID, 'token-2');
    expect(store.historyOf(ID)).toEqual([
      expect.objectContaining({
        type: 'notified',
        details: {
          recipients: ['bob@example.com', 'carol@example.com'],
          subject: 'Approval needed: Request a smart card requested by alice@example.com [6f1c2b9e]',
        },
      }),
    ]);
  });

  test('a request decided before the task token could be stored ends the wait at once with its outcome', async () => {
    const { deps, workflow, mailer } = setup(pending({ state: 'approved' }));
    await awaitDecision(deps, ID, 'token-late');
    expect(workflow.finished).toEqual([{ taskToken: 'token-late', outcome: 'approved' }]);
    expect(mailer.sent).toEqual([]);
  });

  test('a missing request ends the wait as deleted', async () => {
    const { deps, workflow } = setup();
    await awaitDecision(deps, '00000000-0000-4000-8000-000000000009', 'token-x');
    expect(workflow.finished).toEqual([{ taskToken: 'token-x', outcome: 'deleted' }]);
  });

  test('SES throttling defers the round; the retry emails only the approvers still waiting', async () => {
    const { deps, mailer, store } = setup();
    let throttled = false;
    mailer.failFor = (email) => {
      if (email.to !== 'carol@example.com' || throttled) return undefined;
      throttled = true;
      return new EmailFailed('ThrottlingException', true);
    };
    await expect(awaitDecision(deps, ID, 'token-1')).rejects.toBeInstanceOf(EmailDeferred);
    await awaitDecision(deps, ID, 'token-2');
    expect(mailer.sent.map((email) => email.to)).toEqual(['bob@example.com', 'carol@example.com']);
    expect(types(store)).toEqual(['notified']);
  });

  test('a refused address is recorded and the other approvers still get theirs', async () => {
    const { deps, mailer, store, meter } = setup();
    mailer.failFor = (email) => (email.to === 'bob@example.com' ? new EmailFailed('MessageRejected', false) : undefined);
    await awaitDecision(deps, ID, 'token-1');
    expect(mailer.sent.map((email) => email.to)).toEqual(['carol@example.com']);
    expect(meter.names()).toEqual(['emailFailed']);
    expect(store.historyOf(ID)[0]).toMatchObject({
      type: 'notification-failed',
      details: { recipient: 'bob@example.com', error: 'MessageRejected' },
    });
  });
});

describe('after the outcome', () => {
  const rejected = () =>
    pending({
      state: 'rejected',
      decision: { decision: 'rejected', by: { id: 'bob', email: 'bob@example.com' }, at: CREATED, reason: 'no' },
    });

  test('the requester is emailed once, and a callback is due when the request has a callbackUrl', async () => {
    const { deps, mailer } = setup(pending({ ...rejected(), callbackUrl: 'https://calling.example/hook', client: 'billing-system' }));
    expect(await notifyOutcome(deps, ID)).toEqual({ callback: true });
    expect(await notifyOutcome(deps, ID)).toEqual({ callback: true });
    expect(mailer.sent.map((email) => [email.to, email.tags.purpose])).toEqual([['alice@example.com', 'outcome']]);
  });

  test('an outcome email SES cannot take now is retried, not given up: the next attempt sends it', async () => {
    const { deps, mailer, store } = setup(rejected());
    mailer.failFor = () => new EmailFailed('TooManyRequestsException', true);
    await expect(notifyOutcome(deps, ID)).rejects.toMatchObject({ name: 'Approvals.EmailDeferred' });
    expect((await store.getRequest(ID))?.rounds.outcomeNotifiedAt).toBeUndefined();
    mailer.failFor = undefined;
    expect(await notifyOutcome(deps, ID)).toEqual({ callback: false });
    expect(mailer.sent.map((email) => [email.to, email.tags.purpose])).toEqual([['alice@example.com', 'outcome']]);
  });

  test('an outcome email to an address SES refuses is recorded and not retried', async () => {
    const { deps, mailer, store } = setup(rejected());
    mailer.failFor = () => new EmailFailed('MessageRejected', false);
    expect(await notifyOutcome(deps, ID)).toEqual({ callback: false });
    expect((await store.getRequest(ID))?.rounds.outcomeNotifiedAt).toBeDefined();
  });

  test('without a callback, the outcome notification, its history entry and the end of the checks are one write', async () => {
    const { deps, store } = setup(rejected());
    await store.setRoundBookkeeping(ID, { checkAt: '2026-11-03T10:00:00.000Z' });
    const writes = jest.spyOn(store, 'setRoundBookkeeping');
    const appends = jest.spyOn(store, 'appendHistory');
    expect(await notifyOutcome(deps, ID)).toEqual({ callback: false });
    expect(writes).toHaveBeenCalledTimes(1);
    expect(appends).not.toHaveBeenCalled();
    expect(writes).toHaveBeenCalledWith(
      ID,
      { outcomeNotifiedAt: expect.any(String), checkAt: null },
      { history: [undefined, expect.objectContaining({ type: 'notified', details: expect.objectContaining({ purpose: 'outcome' }) })] },
    );
    expect((await store.getRequest(ID))?.rounds).toMatchObject({ outcomeNotifiedAt: expect.any(String) });
    expect((await store.getRequest(ID))?.rounds.checkAt).toBeUndefined();
  });

  test('with a callback still owed, the checks go on after the outcome notification', async () => {
    const { deps, store } = setup(pending({ ...rejected(), callbackUrl: 'https://calling.example/hook', client: 'billing-system' }));
    await store.setRoundBookkeeping(ID, { checkAt: '2026-11-03T10:00:00.000Z' });
    expect(await notifyOutcome(deps, ID)).toEqual({ callback: true });
    expect((await store.getRequest(ID))?.rounds.checkAt).toBe('2026-11-03T10:00:00.000Z');
  });

  test('a requester who deleted their own request gets no email', async () => {
    const deleted = pending({
      state: 'deleted',
      decision: { decision: 'deleted', by: { id: 'alice', email: 'alice@example.com' }, at: CREATED },
    });
    const { deps, mailer } = setup(deleted);
    expect(await notifyOutcome(deps, ID)).toEqual({ callback: false });
    expect(mailer.sent).toEqual([]);
  });

  test("the callback is the outcome event, signed with the calling system's key, recorded once delivered", async () => {
    const { deps, calls, store } = setup(pending({ ...rejected(), callbackUrl: 'https://calling.example/hook', client: 'billing-system' }));
    expect(await deliverCallback(deps, ID)).toEqual({ status: 204 });
    expect(calls).toEqual([
      {
        url: 'https://calling.example/hook',
        event: expect.objectContaining({
          type: 'request.rejected',
          client: 'billing-system',
          request: expect.objectContaining({ id: ID }),
        }),
        // Signed with the key of the calling system that created the request, at the step's time.
        key: { keyId: 'k1', secret: 'key-of-billing-system' },
        at: '2026-11-03T09:00:01.000Z',
      },
    ]);
    expect(types(store)).toEqual(['callback-delivered']);
    expect(await deliverCallback(deps, ID)).toEqual({});
    expect(calls).toHaveLength(1);
  });

  test('no answer (the network, a timeout) fails the attempt, for the workflow to retry', async () => {
    const { deps, store, meter } = setup(pending({ ...rejected(), callbackUrl: 'https://calling.example/hook', client: 'billing-system' }));
    (deps.callbacks as RecordingCallbacks).failWith = Object.assign(new Error('timed out'), { name: 'TimeoutError' });
    await expect(deliverCallback(deps, ID)).rejects.toThrow(new CallbackFailed('callback not delivered: TimeoutError'));
    // Each failed attempt is recorded (the evidence of what the calling system was sent).
    expect(store.historyOf(ID).map((entry) => [entry.type, entry.details])).toEqual([
      ['callback-attempt-failed', { type: 'request.rejected', error: 'TimeoutError' }],
    ]);
    expect(meter.names()).toEqual(['callbackFailed']);
  });

  test('an answer other than 2xx fails the attempt, for the workflow to retry', async () => {
    const { deps, answerWith, store, meter } = setup(
      pending({ ...rejected(), callbackUrl: 'https://calling.example/hook', client: 'billing-system' }),
    );
    answerWith(503);
    await expect(deliverCallback(deps, ID)).rejects.toBeInstanceOf(CallbackFailed);
    await expect(deliverCallback(deps, ID)).rejects.toBeInstanceOf(CallbackFailed);
    expect(store.historyOf(ID).map((entry) => [entry.type, entry.details])).toEqual([
      ['callback-attempt-failed', { type: 'request.rejected', status: 503 }],
      ['callback-attempt-failed', { type: 'request.rejected', status: 503 }],
    ]);
    expect(meter.names()).toEqual(['callbackFailed', 'callbackFailed']);
  });

  test('a redirect (3xx) does not count as delivered', async () => {
    const { deps, answerWith, store, meter } = setup(
      pending({ ...rejected(), callbackUrl: 'https://calling.example/hook', client: 'billing-system' }),
    );
    answerWith(307);
    await expect(deliverCallback(deps, ID)).rejects.toThrow('callback answered 307');
    expect(types(store)).toEqual(['callback-attempt-failed']);
    expect(meter.names()).toEqual(['callbackFailed']);
  });

  test('when the workflow gives up, the history says so and nothing is sent', async () => {
    const { deps, calls, store, meter } = setup(
      pending({ ...rejected(), callbackUrl: 'https://calling.example/hook', client: 'billing-system' }),
    );
    await deliverCallback(deps, ID, true);
    expect(meter.names()).toEqual(['callbackAbandoned']);
    expect(calls).toEqual([]);
    expect(types(store)).toEqual(['callback-failed']);
  });
});
