import type { ApprovalRequest, Identity } from '../../../functions/domain/model';
import { createRequest, decide, deleteRequest, expire } from '../../../functions/domain/rules';
import { openTaskApprovers, taskChanges } from '../../../functions/domain/tasks';
import { profile as fixtureProfile } from '../../helpers/memory/fixtures';

const now = '2026-11-03T10:00:00.000Z';
const alice: Identity = { id: 'alice', email: 'alice@example.com', groups: [] };
const bob = { id: 'bob', email: 'bob@example.com' };
const profile = fixtureProfile({ approvers: ['bob@example.com', 'carol@example.com', 'alice@example.com'], createdAt: now });
const pending = (): ApprovalRequest =>
  createRequest('r-1', { kind: 'card.request', profileId: 'p', subject: { holderId: 'h', cardProfile: 'c' } }, profile, alice, now).request;

describe('the approvers task entries', () => {
  test('a new pending request opens one task per listed approver, the requester left out', () => {
    expect(taskChanges(undefined, pending())).toEqual({ opened: ['bob@example.com', 'carol@example.com'], closed: [] });
  });

  test('a request approved at once by policy opens none', () => {
    const request = createRequest(
      'r-2',
      { kind: 'card.lock', profileId: 'p', subject: { cardSerial: 's', holderId: 'h' } },
      profile,
      alice,
      now,
    ).request;
    expect(request.state).toBe('approved');
    expect(taskChanges(undefined, request)).toEqual({ opened: [], closed: [] });
  });

  test("an approval closes the tasks of every listed address of the approver's mailbox (+tag aliases), as hasApproved counts them", () => {
    const aliased = fixtureProfile({ approvers: ['bob@example.com', 'bob+cards@example.com', 'carol@example.com'], createdAt: now });
    const body = { kind: 'card.request' as const, profileId: 'p', subject: { holderId: 'h', cardProfile: 'c' } };
    const before = createRequest('r-1', body, aliased, alice, now).request;
    const after = decide(before, bob, { decision: 'approve' }, now).request;
    expect(taskChanges(before, after)).toEqual({ opened: [], closed: ['bob@example.com', 'bob+cards@example.com'] });
    expect(openTaskApprovers(after)).toEqual(['carol@example.com']);
  });

  test('an approval closes the task of that approver only; the request stays a task of the others', () => {
    const before = pending();
    const after = decide(before, bob, { decision: 'approve' }, now).request;
    expect(after.state).toBe('requested');
    expect(taskChanges(before, after)).toEqual({ opened: [], closed: ['bob@example.com'] });
    expect(openTaskApprovers(after)).toEqual(['carol@example.com']);
  });

  test('a hold changes no task entry: the request stays on every undecided approver list', () => {
    const before = pending();
    const after = decide(before, bob, { decision: 'hold', comment: 'later' }, now).request;
    expect(after.onHold).toBe(true);
    expect(taskChanges(before, after)).toEqual({ opened: [], closed: [] });
  });

  test.each([
    [
      'rejected',
      (request: ApprovalRequest) =>
        decide(request, { id: 'carol', email: 'carol@example.com' }, { decision: 'reject', reason: 'no' }, now).request,
    ],
    ['deleted', (request: ApprovalRequest) => deleteRequest(request, alice, now).request],
    ['expired', (request: ApprovalRequest) => expire(request, '2026-11-04T10:00:00.000Z').request],
  ])('a request %s closes the tasks of every approver still awaited', (_state, end) => {
    const before = decide(pending(), bob, { decision: 'approve' }, now).request;
    expect(taskChanges(before, end(before))).toEqual({ opened: [], closed: ['carol@example.com'] });
  });

  test('the quorum reached closes the last task', () => {
    const first = decide(pending(), bob, { decision: 'approve' }, now).request;
    const last = decide(first, { id: 'carol', email: 'carol@example.com' }, { decision: 'approve' }, now).request;
    expect(last.state).toBe('approved');
    expect(taskChanges(first, last)).toEqual({ opened: [], closed: ['carol@example.com'] });
  });
});
