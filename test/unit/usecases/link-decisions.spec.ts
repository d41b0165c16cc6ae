import type { ApprovalRequest } from '../../../functions/domain/model';
import { decideByLink } from '../../../functions/lifecycle/decide';
import { showLinkDecision } from '../../../functions/usecases/link-decisions';
import { alice, bob as bobUser, carol, user } from '../../helpers/memory/fixtures';
import { MemoryDirectory } from '../../helpers/memory/memory-directory';
import { FakeClock, MemoryStore, RecordingMeter } from '../../helpers/memory/memory-store';
import { pendingRequest, REQUEST_ID } from '../../helpers/memory/requests';

const ID = REQUEST_ID;
const NOW = '2026-11-03T10:00:00.000Z';

const pending = (overrides: Partial<ApprovalRequest> = {}): ApprovalRequest =>
  pendingRequest({ createdAt: NOW, expiresAt: '2026-11-05T10:00:00.000Z', ...overrides });

function setup(request = pending()) {
  const store = new MemoryStore(request);
  const meter = new RecordingMeter();
  const directory = MemoryDirectory.fromIdentities(alice, bobUser, carol, user('mallory', ['approvers']));
  return { store, meter, directory, deps: { repository: store, directory, now: new FakeClock(NOW).now, meter } };
}

const bob = { requestId: ID, approver: 'bob@example.com' };
const linkFor = (approver: string) => ({ requestId: ID, approver });

