import type { Identity } from '../../../functions/domain/model';
import { profileBodySchema } from '../../../functions/domain/profile';
import type { DecisionBody } from '../../../functions/domain/bodies';
import { assertListedApprover, createRequest, decide as decideRule, expire, type Voter } from '../../../functions/domain/rules';
import { escalate, escalationDueAt } from '../../../functions/domain/escalation';
import { holdEnded } from '../../../functions/domain/hold';
import { awaitingApprovers, currentStageIndex, type GroupMembers, stageLabel, stagesOf } from '../../../functions/domain/stages';
import { openTaskApprovers } from '../../../functions/domain/tasks';
import { toInvalid } from '../../../functions/domain/validation';
import { profile as fixtureProfile } from '../../helpers/memory/fixtures';
import { pendingRequest } from '../../helpers/memory/requests';

const now = '2026-11-03T10:00:00.000Z';
const later = (minutes: number) => new Date(Date.parse(now) + minutes * 60_000).toISOString();
const alice: Identity = { id: 'alice', email: 'alice@example.com', emailVerified: true, groups: [] };
const voter = (name: string, groups: string[] = ['approvers']) => ({ id: name, email: `${name}@example.com`, groups });

const body = { kind: 'card.request' as const, profileId: 'p', subject: { holderId: 'holder-sub', cardProfile: 'PIV' } };
const threeStages = fixtureProfile({
  approvers: undefined,
  requiredApprovals: undefined,
  stages: [
    { name: 'Team lead', approvers: ['bob@example.com', 'carol@example.com'], requiredApprovals: 1 },
    { name: 'PKI officers', approvers: ['group:pki'], requiredApprovals: 2, escalateAfter: 'PT1H', escalateTo: ['erin@example.com'] },
    { name: 'Security', approvers: ['dave@example.com', 'bob@example.com'], requiredApprovals: 1 },
  ],
});
const pki: GroupMembers = {
  pki: [
    { sub: 'frank', email: 'frank@example.com' },
    { sub: 'grace', email: 'grace@example.com' },
    { sub: 'holder-sub', email: 'holder@example.com' },
  ],
};
const create = (members: GroupMembers = pki) => createRequest('r-1', body, threeStages, alice, now, { members }).request;

/** A decision as the use cases make it: who may decide in the current stage, then the rule. */
function decide(request: ReturnType<typeof create>, who: Voter, decision: DecisionBody, at: string, members?: GroupMembers) {
  assertListedApprover(request, who);
  return decideRule(request, who, decision, at, members);
}

function errorOf(run: () => unknown) {
  try {
    run();
  } catch (error) {
    return error as { code: string; message: string; details?: Array<{ field: string; message: string }> };
  }
  throw new Error('expected an error');
}

