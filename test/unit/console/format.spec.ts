import { createRequest, decide } from '../../../functions/domain/rules';
import { actorText, approvedByPolicy, endedVerb, stateText, subjectSummary } from '../../../console/src/format';
import { profile as fixtureProfile, user } from '../../helpers/memory/fixtures';

const now = '2026-01-01T00:00:00.000Z';
const alice = user('alice', [], 'x.io');
const carol = user('carol', ['approvers'], 'x.io');
const body = { kind: 'card.request' as const, profileId: 'p', subject: { holderId: 'h', cardProfile: 'c' } };

describe('what the console says a request is', () => {
  it('says "Approved by policy" where the profile does not require approval, and nobody approved', () => {
    const request = createRequest('r-1', body, fixtureProfile({ requireApprovalFor: [], createdAt: now }), alice, now).request;
    expect(request.state).toBe('approved');
    expect(approvedByPolicy(request)).toBe(true);
    expect(stateText(request)).toBe('Approved by policy');
    expect(endedVerb(request)).toBe('Decided');
    expect(actorText(request.decision?.by ?? { id: '' })).toBe('policy');
  });

  it('says "Approved" and names the approver where a person approved', () => {
    const pending = createRequest(
      'r-2',
      body,
      fixtureProfile({ approvers: ['carol@x.io'], requiredApprovals: 1, createdAt: now }),
      alice,
      now,
    ).request;
    expect(stateText(pending)).toBe('Requested');
    const approved = decide(pending, carol, { decision: 'approve' }, now).request;
    expect(approved.state).toBe('approved');
    expect(approvedByPolicy(approved)).toBe(false);
    expect(stateText(approved)).toBe('Approved');
    expect(actorText(approved.decision?.by ?? { id: '' })).toBe('carol@x.io');
  });

  it.each([
    ['expired', 'Expired'],
    ['deleted', 'Deleted'],
    ['rejected', 'Decided'],
  ] as const)('words the end of a %s request as "%s"', (state, verb) => {
    expect(endedVerb({ state })).toBe(verb);
  });

  it('names the workflow as the service', () => {
    expect(actorText({ id: 'workflow' })).toBe('the service');
  });
});

describe('the subject line of a card request in a list', () => {
  it("names the holder by the directory's name with their id, or by the id alone", () => {
    const card = { kind: 'card.request' as const, subject: { holderId: 'holly', cardProfile: 'PIV' } };
    expect(subjectSummary(card)).toBe('PIV for holly');
    expect(subjectSummary({ ...card, holder: { id: 'holly', email: 'holly@x.io', name: 'Holly Holder' } })).toBe(
      'PIV for Holly Holder (holly)',
    );
    expect(subjectSummary({ kind: 'card.lock', subject: { cardSerial: 'S-1', holderId: 'holly' }, holder: { name: 'Holly Holder' } })).toBe(
      'Card S-1 of Holly Holder (holly)',
    );
  });
});
