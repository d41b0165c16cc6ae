/**
 * One person approves once per request, across all stages: a stage can be out of reach although it
 * lists enough people. The create refuses such a request (400); an approval that would put a stage
 * out of reach is refused (409) with the stage that needs the approver.
 */
import type { Identity } from '../../../functions/domain/model';
import { decideFor } from '../../../functions/domain/delegation';
import { firstUnreachable } from '../../../functions/domain/reachability';
import { assertListedApprover, createRequest, decide } from '../../../functions/domain/rules';
import type { StageRule } from '../../../functions/domain/stage-rules';
import { profile as fixtureProfile } from '../../helpers/memory/fixtures';

const now = '2026-11-03T10:00:00.000Z';
const alice: Identity = { id: 'alice', email: 'alice@example.com', emailVerified: true, groups: [] };
const body = { kind: 'card.request' as const, profileId: 'p', subject: { holderId: 'holder-sub', cardProfile: 'PIV' } };
const person = (name: string) => ({ id: name, email: `${name}@example.com`, groups: ['approvers'] });
const listed = (...names: string[]) => names.map((name) => `${name}@example.com`);

/** A profile of these stages (no flat approvers). */
const staged = (stages: StageRule[]) => fixtureProfile({ approvers: undefined, requiredApprovals: undefined, stages });
const withStages = (...stages: Array<[string[], number]>) =>
  staged(stages.map(([approvers, requiredApprovals], index): StageRule => ({ name: `S${index + 1}`, approvers, requiredApprovals })));
/** An active delegation from `from` to `to` (both by name). */
const delegationOf = (from: string, to: string) => ({
  delegator: { id: from, email: `${from}@example.com` },
  to: { id: to, email: `${to}@example.com` },
  from: '2026-11-01T00:00:00.000Z',
  until: '2026-11-30T00:00:00.000Z',
  createdAt: '2026-11-01T00:00:00.000Z',
});
const create = (...stages: Array<[string[], number]>) => createRequest('r-1', body, withStages(...stages), alice, now).request;

function errorOf(run: () => unknown) {
  try {
    run();
  } catch (error) {
    return error as { code: string; message: string; details?: unknown };
  }
  throw new Error('expected an error');
}

const approve = (request: ReturnType<typeof create>, name: string) => {
  assertListedApprover(request, person(name));
  return decide(request, person(name), { decision: 'approve' }, now).request;
};

describe('firstUnreachable', () => {
  test('gives each missing approval a distinct person, moving earlier choices to make room', () => {
    // a can serve only stage 1 if b takes stage 2's; b is tried for stage 1 first and moved.
    expect(
      firstUnreachable([
        { people: ['b', 'a'], need: 1 },
        { people: ['b'], need: 1 },
      ]),
    ).toBe(-1);
    expect(
      firstUnreachable([
        { people: ['a'], need: 1 },
        { people: ['a', 'b'], need: 2 },
      ]),
    ).toBe(1);
    expect(
      firstUnreachable([
        { people: ['a'], need: 1 },
        { people: ['c', 'd'], need: 1 },
        { people: ['a'], need: 1 },
      ]),
    ).toBe(2);
    expect(
      firstUnreachable([
        { people: [], need: 0 },
        { people: ['a', 'b'], need: 2 },
      ]),
    ).toBe(-1);
  });
});

describe('at create', () => {
  test('a stage whose approvers an earlier stage needs is refused (400 naming profileId), though it lists enough people', () => {
    const error = errorOf(() => create([listed('bob'), 1], [listed('bob', 'carol'), 2]));
    expect(error.code).toBe('invalid_request');
    expect(error.message).toBe(
      'stage 2 (S2) of profileId p needs 2 approval(s) from people who do not approve an earlier stage, and too few of its approvers are left once the earlier stages have theirs (one person approves once per request)',
    );
    expect(error.details).toEqual([{ field: 'profileId', message: 'has too few approvers for this requester and holder' }]);
  });

  test('stages that share approvers are created when distinct people can still fill every quorum', () => {
    const request = create([listed('a', 'b', 'c'), 2], [listed('a', 'b'), 1]);
    expect(request.state).toBe('requested');
  });
});

