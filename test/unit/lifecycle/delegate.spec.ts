/**
 * Decisions by delegates (CONTRACT: Delegation): through the API and by a delegate's link, the
 * delegate decides once for the delegator where the delegator may, recorded `by` and `for`; never
 * where the profile forbids it, on the delegate's own or held request, or beyond one hop.
 * delegate.property.spec.ts generates random delegations and decision orders.
 */
import type { DecisionBody } from '../../../functions/domain/bodies';
import type { Delegation } from '../../../functions/domain/delegation';
import type { ApprovalRequest } from '../../../functions/domain/model';
import { createApprovalRequest } from '../../../functions/lifecycle/create';
import { decideAsUser } from '../../../functions/lifecycle/decide';
import { decideAsCaller, decideByDelegateLink } from '../../../functions/lifecycle/delegate';
import { showLinkDecision } from '../../../functions/usecases/link-decisions';
import type { Deps } from '../../../functions/usecases/ports';
import { alice, bob, carol, delegation, profile, user } from '../../helpers/memory/fixtures';
import { MemoryDirectory } from '../../helpers/memory/memory-directory';
import { FakeClock, MemoryStore, RecordingMeter, sequentialIds } from '../../helpers/memory/memory-store';
import { pendingRequest, REQUEST_ID } from '../../helpers/memory/requests';

const NOW = '2026-11-03T10:00:00.000Z';
const ID = REQUEST_ID;
/** Bob's delegate: a user of the directory, not in the approvers group and listed nowhere. */
const dave = user('dave');
const erin = user('erin', ['approvers']);

function setup(overrides: Partial<ApprovalRequest> = {}, delegations: Delegation[] = [delegation(bob, dave)]) {
  const store = new MemoryStore(
    pendingRequest({ createdAt: NOW, expiresAt: '2026-11-05T10:00:00.000Z', requiredApprovals: 2, ...overrides }),
  );
  for (const entry of delegations) store.delegations.set(entry.delegator.id, entry);
  const directory = MemoryDirectory.fromIdentities(alice, bob, carol, dave, erin);
  const clock = new FakeClock(NOW);
  const deps: Deps = { repository: store, directory, now: clock.now, newId: sequentialIds(), meter: new RecordingMeter() };
  return { store, directory, deps, clock };
}

const approve: DecisionBody = { decision: 'approve' };
const code = (promise: Promise<unknown>) =>
  promise.then(
    () => 'ok',
    (error: { code?: string }) => error.code,
  );

