import type { Identity, Profile } from '../../../functions/domain/model';
import { createRequest, decide } from '../../../functions/domain/rules';
import { awaitedApprovers, mayDecide, mayDelete } from '../../../console/src/permissions';

const now = '2026-01-01T00:00:00.000Z';
const profile: Profile = {
  id: 'p',
  name: 'P',
  requireApprovalFor: ['card.request'],
  approvers: ['carol@x.io', 'dave@x.io', 'frank@x.io'],
  requiredApprovals: 2,
  remindAfter: 'PT1H',
  expireAfter: 'P1D',
  maxReminders: 5,
  createdAt: now,
  updatedAt: now,
  version: 1,
};
const alice: Identity = { id: 'alice', email: 'alice@x.io', emailVerified: true, groups: [] };
const carol: Identity = { id: 'carol', email: 'carol@x.io', emailVerified: true, groups: ['approvers'] };
const dave: Identity = { id: 'dave', email: 'dave@x.io', emailVerified: true, groups: ['approvers'] };
/** Listed on the profile but not in the approvers group: the API refuses their decisions. */
const frank: Identity = { id: 'frank', email: 'frank@x.io', emailVerified: true, groups: [] };
/** In the approvers group but not listed. */
const erin: Identity = { id: 'erin', email: 'erin@x.io', emailVerified: true, groups: ['approvers'] };
const admin: Identity = { id: 'admin', email: 'admin@x.io', emailVerified: true, groups: ['admins'] };

const pending = () =>
  createRequest('r-1', { kind: 'card.request', profileId: 'p', subject: { holderId: 'h', cardProfile: 'c' } }, profile, alice, now).request;

describe('which buttons the console shows', () => {
  it('shows decisions only to listed members of the approvers group who have not approved yet', () => {
    const request = pending();
    expect([carol, dave, frank, erin, admin, alice].filter((who) => mayDecide(request, who, now)).map((who) => who.id)).toEqual([
      'carol',
      'dave',
    ]);
    const approvedOnce = decide(request, carol, { decision: 'approve' }, now).request;
    expect(mayDecide(approvedOnce, carol, now)).toBe(false);
    expect(mayDecide(approvedOnce, dave, now)).toBe(true);
    expect(awaitedApprovers(approvedOnce)).toEqual(['dave@x.io', 'frank@x.io']);
  });

  it('shows no decisions to a token whose email does not count (unverified), as the API refuses them', () => {
    expect(mayDecide(pending(), { ...carol, emailVerified: false }, now)).toBe(false);
    expect(mayDecide(pending(), { ...carol, emailVerified: undefined }, now)).toBe(false);
  });

  it('shows decisions on a request on hold, and none once it is decided', () => {
    const held = decide(pending(), carol, { decision: 'hold' }, now).request;
    expect(mayDecide(held, carol, now)).toBe(true);
    const rejected = decide(held, dave, { decision: 'reject', reason: 'no' }, now).request;
    expect(mayDecide(rejected, carol, now)).toBe(false);
    expect(awaitedApprovers(rejected)).toEqual([]);
  });

  it('shows Delete request to admins until deleted, and to the requester only while pending', () => {
    const request = pending();
    expect([carol, admin, alice, frank].filter((who) => mayDelete(request, who, now)).map((who) => who.id)).toEqual(['admin', 'alice']);
    const rejected = decide(request, dave, { decision: 'reject', reason: 'no' }, now).request;
    expect(mayDelete(rejected, alice, now)).toBe(false);
    expect(mayDelete(rejected, admin, now)).toBe(true);
  });
});
