import fc from 'fast-check';
import type { ApprovalRequest } from '../../../functions/domain/model';
import { decide } from '../../../functions/domain/rules';
import { changeRequest } from '../../../functions/lifecycle/change';
import { EmailFailed } from '../../../functions/usecases/senders';
import { awaitDecision } from '../../../functions/usecases/workflow-steps/await-decision';
import { notifyOutcome } from '../../../functions/usecases/workflow-steps/notify-outcome';
import { MemoryStore, type RecordingMailer } from '../../helpers/memory/memory-store';
import { pendingRequest, REQUEST_ID } from '../../helpers/memory/requests';
import { memoryStepDeps } from '../../helpers/memory/step-deps';

const ID = REQUEST_ID;
const CREATED = '2026-11-03T09:00:00.000Z';
const DECIDED = '2026-11-03T10:00:00.000Z';
const BOB = 'bob@example.com';
const CAROL = 'carol@example.com';
const DAVE = 'dave@example.com';
const ERIN = 'erin@example.com';

function ended(overrides: Partial<ApprovalRequest> = {}): ApprovalRequest {
  return pendingRequest({
    approvers: [BOB, CAROL, DAVE, ERIN],
    state: 'rejected',
    decision: { decision: 'rejected', by: { id: 'bob', email: BOB }, at: DECIDED, reason: 'no' },
    createdAt: CREATED,
    ...overrides,
  });
}

/**
 * A store holding `request`, whose first approval email went to `emailed` (and `reminders` reminders
 * each, the last numbered `highest`: an approver who joined late had fewer than the request sent).
 */
async function setup(request: ApprovalRequest, emailed: string[] = request.approvers, reminders = 0, highest = reminders) {
  const store = new MemoryStore(request);
  const each = (value: number) => Object.fromEntries(emailed.map((approver) => [approver, value]));
  await store.setRoundBookkeeping(ID, {
    notifiedAt: CREATED,
    approvalEmails: Object.fromEntries(emailed.map((approver) => [approver, `sent:${CREATED}`])),
    ...(reminders ? { reminderClaims: each(highest), reminderCounts: each(reminders) } : {}),
  });
  const { deps, mailer, clock } = memoryStepDeps(store, { now: '2026-11-03T10:00:01.000Z' });
  return { store, mailer, deps, clock };
}

const closings = (mailer: RecordingMailer) =>
  mailer.sent
    .filter((email) => email.tags.purpose === 'closing')
    .map((email) => email.to)
    .sort();
const closingEntries = (store: MemoryStore) =>
  store.historyOf(ID).filter((entry) => entry.type === 'notified' && entry.details?.purpose === 'closing');

