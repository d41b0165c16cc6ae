/**
 * The delegate's copy of an approver's emails (CONTRACT: Delegation): while the approver's
 * delegation is active the delegate gets each approval email and reminder with their own links
 * (signed for the approver), and the history records `delegated`; never where the profile forbids
 * delegation, for the delegate's own or held request, or beyond one hop.
 */
import type { Delegation } from '../../../functions/domain/delegation';
import type { ApprovalRequest } from '../../../functions/domain/model';
import { EmailFailed } from '../../../functions/usecases/senders';
import { awaitDecision } from '../../../functions/usecases/workflow-steps/await-decision';
import { planRound } from '../../../functions/usecases/workflow-steps/plan-round';
import { alice, bob, carol, delegation, user } from '../../helpers/memory/fixtures';
import { MemoryDirectory } from '../../helpers/memory/memory-directory';
import { MemoryStore } from '../../helpers/memory/memory-store';
import { pendingRequest, REQUEST_ID } from '../../helpers/memory/requests';
import { memoryStepDeps } from '../../helpers/memory/step-deps';

const ID = REQUEST_ID;
const CREATED = '2026-11-03T09:00:00.000Z';
const dave = user('dave');
const erin = user('erin');

function setup(overrides: Partial<ApprovalRequest> = {}, delegations: Delegation[] = [delegation(bob, dave)]) {
  const store = new MemoryStore(
    pendingRequest({
      requiredApprovals: 2,
      remindAfter: 'PT4H',
      expireAfter: 'PT12H',
      createdAt: CREATED,
      expiresAt: '2026-11-03T21:00:00.000Z',
      ...overrides,
    }),
  );
  for (const entry of delegations) store.delegations.set(entry.delegator.id, entry);
  const directory = MemoryDirectory.fromIdentities(alice, bob, carol, dave, erin);
  const { deps, mailer, clock } = memoryStepDeps(store, { now: '2026-11-03T09:00:01.000Z', directory });
  return { store, deps, mailer, clock, directory };
}

const recipients = (mailer: { sent: Array<{ to: string }> }) => mailer.sent.map((email) => email.to);

test("the first approval email goes to the approver and a copy to their delegate, with the delegate's own links and a `delegated` entry", async () => {
  const { deps, mailer, store } = setup();
  await awaitDecision(deps, ID, 'token-1');
  expect(recipients(mailer)).toEqual(['bob@example.com', 'dave@example.com', 'carol@example.com']);
  const copy = mailer.sent[1];
  expect(copy?.subject).toMatch(/^Approval needed for bob@example\.com: /);
  expect(copy?.text).toContain('Approve: https://x/approve/dave@example.com?for=bob@example.com');
  expect(copy?.text).toContain('You get this as the delegate of bob@example.com, who is out of office');
  expect(store.historyOf(ID).filter((entry) => entry.type === 'delegated')).toEqual([
    {
      at: '2026-11-03T09:00:01.000Z',
      type: 'delegated',
      actor: { id: 'workflow' },
      details: {
        for: { id: 'bob', email: 'bob@example.com' },
        to: { id: 'dave', email: 'dave@example.com' },
        until: '2026-11-10T00:00:00.000Z',
        email: 'approval',
      },
    },
  ]);
});

test('a reminder goes to the delegate too', async () => {
  const { deps, mailer, store, clock } = setup();
  await store.setRoundBookkeeping(ID, { notifiedAt: CREATED });
  clock.set('2026-11-03T13:00:05.000Z');
  await planRound(deps, ID);
  expect(mailer.sent.map((email) => [email.to, email.tags.purpose])).toEqual([
    ['bob@example.com', 'reminder'],
    ['dave@example.com', 'reminder'],
    ['carol@example.com', 'reminder'],
  ]);
});

test.each([
  ['the profile forbids delegation', { allowDelegation: false as const }, [delegation(bob, dave)]],
  ['the delegation has not started', {}, [delegation(bob, dave, { from: '2026-11-04T00:00:00.000Z' })]],
  ['the delegation has ended', {}, [delegation(bob, dave, { until: '2026-11-03T09:00:00.000Z' })]],
  ['the delegate is the requester', { requester: { id: 'dave', email: 'dave@example.com' } }, [delegation(bob, dave)]],
  ['the delegate holds the card', { subject: { holderId: 'dave', cardProfile: 'PIV' } }, [delegation(bob, dave)]],
])('no copy when %s', async (_name, overrides, delegations) => {
  const { deps, mailer, store } = setup(overrides, delegations);
  await awaitDecision(deps, ID, 'token-1');
  expect(recipients(mailer).filter((to) => to !== 'bob@example.com' && to !== 'carol@example.com')).toEqual([]);
  expect(store.historyOf(ID).some((entry) => entry.type === 'delegated')).toBe(false);
});

test("one hop: Bob → Dave → Erin sends Bob's copy to Dave, never to Erin", async () => {
  const { deps, mailer } = setup({}, [delegation(bob, dave), delegation(dave, erin)]);
  await awaitDecision(deps, ID, 'token-1');
  expect(recipients(mailer)).toEqual(['bob@example.com', 'dave@example.com', 'carol@example.com']);
});

test("a delegation that cannot be read (the table fails) is recorded as a copy not sent; the approvers' own emails stand as sent", async () => {
  const { deps, mailer, store } = setup();
  store.getDelegation = async () => {
    throw Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' });
  };
  await awaitDecision(deps, ID, 'token-1');
  expect(recipients(mailer)).toEqual(['bob@example.com', 'carol@example.com']);
  const rounds = (await store.getRequest(ID))?.rounds;
  expect(rounds?.approvalEmails).toEqual({
    'bob@example.com': expect.stringMatching(/^sent:/),
    'carol@example.com': expect.stringMatching(/^sent:/),
  });
  expect(
    store
      .historyOf(ID)
      .filter((entry) => entry.type === 'notification-failed')
      .map((entry) => entry.details),
  ).toEqual([
    { for: 'bob@example.com', copy: 'delegate', purpose: 'approval', error: 'ProvisionedThroughputExceededException' },
    { for: 'carol@example.com', copy: 'delegate', purpose: 'approval', error: 'ProvisionedThroughputExceededException' },
  ]);
  expect(store.historyOf(ID).find((entry) => entry.type === 'notified')?.details).toMatchObject({
    recipients: ['bob@example.com', 'carol@example.com'],
  });
});

test("a copy that fails is recorded and never holds the approver's own email back", async () => {
  const { deps, mailer, store } = setup();
  mailer.failFor = (email) => (email.to === 'dave@example.com' ? new EmailFailed('MessageRejected', false) : undefined);
  await awaitDecision(deps, ID, 'token-1');
  expect(recipients(mailer)).toEqual(['bob@example.com', 'carol@example.com']);
  expect(store.historyOf(ID).find((entry) => entry.type === 'notification-failed')?.details).toMatchObject({
    recipient: 'dave@example.com',
  });
  expect((await store.getRequest(ID))?.rounds.approvalEmails?.['bob@example.com']).toMatch(/^sent:/);
});