describe('a delegate deciding through the API', () => {
  test('approves once for the delegator: `by` the delegate, `for` the delegator, in the approval and the history', async () => {
    const { deps, store } = setup();
    const request = await decideAsCaller(deps, dave, ID, { decision: 'approve', comment: 'for Bob while away' });
    expect(request.approvals).toEqual([
      {
        by: { id: 'dave', email: 'dave@example.com' },
        at: NOW,
        comment: 'for Bob while away',
        for: { id: 'bob', email: 'bob@example.com' },
        stage: 0,
      },
    ]);
    expect(store.historyOf(ID).at(-1)).toMatchObject({ type: 'approval', actor: { id: 'dave' }, details: { for: { id: 'bob' } } });
    // Bob's vote is cast: his task is closed, Carol's stays open.
    expect([...store.tasks.keys()].filter((email) => (store.tasks.get(email)?.size ?? 0) > 0)).toEqual(['carol@example.com']);
  });

  test("on a request with stages, the delegator is no longer awaited and the stage's approvals say for whom", async () => {
    const { deps, store } = setup();
    store.profiles.set('cards', profile({ id: 'cards', approvers: [bob.email, carol.email], requiredApprovals: 2 }));
    const created = await createApprovalRequest(deps, alice, {
      kind: 'card.request',
      profileId: 'cards',
      subject: { holderId: 'h', cardProfile: 'c' },
    });
    const request = await decideAsCaller(deps, dave, created.request.id, approve);
    expect(request.awaiting).toEqual(['carol@example.com']);
    expect(store.current(created.request.id)?.awaiting).toEqual(['carol@example.com']);
    expect(request.stages?.[0]?.approvals).toEqual(request.approvals);
    expect(request.stages?.[0]?.approvals[0]?.for).toEqual({ id: 'bob', email: 'bob@example.com' });
  });

  test('the quorum counts the delegated vote: Carol then Dave for Bob approves the request, decided by Dave for Bob', async () => {
    const { deps } = setup();
    await decideAsUser(deps, carol, ID, approve);
    const request = await decideAsCaller(deps, dave, ID, approve);
    expect(request.state).toBe('approved');
    expect(request.decision).toMatchObject({ decision: 'approved', by: { id: 'dave' }, for: { id: 'bob' } });
  });

  test('a rejection and a hold by the delegate are recorded for the delegator', async () => {
    const held = setup();
    expect((await decideAsCaller(held.deps, dave, ID, { decision: 'hold', comment: 'asking' })).hold).toMatchObject({
      by: { id: 'dave' },
      for: { id: 'bob' },
    });
    const rejected = await decideAsCaller(setup().deps, dave, ID, { decision: 'reject', reason: 'wrong card' });
    expect(rejected.decision).toMatchObject({ decision: 'rejected', by: { id: 'dave' }, for: { id: 'bob' }, reason: 'wrong card' });
  });

  test('refused (403) where the profile forbids delegation, and nothing is written', async () => {
    const { deps, store } = setup({ allowDelegation: false });
    await expect(decideAsCaller(deps, dave, ID, approve)).rejects.toMatchObject({
      code: 'forbidden',
      message: expect.stringContaining('allowDelegation is false'),
    });
    expect(store.saved).toEqual([]);
  });

  test("refused (403) on the delegate's own request and on one they hold", async () => {
    const own = setup({ requester: { id: 'dave', email: 'dave@example.com' } });
    await expect(decideAsCaller(own.deps, dave, ID, approve)).rejects.toMatchObject({
      code: 'forbidden',
      message: expect.stringContaining('requested'),
    });
    const held = setup({ subject: { holderId: 'dave', cardProfile: 'PIV' } });
    await expect(decideAsCaller(held.deps, dave, ID, approve)).rejects.toMatchObject({
      code: 'forbidden',
      message: expect.stringContaining('holder'),
    });
    expect(own.store.saved).toEqual([]);
    expect(held.store.saved).toEqual([]);
  });

  test("one hop: the delegate's own delegation is not followed (Bob → Dave → Erin: Erin may not decide for Bob)", async () => {
    const { deps, store } = setup({}, [delegation(bob, dave), delegation(dave, erin)]);
    await expect(decideAsCaller(deps, erin, ID, approve)).rejects.toMatchObject({ code: 'forbidden' });
    expect(store.saved).toEqual([]);
  });

  test('a delegator who decides themselves while delegated is still one vote, in either order (409)', async () => {
    const first = setup();
    await decideAsCaller(first.deps, dave, ID, approve);
    await expect(decideAsUser(first.deps, bob, ID, approve)).rejects.toMatchObject({ code: 'conflict' });
    const second = setup();
    await decideAsUser(second.deps, bob, ID, approve);
    await expect(decideAsCaller(second.deps, dave, ID, approve)).rejects.toMatchObject({
      code: 'conflict',
      message: 'bob@example.com has already approved this request',
    });
    expect(second.store.current(ID)?.approvals).toHaveLength(1);
  });

  test('a listed delegate decides as themselves; their approvals count once, their own or for someone (409)', async () => {
    const { deps, store } = setup({ approvers: ['bob@example.com', 'carol@example.com', 'erin@example.com'] }, [delegation(bob, erin)]);
    const own = await decideAsCaller(deps, erin, ID, approve);
    expect(own.approvals).toEqual([{ by: { id: 'erin', email: 'erin@example.com' }, at: NOW, stage: 0 }]);
    await expect(decideAsCaller(deps, erin, ID, approve)).rejects.toMatchObject({ code: 'conflict' });
    expect(store.current(ID)?.approvals).toHaveLength(1);
  });

  test('no active delegation (not started, ended) or a delegator who may not decide any more: 403', async () => {
    const later = setup({}, [delegation(bob, dave, { from: '2026-11-04T00:00:00.000Z' })]);
    expect(await code(decideAsCaller(later.deps, dave, ID, approve))).toBe('forbidden');
    const ended = setup({}, [delegation(bob, dave, { until: '2026-11-03T09:00:00.000Z' })]);
    expect(await code(decideAsCaller(ended.deps, dave, ID, approve))).toBe('forbidden');
    const removed = setup();
    removed.directory.removeFromGroup('bob', 'approvers');
    expect(await code(decideAsCaller(removed.deps, dave, ID, approve))).toBe('forbidden');
    const disabled = setup();
    disabled.directory.disable('dave');
    expect(await code(decideAsCaller(disabled.deps, dave, ID, approve))).toBe('forbidden');
  });

  test('a delegator not listed on the request gives the delegate nothing to decide (403)', async () => {
    const { deps } = setup({ approvers: ['carol@example.com', 'erin@example.com'] });
    expect(await code(decideAsCaller(deps, dave, ID, approve))).toBe('forbidden');
  });
});

