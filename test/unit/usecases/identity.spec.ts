/**
 * People are resolved in the directory (CONTRACT: Identity): the requester a calling system names,
 * the holder, the approvers kept on a new request, the caller of an API decision, and one vote per
 * person across the API, links and addresses. Named cases; identity.property.spec.ts generates more.
 */
import type { CreateRequestBody } from '../../../functions/domain/bodies';
import type { ApprovalRequest, Identity } from '../../../functions/domain/model';
import { decideByLink } from '../../../functions/lifecycle/decide';
import type { Deps } from '../../../functions/usecases/ports';
import { createApprovalRequest } from '../../../functions/lifecycle/create';
import { decideAsUser } from '../../../functions/lifecycle/decide';
import { listTasks } from '../../../functions/usecases/requests';
import { alice, bob, carol, profile as fixtureProfile, user } from '../../helpers/memory/fixtures';
import { MemoryDirectory } from '../../helpers/memory/memory-directory';
import { FakeClock, MemoryStore, RecordingMeter, sequentialIds } from '../../helpers/memory/memory-store';
import { pendingRequest } from '../../helpers/memory/requests';

const START = '2026-11-03T10:00:00.000Z';
const billing: Identity = { id: 'billing-system', email: '', groups: [], scopes: ['approvals/requests.create-on-behalf'] };
const dave = user('dave', ['approvers']);

const profile = fixtureProfile({
  id: 'cards',
  approvers: ['bob@example.com', 'carol@example.com', 'dave@example.com'],
  requiredApprovals: 2,
  createdAt: START,
});

const body = (overrides: Partial<CreateRequestBody> = {}): CreateRequestBody => ({
  kind: 'card.request',
  profileId: 'cards',
  subject: { holderId: 'E-1001', cardProfile: 'PIV standard' },
  ...overrides,
});

function setup(...requests: ApprovalRequest[]) {
  const store = new MemoryStore(...requests);
  store.profiles.set(profile.id, profile);
  const directory = MemoryDirectory.fromIdentities(alice, bob, carol, dave);
  const deps: Deps = {
    repository: store,
    directory,
    now: new FakeClock(START).now,
    newId: sequentialIds(),
    meter: new RecordingMeter(),
  };
  return { store, directory, deps };
}

describe('onBehalfOf is a user of the directory', () => {
  test('an id the directory does not know is 400 naming onBehalfOf.id, and nothing is written', async () => {
    const { store, deps } = setup();
    await expect(
      createApprovalRequest(deps, billing, body({ onBehalfOf: { id: 'nobody', email: 'alice@example.com' } })),
    ).rejects.toMatchObject({
      code: 'invalid_request',
      details: [{ field: 'onBehalfOf.id' }],
    });
    expect(store.requests.size).toBe(0);
  });

  test("an email that is not the user's verified one is 400 naming onBehalfOf.email", async () => {
    const { store, deps } = setup();
    // Carol's sub with another address: the self-approval seen through links.
    await expect(
      createApprovalRequest(deps, billing, body({ onBehalfOf: { id: 'carol', email: 'c.smith@example.com' } })),
    ).rejects.toMatchObject({
      code: 'invalid_request',
      details: [{ field: 'onBehalfOf.email' }],
    });
    expect(store.requests.size).toBe(0);
  });

  test("an omitted email is the directory's; the requester's addresses leave the approvers", async () => {
    const { deps } = setup();
    const { request } = await createApprovalRequest(deps, billing, body({ onBehalfOf: { id: 'carol' } }));
    expect(request.requester).toEqual({ id: 'carol', email: 'carol@example.com' });
    expect(request.approvers).toEqual(['bob@example.com', 'dave@example.com']);
  });

  test('a user without a verified email, and no email given, is 400 naming onBehalfOf.email', async () => {
    const { store, deps, directory } = setup();
    directory.put({ sub: 'erin', email: 'erin@example.com', emailVerified: false });
    await expect(createApprovalRequest(deps, billing, body({ onBehalfOf: { id: 'erin' } }))).rejects.toMatchObject({
      code: 'invalid_request',
      details: [{ field: 'onBehalfOf.email' }],
    });
    expect(store.requests.size).toBe(0);
  });
});

