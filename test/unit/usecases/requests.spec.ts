import type { CreateRequestBody } from '../../../functions/domain/bodies';
import type { Identity } from '../../../functions/domain/model';
import type { Deps, StoredRequest } from '../../../functions/usecases/ports';
import { relayChange } from '../../../functions/usecases/outbox';
import { changeRequest } from '../../../functions/lifecycle/change';
import { createApprovalRequest, IDEMPOTENCY_TTL_SECONDS } from '../../../functions/lifecycle/create';
import { decideAsUser } from '../../../functions/lifecycle/decide';
import { getRequestHistory, getRequestWithHistory, putProfile, searchRequests } from '../../../functions/usecases/requests';
import { deleteApprovalRequest } from '../../../functions/lifecycle/end';
import { decide } from '../../../functions/domain/rules';
import { alice, bob, carol, profile as fixtureProfile, user } from '../../helpers/memory/fixtures';
import { FakeClock, MemoryStore, RecordingMeter, RecordingWorkflow, sequentialIds } from '../../helpers/memory/memory-store';
import { MemoryDirectory } from '../../helpers/memory/memory-directory';

const START = '2026-11-03T10:00:00.000Z';
const dave: Identity = { id: 'dave', email: 'dave@example.com', emailVerified: true, groups: [] };
const billing: Identity = { id: 'billing-system', email: '', groups: [], scopes: [] };

const profile = fixtureProfile({
  id: 'cards',
  name: 'Cards',
  approvers: ['bob@example.com', 'carol@example.com'],
  requiredApprovals: 2,
  remindAfter: 'PT4H',
  expireAfter: 'P2D',
  createdAt: START,
});

const body = (overrides: Partial<CreateRequestBody> = {}): CreateRequestBody => ({
  kind: 'card.request',
  profileId: 'cards',
  subject: { holderId: 'E-1001', cardProfile: 'PIV standard' },
  justification: 'New starter',
  ...overrides,
});

function setup() {
  const store = new MemoryStore();
  store.profiles.set(profile.id, profile);
  const workflow = new RecordingWorkflow();
  const clock = new FakeClock(START);
  const meter = new RecordingMeter();
  const directory = MemoryDirectory.fromIdentities(alice, bob, carol, dave);
  const deps: Deps = { repository: store, directory, now: clock.now, newId: sequentialIds(), meter };
  /** What the outbox does with the stored change of request `id` from `before` (read before the change). */
  const relay = async (id: string, before: StoredRequest | undefined) =>
    relayChange({ workflow }, { id: '1', kind: 'modify', before, after: await store.getRequest(id) });
  return { store, workflow, relay, clock, deps, meter, directory };
}