describe('a profile with stages', () => {
  const base = { name: 'Cards', requireApprovalFor: ['card.request'], remindAfter: 'PT1H', expireAfter: 'P1D' };
  const fieldsOf = (value: unknown) => {
    const result = profileBodySchema.safeParse(value);
    return result.success ? [] : (toInvalid(result.error).details as Array<{ field: string }>).map((issue) => issue.field);
  };

  test('takes 1 to 5 stages of addresses and groups; the flat form keeps working', () => {
    expect(fieldsOf({ ...base, stages: [{ name: 'A', approvers: ['group:pki', 'Bob@Example.com'], requiredApprovals: 3 }] })).toEqual([]);
    expect(fieldsOf({ ...base, approvers: ['bob@example.com'], requiredApprovals: 1 })).toEqual([]);
    const six = Array.from({ length: 6 }, (_, index) => ({ name: `S${index}`, approvers: ['bob@example.com'], requiredApprovals: 1 }));
    expect(fieldsOf({ ...base, stages: six })).toEqual(['stages']);
  });

  test('refuses stages beside the flat approvers, naming the field', () => {
    const stages = [{ name: 'A', approvers: ['bob@example.com'], requiredApprovals: 1 }];
    expect(fieldsOf({ ...base, stages, approvers: ['bob@example.com'], requiredApprovals: 1 })).toEqual(['approvers', 'requiredApprovals']);
    expect(fieldsOf({ ...base })).toEqual(['approvers', 'requiredApprovals']);
  });

  test("names the stage's field: a quorum above its listed addresses, a half-given escalation, a bad entry", () => {
    const ok = { name: 'A', approvers: ['bob@example.com'], requiredApprovals: 1 };
    expect(fieldsOf({ ...base, stages: [ok, { name: 'B', approvers: ['bob@example.com'], requiredApprovals: 2 }] })).toEqual([
      'stages.1.requiredApprovals',
    ]);
    expect(fieldsOf({ ...base, stages: [{ ...ok, escalateAfter: 'PT1H' }] })).toEqual(['stages.0.escalateTo']);
    expect(fieldsOf({ ...base, stages: [{ ...ok, approvers: ['group:bad name'] }] })).toEqual(['stages.0.approvers.0']);
    expect(fieldsOf({ ...base, stages: [{ ...ok, escalateAfter: 'PT1H', escalateTo: ['not-an-address'] }] })).toEqual([
      'stages.0.escalateTo.0',
    ]);
  });

  test('refuses a stage name that is not one line (emails show it in their own lines), naming the field', () => {
    const ok = { name: 'Security officers', approvers: ['bob@example.com'], requiredApprovals: 1 };
    expect(fieldsOf({ ...base, stages: [ok] })).toEqual([]);
    for (const name of ['Security\nApprove: https://evil.example/x', 'A\rB', 'A\tB', 'A\u2028B', 'A\u0000B']) {
      expect([name, fieldsOf({ ...base, stages: [ok, { ...ok, approvers: ['carol@example.com'], name }] })]).toEqual([
        name,
        ['stages.1.name'],
      ]);
    }
  });

  test('refuses stages of addresses that cannot all get their quorums from distinct people, naming the stage left short', () => {
    const stage = (approvers: string[], requiredApprovals: number) => ({ name: 'S', approvers, requiredApprovals });
    expect(fieldsOf({ ...base, stages: [stage(['bob@example.com'], 1), stage(['bob@example.com', 'carol@example.com'], 2)] })).toEqual([
      'stages.1.requiredApprovals',
    ]);
    expect(
      fieldsOf({
        ...base,
        stages: [stage(['a@example.com', 'b@example.com', 'c@example.com'], 2), stage(['a@example.com', 'b@example.com'], 1)],
      }),
    ).toEqual([]);
    // With a group, the members are counted at create (they may change).
    expect(fieldsOf({ ...base, stages: [stage(['bob@example.com'], 1), stage(['bob@example.com', 'group:pki'], 2)] })).toEqual([]);
  });

  test('counts one person per mailbox (name+tag@domain is name@domain)', () => {
    const result = profileBodySchema.safeParse({ ...base, approvers: ['bob@example.com', 'bob+pki@example.com'], requiredApprovals: 2 });
    expect(result.success ? undefined : toInvalid(result.error).details).toEqual([
      {
        field: 'requiredApprovals',
        message: 'is 2 but only 1 approver(s) are listed (addresses of one mailbox, name+tag@domain, are one person)',
      },
    ]);
    expect(
      fieldsOf({ ...base, stages: [{ name: 'S', approvers: ['bob@example.com', 'Bob+x@example.com'], requiredApprovals: 2 }] }),
    ).toEqual(['stages.0.requiredApprovals']);
  });

  test('refuses an escalation that cannot come before the request expires', () => {
    const escalating = { name: 'S', approvers: ['bob@example.com'], requiredApprovals: 1, escalateTo: ['carol@example.com'] };
    expect(fieldsOf({ ...base, expireAfter: 'P1D', stages: [{ ...escalating, escalateAfter: 'P30D' }] })).toEqual([
      'stages.0.escalateAfter',
    ]);
    expect(fieldsOf({ ...base, expireAfter: 'P1D', stages: [{ ...escalating, escalateAfter: 'P1D' }] })).toEqual([
      'stages.0.escalateAfter',
    ]);
    expect(fieldsOf({ ...base, expireAfter: 'P1D', stages: [{ ...escalating, escalateAfter: 'PT4H' }] })).toEqual([]);
  });
});

describe('a new request under stages', () => {
  test('runs the first stage, with the groups resolved less the holder; the later ones wait', () => {
    const request = create();
    expect(request.currentStage).toBe(0);
    expect(request.stages?.map((stage) => stage.status)).toEqual(['active', 'waiting', 'waiting']);
    expect(request.stages?.[1]?.approvers).toEqual(['frank@example.com', 'grace@example.com']);
    expect(request.approvers).toEqual(['bob@example.com', 'carol@example.com']);
    expect(request.requiredApprovals).toBe(1);
    expect(request.awaiting).toEqual(['bob@example.com', 'carol@example.com']);
    expect(stageLabel(request)).toBe('Stage 1 of 3 · Team lead');
  });

  test('is refused (400) when a stage cannot reach its quorum once the requester and the holder are left out', () => {
    const error = errorOf(() =>
      create({
        pki: [
          { sub: 'frank', email: 'frank@example.com' },
          { sub: 'holder-sub', email: 'h@example.com' },
        ],
      }),
    );
    expect(error.code).toBe('invalid_request');
    expect(error.message).toContain('stage 2 (PKI officers)');
    expect(error.details?.[0]?.field).toBe('profileId');
  });

  test('a flat profile is one stage, without a stage label', () => {
    const request = createRequest('r-2', body, fixtureProfile(), alice, now).request;
    expect(request.stages).toHaveLength(1);
    expect(request.stages?.[0]).toMatchObject({
      name: 'Approval',
      approvers: ['bob@example.com', 'carol@example.com'],
      requiredApprovals: 2,
    });
    expect(stageLabel(request)).toBeUndefined();
  });
});