describe('the approvers kept on a new request', () => {
  test("leave out every address of the requester's mailbox (+tag, case) and every address the requester holds in the directory", async () => {
    const { store, deps, directory } = setup();
    store.profiles.set('cards', {
      ...profile,
      approvers: ['Alice+Approvals@example.com', 'a.smith@example.com', 'bob@example.com', 'carol@example.com'],
    });
    directory.put({ sub: 'alice', email: 'a.smith@example.com', groups: [] });
    const { request } = await createApprovalRequest(deps, alice, body());
    expect(request.approvers).toEqual(['bob@example.com', 'carol@example.com']);
  });

  test('leave out the holder: subject.holderId as a directory sub, or subject.holderEmail; the holder is recorded', async () => {
    const { deps } = setup();
    const byId = await createApprovalRequest(deps, alice, body({ subject: { holderId: 'bob', cardProfile: 'PIV' } }));
    expect(byId.request.approvers).toEqual(['carol@example.com', 'dave@example.com']);
    expect(byId.request.holder).toEqual({ id: 'bob', email: 'bob@example.com' });
    const byEmail = await createApprovalRequest(
      deps,
      alice,
      body({ subject: { holderId: 'E-7', holderEmail: 'Dave+card@example.com', cardProfile: 'PIV' } }),
    );
    expect(byEmail.request.approvers).toEqual(['bob@example.com', 'carol@example.com']);
    expect(byEmail.request.holder).toEqual({ email: 'dave+card@example.com' });
  });

  test("a holder whose directory email is not verified still leaves that mailbox's addresses out", async () => {
    const { deps, directory } = setup();
    directory.put({ sub: 'dave', email: 'dave@example.com', emailVerified: false, groups: ['approvers'] });
    const { request } = await createApprovalRequest(deps, alice, body({ subject: { holderId: 'dave', cardProfile: 'PIV' } }));
    expect(request.approvers).toEqual(['bob@example.com', 'carol@example.com']);
    expect(request.holder).toEqual({ id: 'dave', email: 'dave@example.com' });
  });

  test("the holder's name comes from the directory, by holderId or by holderEmail, never from the request body", async () => {
    const { deps, directory } = setup();
    directory.put({ sub: 'holly', email: 'holly@example.com', name: 'Holly Holder' });
    const byId = await createApprovalRequest(deps, alice, body({ subject: { holderId: 'holly', cardProfile: 'PIV' } }));
    expect(byId.request.holder).toEqual({ id: 'holly', email: 'holly@example.com', name: 'Holly Holder' });
    const byEmail = await createApprovalRequest(
      deps,
      alice,
      body({ subject: { holderId: 'E-9', holderEmail: 'Holly@example.com', cardProfile: 'PIV' } }),
    );
    expect(byEmail.request.holder).toEqual({ id: 'holly', email: 'holly@example.com', name: 'Holly Holder' });
    // A holder the directory does not know has no name, whatever the body claims.
    const claimed = { ...body({ subject: { holderId: 'E-10', cardProfile: 'PIV' } }), holder: { name: 'Mallory', email: 'm@example.com' } };
    const unknown = await createApprovalRequest(deps, alice, claimed as CreateRequestBody);
    expect(unknown.request.holder).toBeUndefined();
  });

  test('a quorum the distinct people left cannot reach is 400 naming profileId, nothing written', async () => {
    const { store, deps } = setup();
    // Three addresses, but bob twice (+tag) and carol is the holder: one person is left for two approvals.
    store.profiles.set('cards', { ...profile, approvers: ['bob@example.com', 'bob+cards@example.com', 'carol@example.com'] });
    await expect(createApprovalRequest(deps, alice, body({ subject: { holderId: 'carol', cardProfile: 'PIV' } }))).rejects.toMatchObject({
      code: 'invalid_request',
      details: [{ field: 'profileId' }],
    });
    expect(store.requests.size).toBe(0);
  });
});

