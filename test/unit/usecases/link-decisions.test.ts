import type { ApprovalRequest } from '../../../functions/domain/model';
import { decideByLink, showLinkDecision } from '../../../functions/usecases/link-decisions';
import { FakeClock, MemoryStore, RecordingMeter, RecordingWorkflow } from '../../support/memory-store';
import { pendingRequest, REQUEST_ID } from '../../support/requests';

const ID = REQUEST_ID;
const NOW = '2026-11-03T10:00:00.000Z';

const pending = (overrides: Partial<ApprovalRequest> = {}): ApprovalRequest =>
  pendingRequest({ createdAt: NOW, expiresAt: '2026-11-05T10:00:00.000Z', ...overrides });

function setup(request = pending()) {
  const store = new MemoryStore(request);
  const workflow = new RecordingWorkflow();
  const meter = new RecordingMeter();
  return { store, workflow, meter, deps: { repository: store, workflow, now: new FakeClock(NOW).now, meter } };
}

const bob = { requestId: ID, approver: 'bob@example.com' };

describe('showing a link', () => {
  test('is open for a listed approver while the request is pending', async () => {
    const { deps } = setup();
    expect(await showLinkDecision(deps, bob)).toEqual({ request: pending(), open: true });
  });

  test('is closed once the request has ended, or this approver has approved', async () => {
    expect((await showLinkDecision(setup(pending({ state: 'rejected' })).deps, bob)).open).toBe(false);
    const approvals = [{ by: { id: 'email:bob@example.com', email: 'bob@example.com' }, at: NOW }];
    expect((await showLinkDecision(setup(pending({ approvals, requiredApprovals: 2 })).deps, bob)).open).toBe(false);
  });

  test('refuses an approver not listed on the request, and an unknown request', async () => {
    const { deps } = setup();
    await expect(showLinkDecision(deps, { requestId: ID, approver: 'mallory@example.com' })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(
      showLinkDecision(deps, { requestId: '00000000-0000-4000-8000-000000000001', approver: 'bob@example.com' }),
    ).rejects.toMatchObject({
      code: 'not_found',
    });
  });
});

describe('deciding by link', () => {
  test('records the decision as the link approver and ends the round when it ends the request', async () => {
    const { deps, store, workflow, meter } = setup();
    await store.setRoundBookkeeping(ID, { taskToken: 'token-1' });
    const result = await decideByLink(deps, bob, { decision: 'approve', comment: 'ok' });
    expect(meter.events).toEqual([
      ['timeToDecision', 0],
      ['decided', 'approve'],
    ]);
    expect(result).toMatchObject({ decided: true, request: { state: 'approved', decision: { by: { id: 'email:bob@example.com' } } } });
    expect(workflow.finished).toEqual([{ taskToken: 'token-1', outcome: 'approved' }]);
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
    await expect(
      decideByLink(deps, { requestId: ID, approver: 'alice@example.com' }, { decision: 'reject', reason: 'x' }),
    ).rejects.toMatchObject({
      code: 'forbidden',
    });
  });
});
