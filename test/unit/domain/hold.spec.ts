import type { DomainError } from '../../../functions/domain/errors';
import { decisionBodySchema } from '../../../functions/domain/bodies';
import { dueAt, hardLimit, holdEnded } from '../../../functions/domain/hold';
import type { ApprovalRequest } from '../../../functions/domain/model';
import { profileBodySchema } from '../../../functions/domain/profile';
import { decide, expire } from '../../../functions/domain/rules';
import { pendingRequest } from '../../helpers/memory/requests';

const CREATED = '2026-11-03T09:00:00.000Z';
const EXPIRES = '2026-11-05T09:00:00.000Z';
const b = { id: 'bob', email: 'bob@example.com' };
const c = { id: 'carol', email: 'carol@example.com' };
const at = (hours: number) => new Date(Date.parse(CREATED) + hours * 3600_000).toISOString();
const pending = (overrides: Partial<ApprovalRequest> = {}) =>
  pendingRequest({ createdAt: CREATED, expiresAt: EXPIRES, requiredApprovals: 2, ...overrides });

const failure = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    const { code, details } = error as DomainError;
    return Array.isArray(details) ? { code, fields: details.map((issue: { field: string }) => issue.field) } : { code };
  }
  return { code: 'no error' };
};

describe('hold until', () => {
  test('a hold with until records it and pauses the expiry until then', () => {
    const held = decide(pending(), b, { decision: 'hold', until: at(10) }, at(1));
    expect(held.request.hold).toMatchObject({ by: b, at: at(1), until: at(10) });
    expect(held.history).toMatchObject({ type: 'held', details: { until: at(10) } });
    expect(held.request.expiresAt).toBe(EXPIRES);
    // held 9 hours in all: the request expires 9 hours later unless released earlier
    expect(dueAt(held.request)).toBe(at(48 + 9));
  });

  test.each([
    ['in the past', at(0.5)],
    ['now', at(1)],
    ['more than 30 days ahead', at(1 + 30 * 24 + 1)],
  ])('an until %s is 400 naming until and changes nothing', (_name, until) => {
    const request = pending();
    expect(failure(() => decide(request, b, { decision: 'hold', until }, at(1)))).toEqual({ code: 'invalid_request', fields: ['until'] });
    expect(request.onHold).toBe(false);
  });

  test('an until at or after the hard limit (createdAt + 360 days) is 400 naming until', () => {
    const old = pending({ expiresAt: at(359 * 24 + 12) });
    const now = at(350 * 24);
    expect(hardLimit(old)).toBe(at(360 * 24));
    expect(failure(() => decide(old, b, { decision: 'hold', until: at(360 * 24) }, now))).toEqual({
      code: 'invalid_request',
      fields: ['until'],
    });
    expect(decide(old, b, { decision: 'hold', until: at(360 * 24 - 1) }, now).request.onHold).toBe(true);
  });

  test('a request takes at most 20 holds with until (409 after), and still holds without until', () => {
    let request = pending();
    for (let hold = 1; hold <= 20; hold++) {
      request = decide(request, b, { decision: 'hold', until: at(hold + 0.5) }, at(hold)).request;
      expect(request.timedHolds).toBe(hold);
    }
    expect(failure(() => decide(request, c, { decision: 'hold', until: at(22) }, at(21)))).toEqual({ code: 'conflict' });
    expect(decide(request, c, { decision: 'hold' }, at(21)).request.timedHolds).toBe(20);
  });

  test('the body refuses an until on anything but a hold, and a malformed one', () => {
    expect(decisionBodySchema.safeParse({ decision: 'approve', until: at(3) }).error?.issues[0]?.path).toEqual(['until']);
    expect(decisionBodySchema.safeParse({ decision: 'hold', until: 'tomorrow' }).error?.issues[0]?.path).toEqual(['until']);
    expect(decisionBodySchema.safeParse({ decision: 'hold', until: '2026-11-04T10:00:00+02:00' }).success).toBe(true);
  });

  test('the request does not expire while held until a time, even past its old expiresAt', () => {
    const held = decide(pending(), b, { decision: 'hold', until: at(60) }, at(40)).request;
    expect(failure(() => expire(held, at(50)))).toEqual({ code: 'conflict' });
    // still decidable past the old expiry while held
    expect(decide(held, c, { decision: 'approve' }, at(50)).request.approvals).toHaveLength(1);
  });

  test('at until the hold ends: onHold false, expiresAt later by the time held, history hold-ended', () => {
    const held = decide(pending(), b, { decision: 'hold', until: at(10) }, at(1)).request;
    expect(failure(() => holdEnded(held, at(9)))).toEqual({ code: 'conflict' });
    const ended = holdEnded(held, at(10.5));
    expect(ended.request).toMatchObject({ onHold: false, expiresAt: at(48 + 9) });
    expect(ended.history).toMatchObject({
      type: 'hold-ended',
      actor: { id: 'workflow' },
      details: { until: at(10), heldSeconds: 9 * 3600 },
    });
  });

  test('the expiry never moves past createdAt + 360 days', () => {
    const late = pending({ expiresAt: at(359 * 24) });
    const held = decide(late, b, { decision: 'hold', until: at(359 * 24 + 20) }, at(358 * 24)).request;
    expect(holdEnded(held, at(359 * 24 + 20)).request.expiresAt).toBe(hardLimit(late));
  });

  test('an approval ends the hold and moves the expiry by the time held so far', () => {
    const held = decide(pending(), b, { decision: 'hold', until: at(10) }, at(1)).request;
    const approved = decide(held, c, { decision: 'approve' }, at(4));
    expect(approved.request).toMatchObject({ onHold: false, expiresAt: at(48 + 3), state: 'requested' });
    expect(approved.history.details).toMatchObject({ heldSeconds: 3 * 3600 });
  });

  test('a rejection ends the hold', () => {
    const held = decide(pending(), b, { decision: 'hold', until: at(10) }, at(1)).request;
    expect(decide(held, c, { decision: 'reject', reason: 'no' }, at(2)).request).toMatchObject({ onHold: false, state: 'rejected' });
  });

  test('a new hold ends the one before it (its time counted) and starts its own', () => {
    const first = decide(pending(), b, { decision: 'hold', until: at(10) }, at(1)).request;
    const second = decide(first, c, { decision: 'hold', until: at(20) }, at(3));
    expect(second.request.expiresAt).toBe(at(48 + 2));
    expect(second.request.hold).toMatchObject({ by: c, at: at(3), until: at(20) });
    expect(second.history.details).toMatchObject({ previousHold: { heldSeconds: 2 * 3600 } });
  });

  test('a hold without until keeps the expiry as it is', () => {
    const held = decide(pending(), b, { decision: 'hold' }, at(1)).request;
    expect(dueAt(held)).toBe(EXPIRES);
    expect(decide(held, c, { decision: 'release' }, at(5)).request.expiresAt).toBe(EXPIRES);
  });
});