describe('showing a link', () => {
  test('is open for a listed approver while the request is pending', async () => {
    const { deps } = setup();
    expect(await showLinkDecision(deps, bob)).toEqual({
      request: pending(),
      open: true,
      voter: { id: 'bob', email: 'bob@example.com', groups: ['approvers'] },
    });
  });

  test('is closed once the request has ended, or this approver has approved', async () => {
    expect((await showLinkDecision(setup(pending({ state: 'rejected' })).deps, bob)).open).toBe(false);
    const approvals = [{ by: { id: 'email:bob@example.com', email: 'bob@example.com' }, at: NOW }];
    expect((await showLinkDecision(setup(pending({ approvals, requiredApprovals: 2 })).deps, bob)).open).toBe(false);
  });

  test('is closed when the same person approved under another address, or by the API under their sub', async () => {
    const listed = pending({ approvers: ['bob@example.com', 'bob+cards@example.com', 'carol@example.com'], requiredApprovals: 2 });
    const byAlias = [{ by: { id: 'email:bob+cards@example.com', email: 'bob+cards@example.com' }, at: NOW }];
    expect((await showLinkDecision(setup({ ...listed, approvals: byAlias }).deps, bob)).open).toBe(false);
    const bySub = [{ by: { id: 'bob', email: 'robert@example.com' }, at: NOW }];
    expect((await showLinkDecision(setup({ ...listed, approvals: bySub }).deps, bob)).open).toBe(false);
  });

  test('refuses an approver not listed on the request, and an unknown request', async () => {
    const { deps } = setup();
    await expect(showLinkDecision(deps, linkFor('mallory@example.com'))).rejects.toMatchObject({ code: 'forbidden' });
    await expect(
      showLinkDecision(deps, { requestId: '00000000-0000-4000-8000-000000000001', approver: 'bob@example.com' }),
    ).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  test.each([
    ['disabled in the directory', (directory: MemoryDirectory) => directory.disable('bob')],
    ['taken out of the approvers group', (directory: MemoryDirectory) => directory.removeFromGroup('bob', 'approvers')],
    ['gone from the directory', (directory: MemoryDirectory) => directory.users.delete('bob')],
    [
      'no longer verified at that address',
      (directory: MemoryDirectory) => directory.put({ sub: 'bob', email: 'bob@example.com', emailVerified: false, groups: ['approvers'] }),
    ],
  ])('shows a 403 rather than a form to a listed approver %s', async (_name, change) => {
    const { deps, directory } = setup();
    change(directory);
    await expect(showLinkDecision(deps, bob)).rejects.toMatchObject({ code: 'forbidden' });
  });

  test('refuses the requester, by sub, when the link is for another of their addresses or a +tag alias of theirs', async () => {
    // Carol requested (a calling system named her); a profile lists her under two addresses.
    const request = pending({
      requester: { id: 'carol', email: 'c.smith@example.com' },
      approvers: ['carol@example.com', 'alice+approvals@example.com', 'bob@example.com'],
    });
    const { deps } = setup(request);
    await expect(showLinkDecision(deps, linkFor('carol@example.com'))).rejects.toMatchObject({
      code: 'forbidden',
      message: 'nobody may decide on a request they requested',
    });
    const aliasRequest = pending({ approvers: ['alice+approvals@example.com', 'bob@example.com'] });
    const aliased = setup(aliasRequest);
    aliased.directory.put({ sub: 'alice-2', email: 'alice+approvals@example.com', groups: ['approvers'] });
    await expect(showLinkDecision(aliased.deps, linkFor('alice+approvals@example.com'))).rejects.toMatchObject({ code: 'forbidden' });
  });

  test('refuses the holder of the card, by the sub in subject.holderId or by subject.holderEmail', async () => {
    const { deps } = setup(pending({ subject: { holderId: 'bob', cardProfile: 'PIV' } }));
    await expect(showLinkDecision(deps, bob)).rejects.toMatchObject({ code: 'forbidden' });
    const byEmail = setup(pending({ subject: { holderId: 'E-1', holderEmail: 'Bob+card@Example.com', cardProfile: 'PIV' } }));
    await expect(showLinkDecision(byEmail.deps, bob)).rejects.toMatchObject({ code: 'forbidden' });
  });
});

describe('deciding by link', () => {
  test("records the decision as the person's sub, ending the request", async () => {
    const { deps, store, meter } = setup();
    await store.setRoundBookkeeping(ID, { taskToken: 'token-1' });
    const result = await decideByLink(deps, bob, { decision: 'approve', comment: 'ok' });
    expect(meter.events).toEqual([
      ['timeToDecision', 0],
      ['decided', 'approve'],
    ]);
    expect(result).toMatchObject({
      decided: true,
      request: { state: 'approved', decision: { by: { id: 'bob', email: 'bob@example.com' } } },
    });
    expect(store.current(ID)?.approvals.map((approval) => approval.by)).toEqual([{ id: 'bob', email: 'bob@example.com' }]);
  });

  test('one person, one vote: a second approval under another listed address (a link each) is a conflict', async () => {
    const request = pending({ approvers: ['bob@example.com', 'robert@example.com', 'carol@example.com'], requiredApprovals: 2 });
    const { deps, store, directory } = setup(request);
    await decideByLink(deps, bob, { decision: 'approve' });
    // Bob's verified address changes; the profile listed him under both.
    directory.put({ sub: 'bob', email: 'robert@example.com', groups: ['approvers'] });
    const second = await decideByLink(deps, linkFor('robert@example.com'), { decision: 'approve' });
    expect(second).toMatchObject({ decided: false, reason: { code: 'conflict' } });
    expect(store.current(ID)).toMatchObject({ state: 'requested', approvals: [{ by: { id: 'bob' } }] });
  });

  test('one person, one vote: a +tag alias of an address that approved is the same mailbox', async () => {
    const request = pending({ approvers: ['bob@example.com', 'bob+cards@example.com', 'carol@example.com'], requiredApprovals: 2 });
    const { deps, store, directory } = setup(request);
    directory.put({ sub: 'bob-cards', email: 'bob+cards@example.com', groups: ['approvers'] });
    await decideByLink(deps, bob, { decision: 'approve' });
    const second = await decideByLink(deps, linkFor('bob+cards@example.com'), { decision: 'approve' });
    expect(second).toMatchObject({ decided: false, reason: { code: 'conflict' } });
    expect(store.current(ID)?.state).toBe('requested');
  });

  test('an approver taken out of the group or disabled cannot decide any more (403, nothing written)', async () => {
    const { deps, store, directory } = setup();
    directory.removeFromGroup('bob', 'approvers');
    await expect(decideByLink(deps, bob, { decision: 'approve' })).rejects.toMatchObject({ code: 'forbidden' });
    directory.put({ sub: 'carol', email: 'carol@example.com', groups: ['approvers'] }).disable('carol');
    await expect(decideByLink(deps, linkFor('carol@example.com'), { decision: 'reject', reason: 'x' })).rejects.toMatchObject({
      code: 'forbidden',
    });
    expect(store.saved).toEqual([]);
  });

  test('a request no longer pending answers with the request as it is now and why, writing nothing', async () => {
    const decided = pending({ state: 'rejected', decision: { decision: 'rejected', by: { id: 'carol' }, at: NOW, reason: 'no' } });
    const { deps, store, meter } = setup(decided);
    const result = await decideByLink(deps, bob, { decision: 'approve' });
    expect(meter.events).toEqual([]);
    expect(result).toMatchObject({ decided: false, request: { state: 'rejected' }, reason: { code: 'conflict' } });
    expect(store.saved).toEqual([]);
  });

  test('a reject without being listed is forbidden, not a conflict', async () => {
    const { deps } = setup();
    await expect(decideByLink(deps, linkFor('mallory@example.com'), { decision: 'reject', reason: 'x' })).rejects.toMatchObject({
      code: 'forbidden',
    });
  });
});