describe('creating a request', () => {
  test('stores a pending request for the profile approvers, writes its history', async () => {
    const { store, deps, meter } = setup();
    const { request, replayed } = await createApprovalRequest(deps, alice, body());
    expect(meter.events).toEqual([['requestCreated', 'card.request']]);
    expect(replayed).toBe(false);
    expect(request).toMatchObject({
      state: 'requested',
      approvers: profile.approvers,
      requiredApprovals: 2,
      expiresAt: '2026-11-05T10:00:00.000Z',
    });
    expect(store.current(request.id)).toEqual(request);
    expect(store.historyOf(request.id).map((entry) => entry.type)).toEqual(['created']);
  });

  test('a kind the profile does not list is approved at once by policy', async () => {
    const { deps } = setup();
    const { request } = await createApprovalRequest(
      deps,
      alice,
      body({ kind: 'card.lock', subject: { cardSerial: 'C-1', holderId: 'E-1001' } }),
    );
    expect(request).toMatchObject({ state: 'approved', decision: { decision: 'approved', by: { id: 'policy' } } });
  });

  test('the same idempotency key and body replay the first request, whatever the key order, and store nothing new', async () => {
    const { store, clock, deps, meter } = setup();
    const first = await createApprovalRequest(deps, alice, body(), 'hr-4711');
    clock.advance(60);
    const reordered = {
      justification: 'New starter',
      subject: { cardProfile: 'PIV standard', holderId: 'E-1001' },
      profileId: 'cards',
      kind: 'card.request',
    };
    const again = await createApprovalRequest(deps, alice, reordered as CreateRequestBody, 'hr-4711');
    expect(again).toEqual({ request: first.request, replayed: true });
    expect(store.requests.size).toBe(1);
    expect(meter.names()).toEqual(['requestCreated']);
  });

  test('the idempotency record expires a day after the create', async () => {
    const { store, deps } = setup();
    await createApprovalRequest(deps, alice, body(), 'hr-4711');
    expect(store.idempotency.get(JSON.stringify(['alice', 'hr-4711']))?.expiresAtEpoch).toBe(
      Date.parse(START) / 1000 + IDEMPOTENCY_TTL_SECONDS,
    );
  });

  test('the same idempotency key with another body is a conflict and changes nothing', async () => {
    const { store, deps } = setup();
    const first = await createApprovalRequest(deps, alice, body(), 'hr-4711');
    await expect(createApprovalRequest(deps, alice, body({ justification: 'Other' }), 'hr-4711')).rejects.toMatchObject({
      code: 'conflict',
      details: { requestId: first.request.id },
    });
    expect(store.requests.size).toBe(1);
  });

  test('a key reused while the first create is still writing replays instead of failing', async () => {
    const { store, deps } = setup();
    const first = await createApprovalRequest(deps, alice, body(), 'race');
    // The second caller read no record before the first wrote it: the store refuses the write.
    const getIdempotency = store.getIdempotency.bind(store);
    store.getIdempotency = async () => undefined;
    const second = await createApprovalRequest(deps, alice, body(), 'race');
    store.getIdempotency = getIdempotency;
    expect(second).toEqual({ request: first.request, replayed: true });
    expect(store.requests.size).toBe(1);
  });

  test('idempotency keys are scoped to the caller', async () => {
    const { store, deps } = setup();
    await createApprovalRequest(deps, alice, body(), 'shared');
    await createApprovalRequest(deps, { id: 'dave', email: 'dave@example.com', emailVerified: true, groups: [] }, body(), 'shared');
    expect(store.requests.size).toBe(2);
  });

  test('a record of someone else is never answered: 409, naming no request, and nothing is created', async () => {
    const { store, deps } = setup();
    const first = await createApprovalRequest(deps, alice, body(), 'k');
    // A record found under this caller's key that names another owner.
    const record = store.idempotency.get(JSON.stringify(['alice', 'k'])) as NonNullable<ReturnType<typeof store.idempotency.get>>;
    store.idempotency.set(JSON.stringify(['alice', 'k']), { ...record, sub: 'mallory' });
    const refused = createApprovalRequest(deps, alice, body(), 'k');
    await expect(refused).rejects.toMatchObject({ code: 'conflict' });
    await expect(refused).rejects.not.toHaveProperty('details.requestId', first.request.id);
    expect(store.requests.size).toBe(1);
  });

  test('an unknown profile is invalid input naming profileId', async () => {
    const { deps } = setup();
    await expect(createApprovalRequest(deps, alice, body({ profileId: 'nope' }))).rejects.toMatchObject({
      code: 'invalid_request',
      details: [{ field: 'profileId', message: 'does not exist' }],
    });
  });

  test('onBehalfOf needs the on-behalf scope', async () => {
    const { store, deps } = setup();
    const onBehalfOf = { id: 'alice', email: 'alice@example.com' };
    await expect(createApprovalRequest(deps, billing, body({ onBehalfOf }))).rejects.toMatchObject({ code: 'forbidden' });
    const scoped = { ...billing, scopes: ['approvals/requests.create-on-behalf'] };
    const { request } = await createApprovalRequest(deps, scoped, body({ onBehalfOf }));
    expect(request.requester).toEqual(onBehalfOf);
    expect(store.historyOf(request.id)[0]?.details).toMatchObject({ createdBy: { id: 'billing-system' } });
  });
});

