import { createRequest, decide } from '../../../functions/domain/rules';
import {
  actingText,
  actorText,
  approvalRecordedText,
  approvedByPolicy,
  endedVerb,
  stateText,
  subjectSummary,
} from '../../../console/src/format';
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

describe('who acted, where a delegate acted for an approver', () => {
  const dave = { id: 'dave', email: 'dave@example.com' };
  const carol = { id: 'carol', email: 'carol@example.com' };

  it('names the delegate for the approver they acted for (approvals, decision, hold all record `for`)', () => {
    expect(actingText({ by: dave, for: carol })).toBe('dave@example.com for carol@example.com');
  });

  it('names the person alone where they acted for themselves', () => {
    expect(actingText({ by: carol })).toBe('carol@example.com');
    expect(actingText({ by: { id: 'policy' } })).toBe('policy');
  });
});

describe('the progress of a pending request after an approval', () => {
  const stages = fixtureProfile({
    approvers: undefined,
    requiredApprovals: undefined,
    createdAt: now,
    stages: [
      { name: 'Team lead', approvers: ['carol@x.io'], requiredApprovals: 1 },
      { name: 'Security', approvers: ['dave@x.io', 'erin@x.io'], requiredApprovals: 2 },
    ],
  });

  it("counts the current stage's approvals against its quorum and names the stage, once a stage has moved on", () => {
    const pending = createRequest('r-3', body, stages, alice, now).request;
    const moved = decide(pending, carol, { decision: 'approve' }, now).request;
    expect(moved.state).toBe('requested');
    expect(moved.currentStage).toBe(1);
    // One approval in all, none yet in Security: not "1 of 2".
    expect(approvalRecordedText(moved)).toBe('Approval recorded (now at Stage 2 of 2 · Security: 0 of 2)');
  });

  it('counts the approvals of a request of one stage without a stage name', () => {
    const pending = createRequest(
      'r-4',
      body,
      fixtureProfile({ approvers: ['carol@x.io', 'dave@x.io'], requiredApprovals: 2, createdAt: now }),
      alice,
      now,
    ).request;
    expect(approvalRecordedText(decide(pending, carol, { decision: 'approve' }, now).request)).toBe('Approval recorded (1 of 2)');
  });
});