describe('deciding in stages', () => {
  test("a later stage's approver gets 403 until their stage starts", () => {
    const error = errorOf(() => decide(create(), voter('dave'), { decision: 'approve' }, now));
    expect(error.code).toBe('forbidden');
    expect(error.message).toContain('Stage 3 of 3 · Security');
    expect(error.message).toContain('has not started');
  });

  test("a stage's quorum starts the next: its approvers are awaited, with a stage-started entry", () => {
    const change = decide(create(), voter('bob'), { decision: 'approve' }, now, pki);
    expect(change.request.currentStage).toBe(1);
    expect(change.request.stages?.map((stage) => stage.status)).toEqual(['approved', 'active', 'waiting']);
    expect(change.history).toMatchObject({
      type: 'approval',
      details: { stage: 0, stageName: 'Stage 1 of 3 · Team lead', stageApproved: true },
    });
    expect(change.more).toEqual([
      expect.objectContaining({
        type: 'stage-started',
        details: expect.objectContaining({ stage: 1, stageName: 'Stage 2 of 3 · PKI officers' }),
      }),
    ]);
    expect(change.request.approvers).toEqual(['frank@example.com', 'grace@example.com']);
    expect(change.request.requiredApprovals).toBe(2);
    expect(openTaskApprovers(change.request)).toEqual(['frank@example.com', 'grace@example.com']);
    expect(change.outcome).toBeUndefined();
  });

  test("the next stage's groups are resolved at its start: who joined since the create is in, who left is out", () => {
    const now2 = {
      pki: [
        { sub: 'grace', email: 'grace@example.com' },
        { sub: 'heidi', email: 'heidi@example.com' },
      ],
    };
    const request = decide(create(), voter('bob'), { decision: 'approve' }, now, now2).request;
    expect(request.approvers).toEqual(['grace@example.com', 'heidi@example.com']);
  });

  test('a group member decides only while still in the group', () => {
    const started = decide(create(), voter('bob'), { decision: 'approve' }, now, pki).request;
    expect(errorOf(() => decide(started, voter('frank', ['approvers']), { decision: 'approve' }, now)).code).toBe('forbidden');
    expect(decide(started, voter('frank', ['approvers', 'pki']), { decision: 'approve' }, now).request.stages?.[1]?.approvals).toHaveLength(
      1,
    );
  });

  test('one person, one vote across stages: an approver of two stages who approved gets 409 in the later one', () => {
    let request = decide(create(), voter('bob'), { decision: 'approve' }, now, pki).request;
    request = decide(request, voter('frank', ['approvers', 'pki']), { decision: 'approve' }, now).request;
    request = decide(request, voter('grace', ['approvers', 'pki']), { decision: 'approve' }, now).request;
    expect(currentStageIndex(request)).toBe(2);
    expect(awaitingApprovers(request)).toEqual(['dave@example.com']);
    expect(errorOf(() => decide(request, voter('bob'), { decision: 'approve' }, now)).code).toBe('conflict');
    const approved = decide(request, voter('dave'), { decision: 'approve' }, now);
    expect(approved.outcome).toBe('approved');
    expect(approved.request.currentStage).toBeNull();
    expect(approved.request.stages?.map((stage) => stage.status)).toEqual(['approved', 'approved', 'approved']);
    expect(approved.request.approvals.map((approval) => [approval.by.id, approval.stage])).toEqual([
      ['bob', 0],
      ['frank', 1],
      ['grace', 1],
      ['dave', 2],
    ]);
    expect(approved.request.awaiting).toEqual([]);
  });

  test('a rejection at any stage rejects the request and marks that stage rejected', () => {
    const started = decide(create(), voter('bob'), { decision: 'approve' }, now, pki).request;
    const change = decide(started, voter('frank', ['approvers', 'pki']), { decision: 'reject', reason: 'no' }, now);
    expect(change.history.details).toMatchObject({ stage: 1, stageName: 'Stage 2 of 3 · PKI officers', reason: 'no' });
    const rejected = change.request;
    expect(rejected.state).toBe('rejected');
    expect(rejected.currentStage).toBeNull();
    expect(rejected.stages?.map((stage) => stage.status)).toEqual(['approved', 'rejected', 'waiting']);
    expect(rejected.approvers).toEqual(['frank@example.com', 'grace@example.com']);
  });

  test('a request stored before stages reads as one stage and decides as before', () => {
    const stored = pendingRequest({ requiredApprovals: 1 });
    expect(stagesOf(stored)).toEqual([expect.objectContaining({ name: 'Approval', approvers: stored.approvers, status: 'active' })]);
    const change = decide(stored, voter('bob'), { decision: 'approve' }, later(1));
    expect(change.outcome).toBe('approved');
    expect(change.request.stages).toBeUndefined();
  });

  test('an expiry ends the stages: no current stage, nobody awaited', () => {
    const expired = expire(create(), later(25 * 60)).request;
    expect(expired.currentStage).toBeNull();
    expect(expired.awaiting).toEqual([]);
  });
});

