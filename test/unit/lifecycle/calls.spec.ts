/**
 * Create and decide never wait on Step Functions: each makes two synchronous calls to the store (a
 * read and one transaction) and none to the workflow, which hears of the stored change from the
 * outbox. The deps given here carry a workflow port that fails the test if anything calls it. The
 * expected calls are the scale model's (bench/scale/calls.ts `API_CALLS`, docs/scale.md).
 */
import { API_CALLS } from '../../../bench/scale/calls';
import type { CreateRequestBody } from '../../../functions/domain/bodies';
import { createApprovalRequest } from '../../../functions/lifecycle/create';
import { decideAsUser, decideByLink } from '../../../functions/lifecycle/decide';
import { decideAsCaller } from '../../../functions/lifecycle/delegate';
import { deleteApprovalRequest } from '../../../functions/lifecycle/end';
import type { ApprovalStore, Deps, WorkflowPort } from '../../../functions/usecases/ports';
import type { Identity } from '../../../functions/domain/model';
import { alice, bob, carol, profile, user } from '../../helpers/memory/fixtures';
import { MemoryDirectory } from '../../helpers/memory/memory-directory';
import { FakeClock, MemoryStore, RecordingMeter, sequentialIds } from '../../helpers/memory/memory-store';

const body: CreateRequestBody = { kind: 'card.request', profileId: 'cards', subject: { holderId: 'E-1', cardProfile: 'PIV' } };

function setup(others: Identity[] = []) {
  const store = new MemoryStore();
  store.profiles.set('cards', profile({ id: 'cards', approvers: ['bob@example.com', 'carol@example.com'], requiredApprovals: 1 }));
  const calls: string[] = [];
  const counted = (name: string) => (target: object, method: string | symbol) => {
    const value = Reflect.get(target, method);
    if (typeof value !== 'function') return value;
    return (...args: unknown[]) => {
      calls.push(`${name}.${String(method)}`);
      return value.apply(target, args);
    };
  };
  const repository = new Proxy(store, { get: counted('store') }) as ApprovalStore;
  const workflow = new Proxy({} as WorkflowPort, {
    get: (_target, method) => () => {
      calls.push(`workflow.${String(method)}`);
      throw new Error(`the workflow was called (${String(method)}) from a change of a request`);
    },
  });
  const directory = MemoryDirectory.fromIdentities(alice, bob, carol, ...others);
  // The workflow is not among the API's dependencies; it is passed anyway, to catch any call.
  const deps = {
    repository,
    directory,
    workflow,
    now: new FakeClock('2026-11-03T10:00:00.000Z').now,
    newId: sequentialIds(),
    meter: new RecordingMeter(),
  } as Deps;
  return { store, deps, calls };
}

/** An active delegation (1 to 10 November) from one person to another. */
const handOver = (from: { id: string; email: string }, to: { id: string; email: string }) => ({
  delegator: { id: from.id, email: from.email },
  to: { id: to.id, email: to.email },
  from: '2026-11-01T00:00:00.000Z',
  until: '2026-11-10T00:00:00.000Z',
  createdAt: '2026-11-01T00:00:00.000Z',
});