describe('the closing email', () => {
  test('a decision ending the request while its first approval emails go out: nobody is asked after it, and those emailed or being emailed are told', async () => {
    const store = new MemoryStore(pendingRequest({ approvers: [BOB, CAROL, DAVE, ERIN], requiredApprovals: 2, createdAt: CREATED }));
    const { deps, mailer } = memoryStepDeps(store, { now: DECIDED });
    let ended = false;
    const send: typeof deps.send = async (email) => {
      if (email.to === CAROL && !ended) {
        ended = true;
        // Erin rejects in the console while Carol's email is on its way: the outbox ends the wait,
        // and the workflow notifies the outcome while this step is still sending.
        const reject = { decision: 'reject' as const, reason: 'not now' };
        await changeRequest(deps, ID, (current, now) => decide(current, { id: 'erin', email: ERIN }, reject, now));
        await notifyOutcome(deps, ID);
      }
      return mailer.send(email);
    };
    await awaitDecision({ ...deps, send }, ID, 'token-1');
    const to = (purpose: string) =>
      mailer.sent
        .filter((email) => email.tags.purpose === purpose)
        .map((email) => email.to)
        .sort();
    expect(to('approval')).toEqual([BOB, CAROL]);
    expect(to('closing')).toEqual([BOB, CAROL]);
  });

  test('goes to each emailed approver who did not decide, not to the one who rejected nor to one who approved; the requester gets the outcome', async () => {
    const request = ended({ approvals: [{ by: { id: 'dave', email: DAVE }, at: CREATED }] });
    const { deps, mailer, store } = await setup(request);
    expect(await notifyOutcome(deps, ID)).toEqual({ callback: false });
    expect(closings(mailer)).toEqual([CAROL, ERIN]);
    expect(mailer.sent.filter((email) => email.tags.purpose === 'outcome').map((email) => email.to)).toEqual(['alice@example.com']);
    expect(closingEntries(store)).toEqual([
      expect.objectContaining({
        actor: expect.objectContaining({ id: 'workflow' }),
        details: {
          recipients: [CAROL, ERIN],
          purpose: 'closing',
          state: 'rejected',
          subject: 'Closed (rejected): Request a smart card [6f1c2b9e]',
        },
      }),
    ]);
  });

  test('an approver who only put the request on hold did not decide its outcome: they get it', async () => {
    const hold = { by: { id: 'carol', email: CAROL }, at: CREATED, comment: 'checking' };
    const { deps, mailer } = await setup(ended({ hold, onHold: true }));
    await notifyOutcome(deps, ID);
    expect(closings(mailer)).toContain(CAROL);
  });

  test('an approver never emailed about it (the first email skipped or failed) gets none', async () => {
    const { deps, mailer, store } = await setup(ended(), [CAROL]);
    await store.setRoundBookkeeping(ID, { approvalEmails: { [CAROL]: `sent:${CREATED}`, [DAVE]: `failed:${CREATED}` } });
    await notifyOutcome(deps, ID);
    expect(closings(mailer)).toEqual([CAROL]);
  });

  test('a request the requester deleted, or one that expired, closes for every emailed approver', async () => {
    for (const decision of [
      { decision: 'deleted' as const, by: { id: 'alice', email: 'alice@example.com' }, at: DECIDED },
      { decision: 'expired' as const, by: { id: 'workflow' }, at: DECIDED },
    ]) {
      const { deps, mailer } = await setup(ended({ state: decision.decision, decision }));
      await notifyOutcome(deps, ID);
      expect(closings(mailer)).toEqual([BOB, CAROL, DAVE, ERIN]);
    }
  });

  test('goes out once per approver however often the step runs, and after a deferred attempt only to those not yet emailed', async () => {
    const { deps, mailer } = await setup(ended());
    let calls = 0;
    // SES takes the first closing email, then throttles once: the step is deferred and retried.
    mailer.failFor = () => (++calls === 2 ? new EmailFailed('ThrottlingException', true) : undefined);
    await expect(notifyOutcome(deps, ID)).rejects.toMatchObject({ name: 'Approvals.EmailDeferred' });
    expect(closings(mailer)).toEqual([CAROL]);
    await notifyOutcome(deps, ID);
    await notifyOutcome(deps, ID);
    expect(closings(mailer)).toEqual([CAROL, DAVE, ERIN]);
    expect(mailer.sent.filter((email) => email.tags.purpose === 'outcome')).toHaveLength(1);
  });

  test('one entry records them all, across a deferred attempt; an attempt that dies before writing it loses none: the retry records them', async () => {
    const { deps, mailer, store } = await setup(ended());
    let calls = 0;
    mailer.failFor = () => (++calls === 2 ? new EmailFailed('ThrottlingException', true) : undefined);
    await expect(notifyOutcome(deps, ID)).rejects.toMatchObject({ name: 'Approvals.EmailDeferred' });
    expect(closingEntries(store)).toEqual([]);
    // The next attempt sends the rest, then dies writing its bookkeeping and entries (one transaction).
    const write = store.setRoundBookkeeping.bind(store);
    store.setRoundBookkeeping = async () => {
      store.setRoundBookkeeping = write;
      throw Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' });
    };
    await expect(notifyOutcome(deps, ID)).rejects.toThrow('throttled');
    expect(closingEntries(store)).toEqual([]);
    await notifyOutcome(deps, ID);
    expect(closings(mailer)).toEqual([CAROL, DAVE, ERIN]);
    expect(closingEntries(store).map((entry) => entry.details?.recipients)).toEqual([[CAROL, DAVE, ERIN]]);
  });

  test('an attempt that died after claiming an approver: no second email while the claim is fresh, deferred, and sent once it is stale', async () => {
    const { deps, mailer, store, clock } = await setup(ended());
    await store.claimClosingEmail(ID, CAROL, deps.now(), '2026-11-03T09:59:00.000Z');
    await expect(notifyOutcome(deps, ID)).rejects.toMatchObject({ name: 'Approvals.EmailDeferred' });
    expect(closings(mailer)).toEqual([DAVE, ERIN]);
    // The requester is told only once every closing email went out.
    expect(mailer.sent.filter((email) => email.tags.purpose === 'outcome')).toHaveLength(0);
    clock.advance(61);
    await notifyOutcome(deps, ID);
    expect(closings(mailer)).toEqual([CAROL, DAVE, ERIN]);
    expect(mailer.sent.filter((email) => email.tags.purpose === 'outcome')).toHaveLength(1);
  });

  test('counts toward the 21 emails per approver: one who had 21 gets none (recorded once, across retries), one who had 20 gets the 21st', async () => {
    const full = await setup(ended(), [CAROL], 20);
    full.mailer.failFor = (email) => (email.tags.purpose === 'outcome' ? new EmailFailed('ServiceUnavailable', true) : undefined);
    await expect(notifyOutcome(full.deps, ID)).rejects.toMatchObject({ name: 'Approvals.EmailDeferred' });
    full.mailer.failFor = undefined;
    await notifyOutcome(full.deps, ID);
    expect(closings(full.mailer)).toEqual([]);
    expect(closingEntries(full.store)).toEqual([
      expect.objectContaining({ details: { recipients: [], purpose: 'closing', state: 'rejected', overLimit: [CAROL] } }),
    ]);
    const room = await setup(ended(), [CAROL], 19);
    await notifyOutcome(room.deps, ID);
    expect(closings(room.mailer)).toEqual([CAROL]);
  });

  test('counts the reminders an approver had, not the number of the last: one who joined late (reminder 20, their second email) gets it', async () => {
    const { deps, mailer, store } = await setup(ended(), [CAROL], 1, 20);
    await notifyOutcome(deps, ID);
    expect(closings(mailer)).toEqual([CAROL]);
    expect(closingEntries(store).map((entry) => entry.details)).toEqual([expect.not.objectContaining({ overLimit: expect.anything() })]);
  });

  test('a refused address is recorded and the others still get theirs', async () => {
    const { deps, mailer, store } = await setup(ended());
    mailer.failFor = (email) => (email.to === CAROL ? new EmailFailed('MessageRejected', false) : undefined);
    await notifyOutcome(deps, ID);
    expect(closings(mailer)).toEqual([DAVE, ERIN]);
    expect(store.historyOf(ID)).toContainEqual(
      expect.objectContaining({ type: 'notification-failed', details: { recipient: CAROL, purpose: 'closing', error: 'MessageRejected' } }),
    );
  });

  test('under any run of transient SES failures and retries, each undecided approver gets exactly one and the requester one outcome email', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.boolean(), { maxLength: 30 }), fc.subarray([BOB, CAROL, DAVE, ERIN]), async (failures, approved) => {
        const approvals = approved.map((email) => ({ by: { id: email, email }, at: CREATED }));
        const { deps, mailer } = await setup(ended({ approvals }));
        const plan = [...failures];
        mailer.failFor = () => (plan.shift() ? new EmailFailed('ServiceUnavailable', true) : undefined);
        for (let attempt = 0; attempt < 40; attempt++) {
          try {
            await notifyOutcome(deps, ID);
          } catch (error) {
            expect(error).toMatchObject({ name: 'Approvals.EmailDeferred' });
          }
        }
        const undecided = [CAROL, DAVE, ERIN].filter((approver) => !approved.includes(approver));
        expect(closings(mailer)).toEqual(undecided);
        expect(mailer.sent.filter((email) => email.tags.purpose === 'outcome')).toHaveLength(1);
      }),
      { numRuns: 60 },
    );
  });
});