describe('a decision through the API is by a person the directory knows', () => {
  const request = () => pendingRequest({ approvers: ['bob@example.com', 'carol@example.com'], requiredApprovals: 2 });

  test.each([
    ['is not in the directory', (directory: MemoryDirectory) => directory.users.delete('bob')],
    ['is disabled', (directory: MemoryDirectory) => directory.disable('bob')],
    [
      'was taken out of the approvers group (the token still says approvers)',
      (directory: MemoryDirectory) => directory.removeFromGroup('bob', 'approvers'),
    ],
    [
      'has another verified email now',
      (directory: MemoryDirectory) => directory.put({ sub: 'bob', email: 'robert@example.com', groups: ['approvers'] }),
    ],
  ])('a caller who %s gets 403 and nothing is written', async (_what, change) => {
    const { store, deps, directory } = setup(request());
    change(directory);
    for (const decision of ['approve', 'hold'] as const) {
      await expect(decideAsUser(deps, bob, request().id, { decision })).rejects.toMatchObject({ code: 'forbidden' });
    }
    expect(store.saved).toEqual([]);
  });

  test("a token whose sub is one user and email another's (split sub/email) is 403", async () => {
    const { store, deps } = setup(request());
    await expect(decideAsUser(deps, { ...carol, id: 'dave' }, request().id, { decision: 'approve' })).rejects.toMatchObject({
      code: 'forbidden',
    });
    expect(store.saved).toEqual([]);
  });

  test('the requester (by sub) and the holder (by sub or by mailbox) are 403 even where listed', async () => {
    const byRequester = pendingRequest({
      requester: { id: 'bob', email: 'b.old@example.com' },
      approvers: ['bob@example.com', 'carol@example.com'],
    });
    await expect(decideAsUser(setup(byRequester).deps, bob, byRequester.id, { decision: 'approve' })).rejects.toMatchObject({
      code: 'forbidden',
    });
    const held = pendingRequest({ subject: { holderId: 'carol', cardProfile: 'PIV' } });
    await expect(decideAsUser(setup(held).deps, carol, held.id, { decision: 'approve' })).rejects.toMatchObject({ code: 'forbidden' });
    const heldByMail = pendingRequest({ holder: { email: 'carol+pki@example.com' } });
    await expect(decideAsUser(setup(heldByMail).deps, carol, heldByMail.id, { decision: 'approve' })).rejects.toMatchObject({
      code: 'forbidden',
    });
  });
});

describe('one person, one vote', () => {
  const listed = () =>
    pendingRequest({
      approvers: ['bob@example.com', 'bob+pki@example.com', 'robert@example.com', 'carol@example.com'],
      requiredApprovals: 2,
    });

  test('an approval by link, then by the API under another address of the same person, is 409 and the request stays pending', async () => {
    const { store, deps, directory } = setup(listed());
    await decideByLink(deps, { requestId: listed().id, approver: 'bob@example.com' }, { decision: 'approve' });
    directory.put({ sub: 'bob', email: 'robert@example.com', groups: ['approvers'] });
    await expect(decideAsUser(deps, { ...bob, email: 'robert@example.com' }, listed().id, { decision: 'approve' })).rejects.toMatchObject({
      code: 'conflict',
    });
    expect(store.current(listed().id)).toMatchObject({ state: 'requested', approvals: [{ by: { id: 'bob' } }] });
  });

  test('an approval under another id counts for every address of its mailbox', async () => {
    const before = { ...listed(), approvals: [{ by: { id: 'email:bob+pki@example.com', email: 'bob+pki@example.com' }, at: START }] };
    const { deps } = setup(before);
    await expect(decideAsUser(deps, bob, before.id, { decision: 'approve' })).rejects.toMatchObject({ code: 'conflict' });
  });

  test("the approver's task list agrees: no task where they approved under another address", async () => {
    const { deps, store } = setup();
    const { request } = await createApprovalRequest(deps, alice, body());
    expect((await listTasks(deps, bob, { limit: 10 })).items.map((r) => r.id)).toEqual([request.id]);
    const current = store.current(request.id) as ApprovalRequest;
    // Bob approved under an address he held before (recorded by sub); his task entry for bob@ is still there.
    store.requests.set(request.id, {
      request: { ...current, approvals: [{ by: { id: 'bob', email: 'b.old@example.com' }, at: START }] },
      rounds: {},
    });
    expect((await listTasks(deps, bob, { limit: 10 })).items).toEqual([]);
  });
});