describe('changing a request', () => {
  async function pending() {
    const context = setup();
    const { request } = await createApprovalRequest(context.deps, alice, body());
    return { ...context, id: request.id };
  }

  test('a write that lost a race is read again and the rule re-applied to the new version', async () => {
    const { store, deps, id, clock, meter } = await pending();
    clock.advance(90);
    let raced = false;
    store.beforeSave = () => {
      if (raced) return;
      raced = true;
      // Carol approves between this caller's read and its write.
      const current = store.current(id);
      if (!current) throw new Error('missing');
      const change = decide(current, carol, { decision: 'approve' }, START);
      store.requests.set(id, { request: change.request, rounds: {} });
    };
    const request = await decideAsUser(deps, bob, id, { decision: 'approve' });
    expect(request.state).toBe('approved');
    expect(request.approvals.map((approval) => approval.by.id)).toEqual(['carol', 'bob']);
    expect(meter.events).toEqual([
      ['requestCreated', 'card.request'],
      ['timeToDecision', 90],
      ['decided', 'approve'],
    ]);
  });

  test('retries on version conflicts and succeeds when a later attempt gets through', async () => {
    const { store, deps, id } = await pending();
    store.conflictsToSimulate = 4;
    const request = await decideAsUser(deps, bob, id, { decision: 'hold', comment: 'checking' });
    expect(request.onHold).toBe(true);
    expect(store.conflictsToSimulate).toBe(0);
    expect(store.saved).toHaveLength(1);
  });

  test('gives a conflict after the last attempt and writes nothing', async () => {
    const { store, deps, id } = await pending();
    let attempts = 0;
    store.beforeSave = () => {
      attempts++;
    };
    store.conflictsToSimulate = 100;
    await expect(decideAsUser(deps, bob, id, { decision: 'approve' })).rejects.toMatchObject({ code: 'conflict' });
    expect(attempts).toBe(5);
    expect(store.saved).toEqual([]);
    expect(store.current(id)?.approvals).toEqual([]);
  });

  test('a change that ends the request is stored with the token read before the write (the wait the outbox ends), reading nothing after it', async () => {
    const { store, workflow, relay, deps, id } = await pending();
    await store.setRoundBookkeeping(id, { taskToken: 'token-1' });
    const before = await store.getRequest(id);
    const reads: string[] = [];
    const getRequest = store.getRequest.bind(store);
    store.getRequest = (requestId) => {
      reads.push(requestId);
      return getRequest(requestId);
    };
    await changeRequest(deps, id, (request, now) => decide(request, bob, { decision: 'reject', reason: 'no' }, now));
    expect(reads).toEqual([id]);
    expect(workflow.finished).toEqual([]);
    await relay(id, before);
    expect(workflow.finished).toEqual([{ taskToken: 'token-1', outcome: 'rejected' }]);
  });

  test('a task token stored between the read and the write makes the write a conflict; the stored change names the new token', async () => {
    const { store, workflow, relay, deps, id } = await pending();
    await store.setRoundBookkeeping(id, { taskToken: 'token-1' });
    const before = await store.getRequest(id);
    let attempts = 0;
    store.beforeSave = () => {
      attempts++;
      // The workflow's next round stores its token after this caller read token-1.
      if (attempts === 1) store.setRoundBookkeeping(id, { taskToken: 'token-2' }, { whilePending: true });
    };
    const request = await changeRequest(deps, id, (current, now) => decide(current, bob, { decision: 'reject', reason: 'no' }, now));
    expect(request.state).toBe('rejected');
    expect(attempts).toBe(2);
    expect(store.saved).toHaveLength(1);
    await relay(id, before);
    expect(workflow.finished).toEqual([{ taskToken: 'token-2', outcome: 'rejected' }]);
  });

  test('a change that ends a request with no stored token tells no workflow, and a token stored meanwhile is seen', async () => {
    const { store, workflow, relay, deps, id } = await pending();
    const before = await store.getRequest(id);
    await changeRequest(deps, id, (current, now) => decide(current, bob, { decision: 'reject', reason: 'no' }, now));
    await relay(id, before);
    expect(workflow.finished).toEqual([]);

    const other = await pending();
    const otherBefore = await other.store.getRequest(other.id);
    other.store.beforeSave = () => {
      other.store.beforeSave = undefined;
      other.store.setRoundBookkeeping(other.id, { taskToken: 'token-1' }, { whilePending: true });
    };
    await changeRequest(other.deps, other.id, (current, now) => decide(current, bob, { decision: 'reject', reason: 'no' }, now));
    await other.relay(other.id, otherBefore);
    expect(other.workflow.finished).toEqual([{ taskToken: 'token-1', outcome: 'rejected' }]);
  });

  test('a change that keeps the request pending tells the workflow nothing', async () => {
    const { store, workflow, relay, deps, id } = await pending();
    await store.setRoundBookkeeping(id, { taskToken: 'token-1' });
    const before = await store.getRequest(id);
    await decideAsUser(deps, bob, id, { decision: 'approve' });
    await relay(id, before);
    expect(workflow.finished).toEqual([]);
  });

  test('an unknown request is not found', async () => {
    const { deps } = setup();
    await expect(decideAsUser(deps, bob, '00000000-0000-4000-8000-00000000ffff', { decision: 'approve' })).rejects.toMatchObject({
      code: 'not_found',
    });
  });
});

