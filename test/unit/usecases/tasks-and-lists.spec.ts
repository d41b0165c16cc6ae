import type { CreateRequestBody } from '../../../functions/domain/bodies';
import type { Profile } from '../../../functions/domain/profile';
import type { Deps } from '../../../functions/usecases/ports';
import { createApprovalRequest } from '../../../functions/lifecycle/create';
import { decideAsUser } from '../../../functions/lifecycle/decide';
import { deleteApprovalRequest } from '../../../functions/lifecycle/end';
import { listProfiles, listTasks, searchRequests } from '../../../functions/usecases/requests';
import { admin, alice, bob, carol, profile as fixtureProfile } from '../../helpers/memory/fixtures';
import { FakeClock, MemoryStore, RecordingMeter, sequentialIds } from '../../helpers/memory/memory-store';
import { MemoryDirectory } from '../../helpers/memory/memory-directory';

const START = '2026-11-03T10:00:00.000Z';

const profile = (id: string, approvers = ['bob@example.com', 'carol@example.com'], requiredApprovals = 2): Profile =>
  fixtureProfile({ id, name: id, approvers, requiredApprovals, remindAfter: 'PT4H', expireAfter: 'P2D', createdAt: START });
const body = (profileId = 'cards'): CreateRequestBody => ({
  kind: 'card.request',
  profileId,
  subject: { holderId: 'E-1', cardProfile: 'PIV' },
});

function setup() {
  const store = new MemoryStore();
  for (const p of [profile('cards'), profile('badges', ['carol@example.com'], 1)]) store.profiles.set(p.id, p);
  const clock = new FakeClock(START);
  const deps: Deps = {
    repository: store,
    directory: MemoryDirectory.fromIdentities(alice, bob, carol, admin),
    now: clock.now,
    newId: sequentialIds(),
    meter: new RecordingMeter(),
  };
  /** Creates requests one second apart, so newest first is well defined. */
  const create = async (profileId = 'cards') => {
    clock.advance(1);
    return (await createApprovalRequest(deps, alice, body(profileId))).request.id;
  };
  return { store, deps, create };
}

const ids = (page: { items: Array<{ id: string }> }) => page.items.map((request) => request.id);

describe('tasks ("What do you want to do")', () => {
  test('lists the pending requests on which the approver is listed, newest first, from the task entries', async () => {
    const { store, deps, create } = setup();
    const first = await create();
    const second = await create('badges');
    expect(ids(await listTasks(deps, carol, { limit: 10 }))).toEqual([second, first]);
    expect(ids(await listTasks(deps, bob, { limit: 10 }))).toEqual([first]);
    expect([...(store.tasks.get('bob@example.com')?.values() ?? [])]).toEqual([first]);
  });

  test('an approval takes the request off that approver list only; on hold it stays, marked', async () => {
    const { deps, create } = setup();
    const id = await create();
    await decideAsUser(deps, bob, id, { decision: 'approve' });
    await decideAsUser(deps, carol, id, { decision: 'hold', comment: 'checking' });
    expect(ids(await listTasks(deps, bob, { limit: 10 }))).toEqual([]);
    const carolTasks = await listTasks(deps, carol, { limit: 10 });
    expect(carolTasks.items.map((request) => [request.id, request.onHold])).toEqual([[id, true]]);
  });

  test('a request that ends (rejected, deleted) leaves every list', async () => {
    const { deps, create } = setup();
    const rejected = await create();
    const deleted = await create();
    await decideAsUser(deps, bob, rejected, { decision: 'reject', reason: 'no' });
    await deleteApprovalRequest(deps, admin, deleted);
    expect(ids(await listTasks(deps, bob, { limit: 10 }))).toEqual([]);
    expect(ids(await listTasks(deps, carol, { limit: 10 }))).toEqual([]);
  });

  test('pages with the cursor until the end', async () => {
    const { deps, create } = setup();
    const created = [await create(), await create(), await create()];
    const first = await listTasks(deps, bob, { limit: 2 });
    expect(ids(first)).toEqual([created[2], created[1]]);
    const second = await listTasks(deps, bob, { limit: 2, cursor: first.nextCursor ?? undefined });
    expect(ids(second)).toEqual([created[0]]);
    expect(second.nextCursor).toBeNull();
  });

  test('someone outside the approvers group has no tasks, even when their email is listed', async () => {
    const { deps, create } = setup();
    await create();
    expect(await listTasks(deps, { ...bob, groups: [] }, { limit: 10 })).toEqual({ items: [], nextCursor: null });
  });

  test('an email that does not count (unverified, outside ASCII) has no tasks, as it may not decide', async () => {
    const { deps, create } = setup();
    await create();
    expect(await listTasks(deps, { ...bob, emailVerified: false }, { limit: 10 })).toEqual({ items: [], nextCursor: null });
    expect(await listTasks(deps, { ...bob, emailVerified: undefined }, { limit: 10 })).toEqual({ items: [], nextCursor: null });
    expect(await listTasks(deps, { ...bob, email: 'bob@exаmple.com' }, { limit: 10 })).toEqual({ items: [], nextCursor: null });
    expect(ids(await listTasks(deps, { ...bob, email: 'BOB@example.com' }, { limit: 10 })).length).toBe(1);
  });
});

describe('listing profiles', () => {
  test('pages through every profile in id order', async () => {
    const { store, deps } = setup();
    store.profiles.set('zeta', profile('zeta'));
    const first = await listProfiles(deps, { limit: 2 });
    expect(first.items.map((p) => p.id)).toEqual(['badges', 'cards']);
    const second = await listProfiles(deps, { limit: 2, cursor: first.nextCursor ?? undefined });
    expect(second).toEqual({ items: [expect.objectContaining({ id: 'zeta' })], nextCursor: null });
  });
});

describe('searching by profile', () => {
  test('profileId keeps only that profile requests, for approvers and for requesters alike', async () => {
    const { deps, create } = setup();
    await create('cards');
    const badge = await create('badges');
    expect(ids(await searchRequests(deps, bob, { profileId: 'badges', limit: 10 }))).toEqual([badge]);
    expect(ids(await searchRequests(deps, alice, { profileId: 'badges', limit: 10 }))).toEqual([badge]);
  });
});