describe('an approval that would leave a stage out of reach', () => {
  test('is refused (409) naming the stage that needs the approver; another approver of the stage approves', () => {
    const request = approve(create([listed('a', 'b', 'c'), 2], [listed('a', 'b'), 1]), 'a');
    const error = errorOf(() => approve(request, 'b'));
    expect(error.code).toBe('conflict');
    expect(error.message).toBe(
      'your approval is needed at Stage 2 of 2 · S2: approving now would leave it too few approvers to reach its quorum (one person approves once per request)',
    );
    const moved = approve(request, 'c');
    expect(moved.currentStage).toBe(1);
    expect(approve(moved, 'b').state).toBe('approved');
  });

  test('through a delegate, both votes count: the delegate needed in a later stage may not approve for the delegator', () => {
    const request = create([listed('bob'), 1], [listed('carol', 'dave'), 2]);
    const delegation = delegationOf('bob', 'dave');
    const error = errorOf(() => decideFor(request, person('dave'), person('bob'), delegation, { decision: 'approve' }, now));
    expect(error.code).toBe('conflict');
    expect(error.message).toMatch(/^your approval is needed at Stage 2 of 2 · S2/);
    // Bob approving himself leaves dave for stage 2.
    expect(approve(request, 'bob').currentStage).toBe(1);
  });

  test('a request already out of reach refuses nobody for it: the approval is taken, and the stage it starts ends the request', () => {
    const request = create([listed('bob', 'carol'), 1], [listed('dave'), 1]);
    const shrunk = { ...request, stages: request.stages?.map((stage, index) => (index === 1 ? { ...stage, approvers: [] } : stage)) };
    const ended = approve(shrunk, 'bob');
    expect(ended.approvals.map((approval) => approval.by.id)).toEqual(['bob']);
    expect(ended.state).toBe('rejected');
  });
});

describe('a stage that starts out of reach (its group lost people since the create)', () => {
  const profile = staged([
    { name: 'Team lead', approvers: listed('bob'), requiredApprovals: 1 },
    { name: 'PKI officers', approvers: ['group:pki'], requiredApprovals: 1 },
  ]);

  test('ends the request at once, rejected by the service with the stage and the reason, in the same change as the approval', () => {
    const request = createRequest('r-2', body, profile, alice, now, {
      members: { pki: [{ sub: 'dave', email: 'dave@example.com' }] },
    }).request;
    assertListedApprover(request, person('bob'));
    // Dave left pki before the stage started: its group resolves to nobody.
    const change = decide(request, person('bob'), { decision: 'approve' }, now, { pki: [] });
    const reason =
      'Stage 2 of 2 · PKI officers cannot reach its quorum: too few of its approvers may still decide (the directory changed since the request was made, or they approved an earlier stage)';
    expect(change.outcome).toBe('rejected');
    expect(change.request).toMatchObject({
      state: 'rejected',
      currentStage: null,
      decision: { decision: 'rejected', by: { id: 'workflow' }, reason },
    });
    expect(change.request.stages?.map((stage) => stage.status)).toEqual(['approved', 'rejected']);
    expect([change.history.type, ...(change.more ?? []).map((entry) => entry.type)]).toEqual(['approval', 'stage-started', 'rejected']);
  });

  test('waits when its escalation may bring people (a group), or when the group still has enough', () => {
    const escalating = fixtureProfile({
      ...profile,
      stages: [
        profile.stages?.[0] as StageRule,
        { name: 'PKI officers', approvers: ['group:pki'], requiredApprovals: 1, escalateAfter: 'PT1H', escalateTo: ['group:leads'] },
      ],
    });
    const members = { pki: [{ sub: 'dave', email: 'dave@example.com' }], leads: [] };
    const request = createRequest('r-3', body, escalating, alice, now, { members }).request;
    expect(decide(request, person('bob'), { decision: 'approve' }, now, { pki: [] }).request.state).toBe('requested');
    const plain = createRequest('r-4', body, profile, alice, now, { members }).request;
    expect(
      decide(plain, person('bob'), { decision: 'approve' }, now, { pki: [{ sub: 'erin', email: 'erin@example.com' }] }).request,
    ).toMatchObject({
      state: 'requested',
      currentStage: 1,
    });
  });
});

