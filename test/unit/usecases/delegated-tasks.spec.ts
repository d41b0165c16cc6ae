/**
 * GET /tasks shows delegated work (CONTRACT: Delegation; Operator console: Tasks): a delegate sees
 * the pending requests of the approvers who handed over to them, marked with whom they are for.
 */
import type { Delegation } from '../../../functions/domain/delegation';
import type { ApprovalRequest } from '../../../functions/domain/model';
import { decideAsCaller } from '../../../functions/lifecycle/delegate';
import { listTasksWithDelegated } from '../../../functions/usecases/delegated-tasks';
import type { Deps } from '../../../functions/usecases/ports';
import { getRequestHistory, getRequestWithHistory } from '../../../functions/usecases/requests';
import { alice, bob, carol, delegation, user } from '../../helpers/memory/fixtures';
import { MemoryDirectory } from '../../helpers/memory/memory-directory';
import { FakeClock, MemoryStore, RecordingMeter, sequentialIds } from '../../helpers/memory/memory-store';
import { pendingRequest } from '../../helpers/memory/requests';

const NOW = '2026-11-03T10:00:00.000Z';
const dave = user('dave');
const erin = user('erin', ['approvers']);
const ids = ['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000003'];

function setup(requests: ApprovalRequest[], delegations: Delegation[]) {
  const store = new MemoryStore(...requests);
  for (const entry of delegations) store.delegations.set(entry.delegator.id, entry);
  const directory = MemoryDirectory.fromIdentities(alice, bob, carol, dave, erin);
  const deps: Deps = { repository: store, directory, now: new FakeClock(NOW).now, newId: sequentialIds(), meter: new RecordingMeter() };
  return { store, deps };
}

const request = (n: number, overrides: Partial<ApprovalRequest> = {}) =>
  pendingRequest({
    id: ids[n] as string,
    createdAt: `2026-11-03T0${n + 1}:00:00.000Z`,
    expiresAt: '2026-11-05T10:00:00.000Z',
    requiredApprovals: 2,
    ...overrides,
  });

const summary = (page: { items: Array<ApprovalRequest & { delegatedFor?: { email: string } }> }) =>
  page.items.map((item) => [item.id, item.delegatedFor?.email ?? null]);

test("a delegate sees their delegator's tasks, newest first, each marked for whom; none the profile keeps from delegates", async () => {
  const { deps } = setup([request(0), request(1), request(2, { allowDelegation: false })], [delegation(bob, dave)]);
  const page = await listTasksWithDelegated(deps, dave, { limit: 20 });
  expect(summary(page)).toEqual([
    [ids[1], 'bob@example.com'],
    [ids[0], 'bob@example.com'],
  ]);
});

test('gone once decided for the delegator, once the delegation is not active, and never beyond one hop', async () => {
  const decided = setup([request(0), request(1)], [delegation(bob, dave)]);
  await decideAsCaller(decided.deps, dave, ids[0] as string, { decision: 'approve' });
  expect(summary(await listTasksWithDelegated(decided.deps, dave, { limit: 20 }))).toEqual([[ids[1], 'bob@example.com']]);

  const later = setup([request(0)], [delegation(bob, dave, { from: '2026-11-04T00:00:00.000Z' })]);
  expect((await listTasksWithDelegated(later.deps, dave, { limit: 20 })).items).toEqual([]);

  const chain = setup([request(0)], [delegation(bob, erin), delegation(erin, dave)]);
  expect((await listTasksWithDelegated(chain.deps, dave, { limit: 20 })).items).toEqual([]);
});

test("an approver's own tasks come first and unmarked; a delegate listed on a request has it as their own task only", async () => {
  const { deps } = setup([request(0, { approvers: ['bob@example.com', 'erin@example.com'] }), request(1)], [delegation(bob, erin)]);
  expect(summary(await listTasksWithDelegated(deps, erin, { limit: 20 }))).toEqual([
    [ids[0], null],
    [ids[1], 'bob@example.com'],
  ]);
});

test("no delegated task on the delegate's own request or one they hold", async () => {
  const { deps } = setup(
    [
      request(0, { requester: { id: 'dave', email: 'dave@example.com' } }),
      request(1, { subject: { holderId: 'dave', cardProfile: 'PIV' } }),
    ],
    [delegation(bob, dave)],
  );
  expect((await listTasksWithDelegated(deps, dave, { limit: 20 })).items).toEqual([]);
});

describe('a delegate reads the requests they may act on', () => {
  test("while the delegation is active, and only those listing the delegator; others' requests stay 403", async () => {
    const { deps } = setup([request(0), request(1, { approvers: ['carol@example.com'] })], [delegation(bob, dave)]);
    expect((await getRequestWithHistory(deps, dave, ids[0] as string)).id).toBe(ids[0]);
    expect((await getRequestHistory(deps, dave, ids[0] as string, { limit: 10 })).items).toEqual([]);
    await expect(getRequestWithHistory(deps, dave, ids[1] as string)).rejects.toMatchObject({ code: 'forbidden' });
    const ended = setup([request(0)], [delegation(bob, dave, { until: '2026-11-03T09:00:00.000Z' })]);
    await expect(getRequestWithHistory(ended.deps, dave, ids[0] as string)).rejects.toMatchObject({ code: 'forbidden' });
  });

  test('not where the profile does not let delegates decide (allowDelegation false): 403, as deciding is', async () => {
    const { deps } = setup([request(0, { allowDelegation: false })], [delegation(bob, dave)]);
    await expect(getRequestWithHistory(deps, dave, ids[0] as string)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(getRequestHistory(deps, dave, ids[0] as string, { limit: 10 })).rejects.toMatchObject({ code: 'forbidden' });
  });
});
