import { createRequest, decide } from '../../../functions/domain/rules';
import { awaitedApprovers, mayDecide, mayDecideFor, mayDelete, mayRelease } from '../../../console/src/permissions';
import { profile as fixtureProfile, user } from '../../helpers/memory/fixtures';

const now = '2026-01-01T00:00:00.000Z';
const profile = fixtureProfile({ approvers: ['carol@x.io', 'dave@x.io', 'frank@x.io'], createdAt: now });
const alice = user('alice', [], 'x.io');
const carol = user('carol', ['approvers'], 'x.io');
const dave = user('dave', ['approvers'], 'x.io');
/** Listed on the profile but not in the approvers group: the API refuses their decisions. */
const frank = user('frank', [], 'x.io');
/** In the approvers group but not listed. */
const erin = user('erin', ['approvers'], 'x.io');
const admin = user('admin', ['admins'], 'x.io');

const pending = () =>
  createRequest('r-1', { kind: 'card.request', profileId: 'p', subject: { holderId: 'h', cardProfile: 'c' } }, profile, alice, now).request;

describe('which buttons the console shows', () => {
  it('shows Release hold to every listed approver of a held request, one who approved included, and to nobody else', () => {
    expect(mayRelease(pending(), carol, now)).toBe(false);
    const approved = decide({ ...pending(), requiredApprovals: 2 }, carol, { decision: 'approve' }, now).request;
    const held = decide(approved, dave, { decision: 'hold', until: '2026-01-01T05:00:00.000Z' }, now).request;
    expect([carol, dave, frank, erin, admin, alice].filter((who) => mayRelease(held, who, now)).map((who) => who.id)).toEqual([
      'carol',
      'dave',
    ]);
  });

  it('offers decisions where the profile requires a comment (the dialog asks for it)', () => {
    expect(mayDecide({ ...pending(), requireCommentOn: ['approve', 'hold'] }, carol, now)).toBe(true);
  });

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

  it('shows decisions to an approver listed through a group: entry while the token says they are in it, as the API decides', () => {
    const staged = fixtureProfile({
      approvers: undefined,
      requiredApprovals: undefined,
      stages: [{ name: 'PKI', approvers: ['group:pki'], requiredApprovals: 1 }],
    });
    const members = { pki: [{ sub: 'erin', email: 'erin@x.io' }] };
    const body = { kind: 'card.request' as const, profileId: 'p', subject: { holderId: 'h', cardProfile: 'c' } };
    const request = createRequest('r-2', body, staged, alice, now, { members }).request;
    expect(mayDecide(request, { ...erin, groups: ['approvers', 'pki'] }, now)).toBe(true);
    expect(
      mayRelease(
        decide(request, { ...erin, groups: ['approvers', 'pki'] }, { decision: 'hold' }, now).request,
        { ...erin, groups: ['approvers', 'pki'] },
        now,
      ),
    ).toBe(true);
    // Out of the group: the API refuses them (403), so no buttons.
    expect(mayDecide(request, erin, now)).toBe(false);
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

  it('shows Delete request to admins and the requester only while pending', () => {
    const request = pending();
    expect([carol, admin, alice, frank].filter((who) => mayDelete(request, who, now)).map((who) => who.id)).toEqual(['admin', 'alice']);
    const rejected = decide(request, dave, { decision: 'reject', reason: 'no' }, now).request;
    expect(mayDelete(rejected, alice, now)).toBe(false);
    expect(mayDelete(rejected, admin, now)).toBe(false);
  });
});

describe('a delegate opening a delegated task (out of office)', () => {
  it('sees the buttons for a listed approver while their vote is open, where the profile allows delegation', () => {
    const request = pending();
    expect(mayDecideFor(request, erin, 'carol@x.io')).toBe(true);
    expect(mayDecideFor(request, erin, 'nobody@x.io')).toBe(false);
    expect(mayDecideFor({ ...request, allowDelegation: false }, erin, 'carol@x.io')).toBe(false);
    const carolVoted = decide(request, { id: 'carol', email: 'carol@x.io' }, { decision: 'approve' }, now).request;
    expect(mayDecideFor(carolVoted, erin, 'carol@x.io')).toBe(false);
    // the requester never decides on their own request, not even as a delegate
    expect(mayDecideFor(request, alice, 'carol@x.io')).toBe(false);
  });
});