test('an approver who approved an earlier stage and tries again is told so (409), not that the stage ended (403)', () => {
  const request = approve(create([listed('bob', 'carol'), 1], [listed('dave', 'erin'), 1]), 'bob');
  const error = errorOf(() => approve(request, 'bob'));
  expect(error.code).toBe('conflict');
  expect(error.message).toBe('you have already approved this request');
  // Someone of an earlier stage who did not approve still gets 403: their stage ended.
  expect(errorOf(() => approve(request, 'carol')).code).toBe('forbidden');
});

describe('later stages with groups are judged when they start (their groups are resolved again then)', () => {
  test('a later group stage that lost people since the create neither refuses a vote nor rejects the request before it starts', () => {
    const three = staged([
      { name: 'Lead', approvers: listed('bob'), requiredApprovals: 1 },
      { name: 'PKI', approvers: [...listed('carol'), 'group:pki'], requiredApprovals: 1 },
      { name: 'Security', approvers: ['group:sec'], requiredApprovals: 1 },
    ]);
    const atCreate = { pki: [{ sub: 'erin', email: 'erin@example.com' }], sec: [{ sub: 'carol', email: 'carol@example.com' }] };
    const request = createRequest('r-5', body, three, alice, now, { members: atCreate }).request;
    // Erin left pki, frank joined sec: PKI starts with carol, and Security will have frank.
    const started = decide(request, person('bob'), { decision: 'approve' }, now, { pki: [] });
    expect(started.request).toMatchObject({ state: 'requested', currentStage: 1 });
    const pkiDone = decide(started.request, person('carol'), { decision: 'approve' }, now, {
      sec: [{ sub: 'frank', email: 'frank@example.com' }],
    });
    expect(pkiDone.request).toMatchObject({ state: 'requested', currentStage: 2 });
    expect(decide(pkiDone.request, { ...person('frank'), groups: ['approvers', 'sec'] }, { decision: 'approve' }, now).request.state).toBe(
      'approved',
    );
  });

  test("a vote the next stage's fresh members make harmless is not refused for its create-time list", () => {
    const two = staged([
      { name: 'Leads', approvers: listed('bob', 'carol'), requiredApprovals: 1 },
      { name: 'PKI', approvers: [...listed('bob'), 'group:pki'], requiredApprovals: 1 },
    ]);
    const request = createRequest('r-6', body, two, alice, now, { members: { pki: [] } }).request;
    // Dave joined pki since: PKI starts as bob and dave.
    const change = decide(request, person('bob'), { decision: 'approve' }, now, { pki: [{ sub: 'dave', email: 'dave@example.com' }] });
    expect(change.request).toMatchObject({ state: 'requested', currentStage: 1 });
  });

  test("a delegate's approval uses the delegator's vote too when the stage it starts is judged", () => {
    const two = staged([
      { name: 'Leads', approvers: listed('carol', 'xavier'), requiredApprovals: 1 },
      { name: 'PKI', approvers: [...listed('carol'), 'group:pki'], requiredApprovals: 1 },
    ]);
    const request = createRequest('r-7', body, two, alice, now, { members: { pki: [{ sub: 'dave', email: 'dave@example.com' }] } }).request;
    const delegation = delegationOf('carol', 'erin');
    // Dave left pki: PKI starts as carol alone, whose vote erin just cast for her.
    const change = decideFor(request, person('erin'), person('carol'), delegation, { decision: 'approve' }, now, { pki: [] });
    expect(change.request).toMatchObject({ state: 'rejected', decision: { by: { id: 'workflow' } } });
    expect(change.request.decision).not.toHaveProperty('for');
  });
});