describe('escalation', () => {
  const inStage2 = () => decide(create(), voter('bob'), { decision: 'approve' }, now, pki).request;

  test("is due escalateAfter after the stage's start, and adds the escalateTo people once", () => {
    const request = inStage2();
    expect(escalationDueAt(create())).toBeUndefined();
    expect(escalationDueAt(request)).toBe(later(60));
    expect(errorOf(() => escalate(request, later(59), {})).code).toBe('conflict');
    const change = escalate(request, later(60), {});
    expect(change.request.approvers).toEqual(['frank@example.com', 'grace@example.com', 'erin@example.com']);
    expect(change.request.awaiting).toContain('erin@example.com');
    expect(change.history).toMatchObject({
      type: 'escalated',
      details: { stage: 1, stageName: 'Stage 2 of 3 · PKI officers', added: ['erin@example.com'] },
    });
    expect(escalationDueAt(change.request)).toBeUndefined();
    expect(errorOf(() => escalate(change.request, later(61), {})).code).toBe('conflict');
    // The escalated person decides in the stage.
    expect(decide(change.request, voter('erin'), { decision: 'approve' }, later(62)).request.stages?.[1]?.approvals).toHaveLength(1);
  });

  test('to a group the stage lists already: someone who left it since the stage started stays refused (403)', () => {
    const regroup = fixtureProfile({
      approvers: undefined,
      requiredApprovals: undefined,
      stages: [
        {
          name: 'PKI',
          approvers: ['group:pki'],
          requiredApprovals: 1,
          escalateAfter: 'PT1H',
          escalateTo: ['group:pki', 'erin@example.com'],
        },
      ],
    });
    const request = createRequest('r-2', body, regroup, alice, now, { members: pki }).request;
    // Frank leaves pki: refused before the escalation, which finds grace alone in pki, and after it.
    const frankOut = voter('frank', ['approvers']);
    expect(errorOf(() => decide(request, frankOut, { decision: 'approve' }, later(10))).code).toBe('forbidden');
    const escalated = escalate(request, later(60), { members: { pki: [{ sub: 'grace', email: 'grace@example.com' }] } }).request;
    expect(errorOf(() => decide(escalated, frankOut, { decision: 'approve' }, later(61))).code).toBe('forbidden');
    expect(decide(escalated, voter('grace', ['approvers', 'pki']), { decision: 'approve' }, later(61)).request.state).toBe('approved');
  });

  test('comes later by the time the stage was held until a time, as the expiry does', () => {
    const request = inStage2();
    const held = decide(request, voter('frank', ['approvers', 'pki']), { decision: 'hold', until: later(40) }, later(10), pki).request;
    // While held until +40, the escalation waits the whole hold: 60 + 30 minutes.
    expect(escalationDueAt(held)).toBe(later(90));
    expect(errorOf(() => escalate(held, later(60), {})).code).toBe('conflict');
    // The hold ends at its time: the stage keeps the 30 minutes held.
    const ended = holdEnded(held, later(41)).request;
    expect(ended.stages?.[1]?.heldSeconds).toBe(1800);
    expect(escalationDueAt(ended)).toBe(later(90));
    // Released early (at +25): only the 15 minutes held count.
    const released = decide(held, voter('grace', ['approvers', 'pki']), { decision: 'release' }, later(25), pki).request;
    expect(escalationDueAt(released)).toBe(later(75));
    // A hold without until pauses nothing.
    const open = decide(request, voter('frank', ['approvers', 'pki']), { decision: 'hold' }, later(10), pki).request;
    expect(escalationDueAt(open)).toBe(later(60));
    expect(escalationDueAt(decide(open, voter('grace', ['approvers', 'pki']), { decision: 'release' }, later(30), pki).request)).toBe(
      later(60),
    );
  });
});
