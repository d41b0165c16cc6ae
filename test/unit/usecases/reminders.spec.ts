import type { ApprovalRequest } from '../../../functions/domain/model';
import { remindApprovers } from '../../../functions/usecases/reminders';
import { planRound } from '../../../functions/usecases/workflow-steps/plan-round';
import { alice, bob, carol } from '../../helpers/memory/fixtures';
import { MemoryDirectory } from '../../helpers/memory/memory-directory';
import { MemoryStore } from '../../helpers/memory/memory-store';
import { pendingRequest, REQUEST_ID } from '../../helpers/memory/requests';
import { memoryStepDeps } from '../../helpers/memory/step-deps';

const ID = REQUEST_ID;
const CREATED = '2026-11-03T09:00:00.000Z';
const NOTIFIED = '2026-11-03T09:00:02.000Z';

function setup(overrides: Partial<ApprovalRequest> = {}, now = '2026-11-03T10:00:02.000Z') {
  const request = pendingRequest({ remindAfter: 'PT1H', expireAfter: 'P1D', maxReminders: 1, createdAt: CREATED, ...overrides });
  const store = new MemoryStore(request);
  const directory = MemoryDirectory.fromIdentities(alice, bob, carol);
  const { deps, mailer, clock } = memoryStepDeps(store, { now, directory });
  return { store, deps: { ...deps, repository: store }, mailer, clock };
}

test('the requester reminds the awaited approvers once remindAfter has passed since the last email', async () => {
  const { store, deps, mailer } = setup({
    approvals: [{ by: { id: 'bob', email: 'bob@example.com' }, at: CREATED }],
    requiredApprovals: 2,
  });
  await store.setRoundBookkeeping(ID, { notifiedAt: NOTIFIED });
  const answer = await remindApprovers(deps, alice, ID);
  expect(answer).toEqual({ sent: true, recipients: ['carol@example.com'], skipped: [], nextAllowedAt: '2026-11-03T11:00:02.000Z' });
  expect(mailer.sent.map((email) => [email.to, email.tags.purpose])).toEqual([['carol@example.com', 'reminder']]);
  expect(mailer.sent[0]?.subject).toMatch(/Reminder/);
  expect(store.requests.get(ID)?.rounds).toMatchObject({ reminders: 1, requesterReminders: 1, lastEmailAt: '2026-11-03T10:00:02.000Z' });
  expect(store.historyOf(ID).at(-1)).toMatchObject({
    type: 'reminded',
    actor: { id: 'alice', email: 'alice@example.com' },
    details: { recipients: ['carol@example.com'], requestedBy: 'requester' },
  });
});

test('sooner than remindAfter after the last email is refused with the seconds to wait, and nothing is sent', async () => {
  const { store, deps, mailer, clock } = setup({}, '2026-11-03T09:30:02.000Z');
  await store.setRoundBookkeeping(ID, { notifiedAt: NOTIFIED });
  expect(await remindApprovers(deps, alice, ID)).toEqual({
    sent: false,
    retryAfterSeconds: 1800,
    nextAllowedAt: '2026-11-03T10:00:02.000Z',
  });
  clock.advance(1800);
  expect(await remindApprovers(deps, alice, ID)).toMatchObject({ sent: true });
  clock.advance(3599);
  expect(await remindApprovers(deps, alice, ID)).toMatchObject({ sent: false, retryAfterSeconds: 1 });
  // A reminder of the workflow counts as the last email too.
  clock.advance(1);
  await store.setRoundBookkeeping(ID, { lastEmailAt: clock.now() });
  expect(await remindApprovers(deps, alice, ID)).toMatchObject({ sent: false, retryAfterSeconds: 3600 });
  expect(mailer.sent).toHaveLength(2);
});

test('two reminders at once: the store lets one through', async () => {
  const { store, deps, mailer } = setup();
  await store.setRoundBookkeeping(ID, { notifiedAt: NOTIFIED });
  const answers = await Promise.all([remindApprovers(deps, alice, ID), remindApprovers(deps, alice, ID)]);
  expect(answers.map((answer) => answer.sent).sort()).toEqual([false, true]);
  expect(mailer.sent).toHaveLength(2);
});

test('only the requester may remind, only while pending and not on hold', async () => {
  const { store, deps } = setup();
  await expect(remindApprovers(deps, bob, ID)).rejects.toMatchObject({ code: 'forbidden' });
  await expect(remindApprovers(deps, alice, '00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ code: 'not_found' });
  const held = setup({ onHold: true, hold: { by: { id: 'bob', email: 'bob@example.com' }, at: CREATED } });
  await expect(remindApprovers(held.deps, alice, ID)).rejects.toMatchObject({ code: 'conflict' });
  const ended = setup({ state: 'approved' });
  await expect(remindApprovers(ended.deps, alice, ID)).rejects.toMatchObject({ code: 'conflict' });
  expect(store.historyOf(ID)).toEqual([]);
});

test('the requester reminders count toward the 21 emails per approver: the 20th reminder is the last', async () => {
  const { store, deps, mailer, clock } = setup();
  await store.setRoundBookkeeping(ID, { notifiedAt: NOTIFIED, reminders: 19 });
  expect(await remindApprovers(deps, alice, ID)).toMatchObject({ sent: true });
  expect(store.requests.get(ID)?.rounds.reminders).toBe(20);
  clock.advance(3600);
  await expect(remindApprovers(deps, alice, ID)).rejects.toMatchObject({ code: 'conflict', message: expect.stringMatching(/every email/) });
  expect(mailer.sent).toHaveLength(2);
});

test("a requester reminder does not use up the profile's reminders: the workflow still sends its own", async () => {
  const { store, deps, mailer, clock } = setup();
  await store.setRoundBookkeeping(ID, { notifiedAt: NOTIFIED, nextReminderAt: '2026-11-03T11:00:00.000Z' });
  expect(await remindApprovers(deps, alice, ID)).toMatchObject({ sent: true });
  clock.set('2026-11-03T11:00:01.000Z');
  await planRound(deps, ID);
  expect(mailer.sent.map((email) => email.to)).toEqual(['bob@example.com', 'carol@example.com', 'bob@example.com', 'carol@example.com']);
  expect(store.requests.get(ID)?.rounds).toMatchObject({ reminders: 2, requesterReminders: 1, lastEmailAt: '2026-11-03T11:00:01.000Z' });
  expect(store.historyOf(ID).at(-1)).toMatchObject({ type: 'reminded', details: { reminder: 1, of: 1 } });
});
