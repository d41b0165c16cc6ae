import { durationSeconds } from '../../../functions/domain/duration';
import type { DomainError } from '../../../functions/domain/errors';
import type { Identity } from '../../../functions/domain/model';
import { createRequest, decide, deleteRequest, expire } from '../../../functions/domain/rules';
import { undecidedApprovers } from '../../../functions/domain/tasks';
import { profile as fixtureProfile } from '../../helpers/memory/fixtures';

const now = '2026-01-01T00:00:00.000Z';
const profile = fixtureProfile({ approvers: ['a@x.io', 'b@x.io', 'req@x.io'], createdAt: now });
const requester: Identity = { id: 'req', email: 'Req@x.io', groups: [] };
const a = { id: 'a', email: 'a@x.io' };
const b = { id: 'b', email: 'b@x.io' };
const pending = () =>
  createRequest('id-1', { kind: 'card.request', profileId: 'p', subject: { holderId: 'h', cardProfile: 'c' } }, profile, requester, now)
    .request;

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return (error as DomainError).code;
  }
  return 'no error';
};

describe('durations', () => {
  test.each([
    ['PT1S', 1],
    ['PT1H', 3600],
    ['P2DT3H4M5S', 2 * 86400 + 3 * 3600 + 4 * 60 + 5],
  ])('%s is %d seconds', (value, seconds) => expect(durationSeconds(value)).toBe(seconds));
  test.each(['P', 'PT', 'P1Y', 'P1W', '1H', 'PT0S', 'PT-1S', ''])('%s is refused', (value) =>
    expect(durationSeconds(value)).toBeUndefined(),
  );
});

describe('rules', () => {
  test('the requester is never an approver of their own request, whatever the case of the email', () => {
    expect(pending().approvers).toEqual(['a@x.io', 'b@x.io']);
  });

  test('the history records the listed addresses left out as the requester or the holder the requester named', () => {
    const body = {
      kind: 'card.request' as const,
      profileId: 'p',
      subject: { holderId: 'h', cardProfile: 'c', holderEmail: 'b@x.io' },
    };
    const created = createRequest('id-2', body, { ...profile, requiredApprovals: 1 }, requester, now);
    expect(created.request.approvers).toEqual(['a@x.io']);
    expect(created.history.details).toMatchObject({ leftOut: ['b@x.io', 'req@x.io'] });
    expect(
      createRequest(
        'id-3',
        { ...body, subject: { holderId: 'h', cardProfile: 'c' } },
        fixtureProfile({ approvers: ['a@x.io', 'b@x.io'] }),
        requester,
        now,
      ).history.details,
    ).not.toHaveProperty('leftOut');
  });

  test('a quorum that the remaining approvers cannot reach is refused', () => {
    const solo = { ...profile, approvers: ['req@x.io', 'a@x.io'] };
    expect(
      code(() =>
        createRequest('i', { kind: 'card.request', profileId: 'p', subject: { holderId: 'h', cardProfile: 'c' } }, solo, requester, now),
      ),
    ).toBe('invalid_request');
  });

  test('the expiry is the creation time plus expireAfter', () => {
    expect(pending().expiresAt).toBe('2026-01-02T00:00:00.000Z');
  });

  test('the N-th distinct approval approves; a repeat is a conflict', () => {
    const first = decide(pending(), a, { decision: 'approve' }, now);
    expect(first.outcome).toBeUndefined();
    expect(code(() => decide(first.request, a, { decision: 'approve' }, now))).toBe('conflict');
    const second = decide(first.request, b, { decision: 'approve' }, now);
    expect(second.outcome).toBe('approved');
    expect(second.request.version).toBe(3);
  });

  test('nothing can be decided once the request has ended', () => {
    const rejected = decide(pending(), a, { decision: 'reject', reason: 'no' }, now).request;
    expect(code(() => decide(rejected, b, { decision: 'hold' }, now))).toBe('conflict');
    expect(code(() => expire(rejected, '2027-01-01T00:00:00.000Z'))).toBe('conflict');
  });

  test('a request expires only once its time has come', () => {
    expect(code(() => expire(pending(), now))).toBe('conflict');
    expect(expire(pending(), '2026-01-02T00:00:00.000Z').request.state).toBe('expired');
  });

  test('the requester or an admin deletes a pending request; others never', () => {
    const admin: Identity = { id: 'adm', email: 'adm@x.io', groups: ['admins'] };
    expect(deleteRequest(pending(), requester, now).request.state).toBe('deleted');
    expect(deleteRequest(pending(), admin, now).request).toMatchObject({ state: 'deleted', decision: { decision: 'deleted' } });
    expect(code(() => deleteRequest(pending(), { id: 'other', email: 'o@x.io', groups: [] }, now))).toBe('forbidden');
  });

  describe('an ended request stays ended: deleting it is a conflict for everyone, admins included', () => {
    const admin: Identity = { id: 'adm', email: 'adm@x.io', groups: ['admins'] };
    const approved = () => decide(decide(pending(), a, { decision: 'approve' }, now).request, b, { decision: 'approve' }, now).request;
    const ended = {
      approved,
      rejected: () => decide(pending(), a, { decision: 'reject', reason: 'no' }, now).request,
      expired: () => expire(pending(), '2027-01-01T00:00:00.000Z').request,
      deleted: () => deleteRequest(pending(), requester, now).request,
    };
    test.each(Object.keys(ended) as Array<keyof typeof ended>)('%s', (state) => {
      const request = ended[state]();
      expect(request.state).toBe(state);
      for (const who of [admin, requester, { ...admin, groups: ['admins', 'approvers'] }]) {
        expect(code(() => deleteRequest(request, who, now))).toBe('conflict');
      }
    });
  });

  test('reminders go to the approvers who have not approved', () => {
    const first = decide(pending(), a, { decision: 'approve' }, now).request;
    expect(undecidedApprovers(first)).toEqual(['b@x.io']);
  });
});
