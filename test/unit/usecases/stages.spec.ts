/**
 * Ordered stages through the use cases (CONTRACT: Approval policy, Quorum): `group:` entries
 * resolved in the directory at create and at the stage's start, who may decide in which stage,
 * the stage's start written with its history, and the tasks following the current stage.
 */
import { createApprovalRequest } from '../../../functions/lifecycle/create';
import { decideAsUser, decideByLink } from '../../../functions/lifecycle/decide';
import { decideAsCaller, decideByDelegateLink } from '../../../functions/lifecycle/delegate';
import type { Deps } from '../../../functions/usecases/ports';
import { listTasks } from '../../../functions/usecases/requests';
import { alice, bob, carol, delegation, profile as fixtureProfile, user } from '../../helpers/memory/fixtures';
import { MemoryDirectory } from '../../helpers/memory/memory-directory';
import { FakeClock, MemoryStore, RecordingMeter, sequentialIds } from '../../helpers/memory/memory-store';

const START = '2026-11-03T10:00:00.000Z';
const dave = user('dave', ['approvers', 'pki']);
const erin = user('erin', ['approvers', 'pki']);
const frank = user('frank', ['approvers']);

const profile = fixtureProfile({
  id: 'cards',
  approvers: undefined,
  requiredApprovals: undefined,
  stages: [
    { name: 'Team lead', approvers: ['bob@example.com'], requiredApprovals: 1 },
    { name: 'PKI officers', approvers: ['group:pki'], requiredApprovals: 2 },
  ],
  createdAt: START,
});
const body = { kind: 'card.request' as const, profileId: 'cards', subject: { holderId: 'E-1001', cardProfile: 'PIV standard' } };

function setup() {
  const store = new MemoryStore();
  store.profiles.set(profile.id, profile);
  const directory = MemoryDirectory.fromIdentities(alice, bob, carol, dave, erin, frank);
  const deps: Deps = { repository: store, directory, now: new FakeClock(START).now, newId: sequentialIds(), meter: new RecordingMeter() };
  return { store, directory, deps };
}

test("a group stage's members are resolved in the directory; its approvers get 403 until it starts, then decide", async () => {
  const { store, deps } = setup();
  const { request } = await createApprovalRequest(deps, alice, body);
  expect(request.stages?.[1]?.approvers).toEqual(['dave@example.com', 'erin@example.com']);
  await expect(decideAsUser(deps, dave, request.id, { decision: 'approve' })).rejects.toMatchObject({ code: 'forbidden' });
  expect(await listTasks(deps, dave, { limit: 10 })).toMatchObject({ items: [] });

  const started = await decideAsUser(deps, bob, request.id, { decision: 'approve' });
  expect(started.currentStage).toBe(1);
  expect(store.historyOf(request.id).map((entry) => entry.type)).toEqual(['created', 'approval', 'stage-started']);
  expect((await listTasks(deps, dave, { limit: 10 })).items.map((item) => item.id)).toEqual([request.id]);
  expect((await listTasks(deps, bob, { limit: 10 })).items).toEqual([]);

  await decideAsUser(deps, dave, request.id, { decision: 'approve' });
  const approved = await decideAsUser(deps, erin, request.id, { decision: 'approve' });
  expect(approved.state).toBe('approved');
});

test('someone added to the group after the create is an approver once the stage starts; someone taken out decides no more', async () => {
  const { deps, directory } = setup();
  const { request } = await createApprovalRequest(deps, alice, body);
  directory.put({ sub: 'frank', email: 'frank@example.com', groups: ['approvers', 'pki'] });
  directory.removeFromGroup('erin', 'pki');
  const started = await decideAsUser(deps, bob, request.id, { decision: 'approve' });
  expect(started.approvers).toEqual(['dave@example.com', 'frank@example.com']);
  await expect(decideAsUser(deps, erin, request.id, { decision: 'approve' })).rejects.toMatchObject({ code: 'forbidden' });
  await decideAsUser(deps, user('frank', ['approvers', 'pki']), request.id, { decision: 'approve' });
  // A link of a group member who left the group since the stage started: 403 too.
  directory.removeFromGroup('dave', 'pki');
  await expect(decideByLink(deps, { requestId: request.id, approver: 'dave@example.com' }, { decision: 'approve' })).rejects.toMatchObject({
    code: 'forbidden',
  });
});

test("a delegate of a group stage's member decides for them, through the API and by the delegate's link", async () => {
  const { store, deps, directory } = setup();
  const grace = user('grace');
  const henry = user('henry');
  directory.put({ sub: 'grace', email: grace.email }).put({ sub: 'henry', email: henry.email });
  store.delegations.set('erin', delegation(erin, grace));
  store.delegations.set('dave', delegation(dave, henry));
  const { request } = await createApprovalRequest(deps, alice, body);
  await decideAsUser(deps, bob, request.id, { decision: 'approve' });

  const byApi = await decideAsCaller(deps, grace, request.id, { decision: 'approve' });
  expect(byApi.approvals.at(-1)).toMatchObject({ by: { id: 'grace' }, for: { id: 'erin' }, stage: 1 });
  const link = { requestId: request.id, approver: henry.email, for: dave.email };
  const byLink = await decideByDelegateLink(deps, link, { decision: 'approve' });
  expect(byLink).toMatchObject({ decided: true, request: { state: 'approved', decision: { by: { id: 'henry' }, for: { id: 'dave' } } } });
});

test('a create whose group stage cannot reach its quorum once the requester is left out is 400, and nothing is written', async () => {
  const { store, deps } = setup();
  await expect(createApprovalRequest(deps, dave, body)).rejects.toMatchObject({
    code: 'invalid_request',
    message: expect.stringContaining('stage 2 (PKI officers)'),
  });
  expect(store.requests.size).toBe(0);
});

test("a group's members outside approvers (who may not decide) are neither counted nor listed: the create is refused when too few are left", async () => {
  const { deps, directory } = setup();
  // Grace is in pki but not in approvers: she could never decide, so stage 2 has dave and erin only.
  directory.put({ sub: 'grace', email: 'grace@example.com', groups: ['pki'] });
  const { request } = await createApprovalRequest(deps, alice, body);
  expect(request.stages?.[1]?.approvers).toEqual(['dave@example.com', 'erin@example.com']);
  directory.removeFromGroup('erin', 'approvers');
  await expect(createApprovalRequest(deps, alice, body)).rejects.toMatchObject({
    code: 'invalid_request',
    message: expect.stringContaining('stage 2 (PKI officers) of profileId cards needs 2 approval(s) but lists only 1 approver(s)'),
  });
});