describe('the synchronous calls of a change', () => {
  test('create: one read (the profile) and one transaction, no workflow', async () => {
    const { deps, calls } = setup();
    const { request } = await createApprovalRequest(deps, alice, body);
    expect(request.state).toBe('requested');
    expect(calls).toEqual(API_CALLS.create);
  });

  test('create approved at once by policy: the same two calls', async () => {
    const { deps, calls } = setup();
    const { request } = await createApprovalRequest(deps, alice, {
      kind: 'card.lock',
      profileId: 'cards',
      subject: { cardSerial: 'C-1', holderId: 'E-1' },
    });
    expect(request.state).toBe('approved');
    expect(calls).toEqual(API_CALLS.create);
  });

  test.each([
    ['approve (ends the request)', { decision: 'approve' as const }],
    ['reject', { decision: 'reject' as const, reason: 'no' }],
    ['hold', { decision: 'hold' as const, comment: 'checking' }],
  ])('decide by the API, %s: one read and one transaction, no workflow', async (_name, decision) => {
    const { deps, calls, store } = setup();
    const { request } = await createApprovalRequest(deps, alice, body);
    await store.setRoundBookkeeping(request.id, { taskToken: 'token-1' });
    calls.length = 0;
    await decideAsUser(deps, bob, request.id, decision);
    expect(calls).toEqual(API_CALLS.decide);
  });

  test('decide by a link and delete: one read and one transaction each, no workflow', async () => {
    const { deps, calls, store } = setup();
    const first = await createApprovalRequest(deps, alice, body);
    const second = await createApprovalRequest(deps, alice, body);
    await store.setRoundBookkeeping(first.request.id, { taskToken: 'token-1' });
    await store.setRoundBookkeeping(second.request.id, { taskToken: 'token-2' });
    calls.length = 0;
    expect(await decideByLink(deps, { requestId: first.request.id, approver: 'carol@example.com' }, { decision: 'approve' })).toMatchObject(
      {
        decided: true,
      },
    );
    expect(calls).toEqual(API_CALLS.decide);
    calls.length = 0;
    expect((await deleteApprovalRequest(deps, alice, second.request.id)).state).toBe('deleted');
    expect(calls).toEqual(API_CALLS.decide);
  });

  test('decide by the API route (decideAsCaller), by a listed approver, with a delegation to them or not: one read and one transaction', async () => {
    const { deps, calls, store } = setup();
    const first = await createApprovalRequest(deps, alice, body);
    const second = await createApprovalRequest(deps, alice, body);
    store.delegations.set(carol.id, handOver(carol, bob));
    calls.length = 0;
    expect((await decideAsCaller(deps, carol, first.request.id, { decision: 'approve' })).state).toBe('approved');
    expect(calls).toEqual(['store.getRequest', 'store.saveChange']);
    calls.length = 0;
    // Bob is listed and Carol's delegate: he decides as himself, and his delegations are not read.
    const request = await decideAsCaller(deps, bob, second.request.id, { decision: 'approve' });
    expect(request.approvals).toEqual([expect.objectContaining({ by: { id: bob.id, email: bob.email } })]);
    expect(calls).toEqual(['store.getRequest', 'store.saveChange']);
  });

  test('decide by the API route by an approver not listed: their delegations are read after the request, and they decide for the listed delegator', async () => {
    const erin = user('erin', ['approvers']);
    const { deps, calls, store } = setup([erin]);
    const { request } = await createApprovalRequest(deps, alice, body);
    store.delegations.set(bob.id, handOver(bob, erin));
    calls.length = 0;
    const decided = await decideAsCaller(deps, erin, request.id, { decision: 'approve' });
    expect(decided.approvals).toEqual([
      expect.objectContaining({ by: { id: erin.id, email: erin.email }, for: { id: bob.id, email: bob.email } }),
    ]);
    expect(calls).toEqual(['store.getRequest', 'store.delegationsTo', 'store.saveChange']);
  });

  test("create: the holder's directory lookup runs beside the profile's read, not after it", async () => {
    const { deps, store } = setup();
    const directory = deps.directory as MemoryDirectory;
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const getProfile = store.getProfile.bind(store);
    const lookupsWhileReading: string[][] = [];
    store.getProfile = async (id) => {
      await held;
      lookupsWhileReading.push([...directory.calls]);
      return getProfile(id);
    };
    const created = createApprovalRequest(deps, alice, { ...body, subject: { holderId: 'bob', cardProfile: 'PIV' } });
    await new Promise((resolve) => setImmediate(resolve));
    release();
    const { request } = await created;
    expect(lookupsWhileReading).toEqual([['userBySub']]);
    // The holder's lookup still counts: Bob holds the card, so only Carol approves.
    expect(request.approvers).toEqual(['carol@example.com']);
  });

  test('create: a missing profile is answered (400) before a failing directory lookup, and that failure is no unhandled rejection', async () => {
    const { deps } = setup();
    const directory = deps.directory as MemoryDirectory;
    directory.userBySub = async () => {
      throw new Error('directory down');
    };
    await expect(createApprovalRequest(deps, alice, { ...body, profileId: 'missing' })).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(createApprovalRequest(deps, alice, body)).rejects.toThrow('directory down');
  });
});