describe('searching', () => {
  test('a user outside approvers and admins sees only their own requests; approvers see all unless mine', async () => {
    const { deps } = setup();
    await createApprovalRequest(deps, alice, body());
    await createApprovalRequest(deps, { id: 'dave', email: 'dave@example.com', emailVerified: true, groups: [] }, body());
    const own = await searchRequests(deps, alice, { limit: 10 });
    expect(own.items.map((request) => request.requester.id)).toEqual(['alice']);
    expect((await searchRequests(deps, bob, { limit: 10 })).items).toHaveLength(2);
    expect((await searchRequests(deps, bob, { limit: 10, mine: true })).items).toHaveLength(0);
  });

  test('find: approvers find any request by a value it holds, others only their own; filters still apply', async () => {
    const { deps: base, store } = setup();
    const deps = { ...base, finds: store };
    const mine = await createApprovalRequest(deps, alice, body());
    const theirs = await createApprovalRequest(deps, dave, body());
    await createApprovalRequest(deps, dave, body({ subject: { holderId: 'E-2002', cardProfile: 'PIV standard' } }));
    const ids = (page: { items: Array<{ id: string }> }) => page.items.map((request) => request.id).sort();
    expect(ids(await searchRequests(deps, bob, { limit: 10, find: 'E-1001' }))).toEqual([mine.request.id, theirs.request.id].sort());
    expect(ids(await searchRequests(deps, alice, { limit: 10, find: 'E-1001' }))).toEqual([mine.request.id]);
    expect(ids(await searchRequests(deps, alice, { limit: 10, find: theirs.request.id }))).toEqual([]);
    expect(ids(await searchRequests(deps, bob, { limit: 10, find: theirs.request.id }))).toEqual([theirs.request.id]);
    expect(ids(await searchRequests(deps, bob, { limit: 10, find: 'E-1001', state: 'approved' }))).toEqual([]);
    expect(ids(await searchRequests(deps, bob, { limit: 10, find: 'DAVE@example.com' }))).toHaveLength(2);
  });
});