describe("a delegate's link", () => {
  const link = { requestId: ID, approver: 'dave@example.com', for: 'bob@example.com' };

  test('shows the request open to the delegate, then records the decision `by` the delegate `for` the delegator', async () => {
    const { deps, store } = setup();
    expect((await showLinkDecision(deps, link)).open).toBe(true);
    const result = await decideByDelegateLink(deps, link, approve);
    expect(result.decided).toBe(true);
    expect(store.current(ID)?.approvals).toEqual([
      { by: { id: 'dave', email: 'dave@example.com' }, at: NOW, for: { id: 'bob', email: 'bob@example.com' }, stage: 0 },
    ]);
    expect((await showLinkDecision(deps, link)).open).toBe(false);
    expect(await decideByDelegateLink(deps, link, approve)).toMatchObject({ decided: false, reason: { code: 'conflict' } });
  });

  test('refused once the delegation is removed or moved to someone else, and where the profile forbids it', async () => {
    const removed = setup();
    removed.store.delegations.clear();
    expect(await code(showLinkDecision(removed.deps, link))).toBe('forbidden');
    expect(await code(decideByDelegateLink(removed.deps, link, approve))).toBe('forbidden');
    const moved = setup({}, [delegation(bob, erin)]);
    expect(await code(decideByDelegateLink(moved.deps, link, approve))).toBe('forbidden');
    const forbidden = setup({ allowDelegation: false });
    expect(await code(showLinkDecision(forbidden.deps, link))).toBe('forbidden');
    expect(await code(decideByDelegateLink(forbidden.deps, link, approve))).toBe('forbidden');
    expect([removed, moved, forbidden].flatMap(({ store }) => store.saved)).toEqual([]);
  });
});

test("a request copies the profile's allowDelegation when it is false (a later profile change does not reach it)", async () => {
  const { deps, store } = setup();
  store.profiles.set('no-delegates', profile({ id: 'no-delegates', allowDelegation: false }));
  store.profiles.set('delegates', profile({ id: 'delegates' }));
  const body = { kind: 'card.request' as const, subject: { holderId: 'E-1', cardProfile: 'PIV' } };
  expect((await createApprovalRequest(deps, alice, { ...body, profileId: 'no-delegates' })).request.allowDelegation).toBe(false);
  expect((await createApprovalRequest(deps, alice, { ...body, profileId: 'delegates' })).request).not.toHaveProperty('allowDelegation');
});