describe('release', () => {
  test('any listed approver releases a hold: pending, onHold false, history hold-released, expiry moved', () => {
    const held = decide(pending(), b, { decision: 'hold', until: at(10) }, at(1)).request;
    const released = decide(held, c, { decision: 'release' }, at(2));
    expect(released.request).toMatchObject({ state: 'requested', onHold: false, expiresAt: at(49) });
    expect(released.history).toMatchObject({ type: 'hold-released', actor: c, details: { heldSeconds: 3600, until: at(10) } });
    expect(released.outcome).toBeUndefined();
  });

  test('an approver who approved already may release', () => {
    const approved = decide(pending(), c, { decision: 'approve' }, at(1)).request;
    const held = decide(approved, b, { decision: 'hold' }, at(2)).request;
    expect(decide(held, c, { decision: 'release' }, at(3)).request.onHold).toBe(false);
  });

  test('a release when the request is not on hold is 409', () => {
    expect(failure(() => decide(pending(), b, { decision: 'release' }, at(1)))).toEqual({ code: 'conflict' });
  });
});

describe('requireCommentOn', () => {
  const strict = () => pending({ requireCommentOn: ['approve', 'hold'] });

  test.each([
    ['approve', undefined],
    ['approve', '   '],
    ['hold', undefined],
  ] as const)('%s without a non-blank comment is 400 naming comment', (decision, comment) => {
    expect(failure(() => decide(strict(), b, { decision, ...(comment === undefined ? {} : { comment }) }, at(1)))).toEqual({
      code: 'invalid_request',
      fields: ['comment'],
    });
  });

  test('with a comment, or for a kind not listed, the decision is taken', () => {
    expect(decide(strict(), b, { decision: 'approve', comment: 'checked the CSR' }, at(1)).request.approvals).toHaveLength(1);
    const onlyHold = pending({ requireCommentOn: ['hold'] });
    expect(decide(onlyHold, b, { decision: 'approve' }, at(1)).request.approvals).toHaveLength(1);
  });

  test('the profile field takes approve and hold only, and unknown values are 400 naming the field', () => {
    const base = { name: 'p', requireApprovalFor: [], approvers: [], requiredApprovals: 1, remindAfter: 'PT1H', expireAfter: 'P1D' };
    expect(profileBodySchema.parse({ ...base, requireCommentOn: ['hold', 'approve', 'hold'] }).requireCommentOn).toEqual([
      'hold',
      'approve',
    ]);
    const refused = profileBodySchema.safeParse({ ...base, requireCommentOn: ['reject'] });
    expect(refused.error?.issues[0]?.path).toEqual(['requireCommentOn', 0]);
  });
});