describe('identity: only the listed approver decides', () => {
  async function pending() {
    const context = setup();
    const { request } = await createApprovalRequest(context.deps, alice, body());
    return { ...context, id: request.id };
  }

  test.each([
    ['a Kelvin sign (U+212A) for the k', '\u212Aarol@example.com'],
    ['a Cyrillic a', 'c\u0430rol@example.com'],
    ['a non-ASCII domain', 'carol@ex\u00e4mple.com'],
  ])('an approver whose token email has %s cannot decide (403) and nothing is written', async (_what, email) => {
    const { store, deps, id } = await pending();
    store.profiles.set('cards', { ...profile, approvers: ['bob@example.com', 'carol@example.com', 'karol@example.com'] });
    for (const decision of ['approve', 'hold'] as const) {
      await expect(
        decideAsUser(deps, { id: 'mallory', email, emailVerified: true, groups: ['approvers'] }, id, { decision }),
      ).rejects.toMatchObject({
        code: 'forbidden',
      });
    }
    expect(store.saved).toEqual([]);
  });

  test('a decision by a token whose email is not verified is 403 and writes nothing', async () => {
    const { store, deps, id } = await pending();
    for (const emailVerified of [false, undefined]) {
      await expect(decideAsUser(deps, { ...carol, emailVerified }, id, { decision: 'approve' })).rejects.toMatchObject({
        code: 'forbidden',
      });
    }
    expect(store.saved).toEqual([]);
    expect((await decideAsUser(deps, carol, id, { decision: 'approve' })).approvals).toHaveLength(1);
  });

  test('a listed approver with a verified ASCII email decides', async () => {
    const { deps, id } = await pending();
    const request = await decideAsUser(deps, carol, id, { decision: 'approve' });
    expect(request.approvals.map((approval) => approval.by.email)).toEqual(['carol@example.com']);
  });

  test('the requester cannot decide: not under another listed email (same sub), nor under their email with another sub', async () => {
    const { store, deps } = setup();
    store.profiles.set('cards', { ...profile, requiredApprovals: 1 });
    const { request } = await createApprovalRequest(deps, { ...bob, groups: [] }, body());
    expect(request.approvers).toEqual(['carol@example.com']);
    await expect(decideAsUser(deps, { ...carol, id: 'bob' }, request.id, { decision: 'approve' })).rejects.toMatchObject({
      code: 'forbidden',
    });
    const { request: second } = await createApprovalRequest(deps, { ...alice, email: 'Carol@Example.com'.toLowerCase() }, body());
    await expect(decideAsUser(deps, { ...carol, id: 'carol-second-account' }, second.id, { decision: 'approve' })).rejects.toMatchObject({
      code: 'forbidden',
    });
    expect(store.saved).toEqual([]);
  });

  test('creating as a requester needs an email that counts: non-ASCII or unverified is 403 and nothing is written', async () => {
    const { store, deps } = setup();
    await expect(createApprovalRequest(deps, { ...alice, email: '\u212Aarol@example.com' }, body())).rejects.toMatchObject({
      code: 'forbidden',
    });
    await expect(createApprovalRequest(deps, { ...alice, emailVerified: false }, body())).rejects.toMatchObject({ code: 'forbidden' });
    expect(store.requests.size).toBe(0);
  });
});

describe('callbacks: only calling systems, only to allowed prefixes', () => {
  const scoped: Identity = { ...billing, scopes: ['approvals/requests.create-on-behalf'] };
  const onBehalfOf = { id: 'alice', email: 'alice@example.com' };
  const allowing = (prefixes: string[]) => {
    const context = setup();
    context.deps.callbackUrlPrefixes = prefixes;
    return context;
  };

  test("a person's token cannot set callbackUrl, even to an allowed prefix: 403, nothing written", async () => {
    const { store, deps } = allowing(['https://hooks.example.com/approvals/']);
    await expect(createApprovalRequest(deps, alice, body({ callbackUrl: 'https://hooks.example.com/approvals/x' }))).rejects.toMatchObject({
      code: 'forbidden',
    });
    expect(store.requests.size).toBe(0);
  });

  test.each([
    'http://169.254.169.254/latest/meta-data/',
    'http://[::1]:8005/clear-store',
    'https://hooks.example.com/approvalsx',
    'https://hooks.example.com.evil.org/approvals/',
    'https://hooks.example.com@evil.org/approvals/',
    'https://user:pw@hooks.example.com/approvals/x',
    'https://hooks.example.com/approvals/../admin',
    'https://hooks.example.com/approvals/%2e%2e/admin',
    'http://hooks.example.com/approvals/x',
  ])("a calling system's callbackUrl %s outside the allowed prefixes is 400 naming callbackUrl, nothing written", async (callbackUrl) => {
    const { store, deps } = allowing(['https://hooks.example.com/approvals/']);
    await expect(createApprovalRequest(deps, scoped, body({ callbackUrl, onBehalfOf }))).rejects.toMatchObject({
      code: 'invalid_request',
      details: [expect.objectContaining({ field: 'callbackUrl' })],
    });
    expect(store.requests.size).toBe(0);
  });

  test('with no allowed prefixes no callbackUrl is accepted', async () => {
    const { store, deps } = allowing([]);
    await expect(
      createApprovalRequest(deps, scoped, body({ callbackUrl: 'https://hooks.example.com/approvals/x', onBehalfOf })),
    ).rejects.toMatchObject({
      code: 'invalid_request',
    });
    expect(store.requests.size).toBe(0);
  });

  test('a calling system under an allowed prefix: the request stores the URL as parsed and the creating client', async () => {
    const { store, deps } = allowing(['https://hooks.example.com/approvals/']);
    const { request } = await createApprovalRequest(
      deps,
      scoped,
      body({ callbackUrl: 'https://HOOKS.example.com/approvals/./billing', onBehalfOf }),
    );
    expect(request).toMatchObject({
      callbackUrl: 'https://hooks.example.com/approvals/billing',
      client: 'billing-system',
      requester: onBehalfOf,
    });
    expect(store.current(request.id)?.client).toBe('billing-system');
  });
});

describe('history paging', () => {
  async function withHistory(entries: number) {
    const context = setup();
    const { request } = await createApprovalRequest(context.deps, alice, body());
    for (let i = 1; i < entries; i++) {
      context.clock.advance(1);
      await decideAsUser(context.deps, i % 2 ? bob : carol, request.id, { decision: 'hold', comment: `hold ${i}` });
    }
    return { ...context, id: request.id };
  }

  test('GET /requests/{id} carries the first 100 entries and a cursor; the history pages the rest, oldest first', async () => {
    const { deps, store, id } = await withHistory(130);
    const first = await getRequestWithHistory(deps, alice, id);
    expect(first.history).toHaveLength(100);
    expect(first.historyNextCursor).toEqual(expect.any(String));
    expect(store.historyReads).toEqual([100]);
    const rest = await getRequestHistory(deps, bob, id, { limit: 20, cursor: first.historyNextCursor ?? undefined });
    expect(rest.items).toHaveLength(20);
    const last = await getRequestHistory(deps, bob, id, { limit: 20, cursor: rest.nextCursor ?? undefined });
    expect(last.items).toHaveLength(10);
    expect(last.nextCursor).toBeNull();
    expect([...first.history, ...rest.items, ...last.items]).toEqual(store.historyOf(id));
  });

  test('a short history has no cursor', async () => {
    const { deps, id } = await withHistory(3);
    expect(await getRequestWithHistory(deps, alice, id)).toMatchObject({
      history: [expect.anything(), expect.anything(), expect.anything()],
      historyNextCursor: null,
    });
  });

  test('the history has the read rules of the request: others get 403, an unknown request 404', async () => {
    const { deps, id } = await withHistory(2);
    const dave = user('dave');
    await expect(getRequestHistory(deps, dave, id, { limit: 10 })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(getRequestHistory(deps, alice, '00000000-0000-4000-8000-999999999999', { limit: 10 })).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(getRequestHistory(deps, alice, id, { limit: 10, cursor: 'bm90LWEtY3Vyc29y' })).rejects.toMatchObject({
      code: 'invalid_request',
    });
  });
});

describe("an admin's rights are the directory's, not only the token's (a token outlives a removal by up to an hour)", () => {
  const admin = user('admin', ['admins']);
  const profileBody = {
    name: 'Cards',
    requireApprovalFor: [],
    approvers: ['bob@example.com'],
    requiredApprovals: 1,
    remindAfter: 'PT1H',
    expireAfter: 'P1D',
  };

  test('managing a profile: an admin the directory disabled, or took out of admins, gets 403 and nothing is stored', async () => {
    for (const change of [(d: MemoryDirectory) => d.disable('admin'), (d: MemoryDirectory) => d.removeFromGroup('admin', 'admins')]) {
      const { deps, directory, store } = setup();
      directory.put({ sub: 'admin', email: 'admin@example.com', groups: ['admins'] });
      const { version } = await putProfile(deps, admin, 'cards', profileBody as never);
      change(directory);
      await expect(putProfile(deps, admin, 'cards', profileBody as never)).rejects.toMatchObject({ code: 'forbidden' });
      expect(store.profiles.get('cards')?.version).toBe(version);
    }
  });

  test("deleting another's request: 403 once the directory took the admin out; the requester still deletes their own", async () => {
    const { deps, directory, store } = setup();
    directory.put({ sub: 'admin', email: 'admin@example.com', groups: ['admins'] });
    const { request } = await createApprovalRequest(deps, alice, body());
    directory.removeFromGroup('admin', 'admins');
    await expect(deleteApprovalRequest(deps, admin, request.id)).rejects.toMatchObject({ code: 'forbidden' });
    expect(store.current(request.id)?.state).toBe('requested');
    expect((await deleteApprovalRequest(deps, alice, request.id)).state).toBe('deleted');
  });
});
