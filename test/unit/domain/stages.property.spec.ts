/**
 * Stages under random profiles, people, groups and decision orders (fast-check): a request is
 * approved exactly when every stage, in order, got its quorum of distinct eligible people; nobody
 * counts twice; the requester, the holder and people outside a stage's groups never count.
 */
import fc from 'fast-check';
import type { ApprovalRequest, Identity } from '../../../functions/domain/model';
import { assertListedApprover, createRequest, decide } from '../../../functions/domain/rules';
import type { StageRule } from '../../../functions/domain/stage-rules';
import { stageOfApproval } from '../../../functions/domain/stages';
import { profile as fixtureProfile } from '../../helpers/memory/fixtures';

const PEOPLE = ['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6'];
const GROUPS = ['g0', 'g1'];
const NOW = '2026-11-03T10:00:00.000Z';
const email = (person: string) => `${person}@example.com`;

const scenario = fc.record({
  requester: fc.constantFrom(...PEOPLE),
  holder: fc.constantFrom(...PEOPLE),
  /** Group membership when the request is created (and when each stage starts). */
  membership: fc.dictionary(fc.constantFrom(...GROUPS), fc.subarray(PEOPLE), { minKeys: 2, maxKeys: 2 }),
  stages: fc.array(
    fc.record({
      entries: fc.subarray([...PEOPLE.map(email), ...GROUPS.map((group) => `group:${group}`)], { minLength: 1 }),
      requiredApprovals: fc.integer({ min: 1, max: 3 }),
    }),
    { minLength: 1, maxLength: 4 },
  ),
  /** Who tries to approve, in order (anyone, eligible or not). */
  attempts: fc.array(fc.constantFrom(...PEOPLE), { maxLength: 25 }),
  /** Groups each person is in when deciding (the directory's answer then). */
  leftGroups: fc.subarray(PEOPLE),
});
type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

const membersOf = (s: Scenario) =>
  Object.fromEntries(GROUPS.map((group) => [group, (s.membership[group] ?? []).map((person) => ({ sub: person, email: email(person) }))]));
const groupsOf = (s: Scenario, person: string) =>
  s.leftGroups.includes(person) ? ['approvers'] : ['approvers', ...GROUPS.filter((group) => s.membership[group]?.includes(person))];

/** Who may count in a stage, by the policy's words alone (the model the request is checked against). */
function eligible(s: Scenario, stage: Scenario['stages'][number], person: string): boolean {
  if (person === s.requester || person === s.holder) return false;
  if (stage.entries.includes(email(person))) return true;
  return stage.entries.some(
    (entry) => entry.startsWith('group:') && s.membership[entry.slice(6)]?.includes(person) && !s.leftGroups.includes(person),
  );
}

/** The people a stage lists at create (its groups as resolved then), the requester and holder left out. */
const listed = (s: Scenario, stage: Scenario['stages'][number]) =>
  PEOPLE.filter(
    (person) =>
      person !== s.requester &&
      person !== s.holder &&
      (stage.entries.includes(email(person)) ||
        stage.entries.some((entry) => entry.startsWith('group:') && s.membership[entry.slice(6)]?.includes(person))),
  );

/** Whether distinct people can give each stage what it still needs, one vote per person (tried every way). */
function assignable(candidates: string[][], needs: number[], used: ReadonlySet<string> = new Set()): boolean {
  const [first, ...rest] = candidates;
  const [need = 0, ...later] = needs;
  if (!first) return true;
  if (need === 0) return assignable(rest, later, used);
  // Each set of people is tried once: the stage's others come after this person.
  return first.some(
    (person, index) => !used.has(person) && assignable([first.slice(index + 1), ...rest], [need - 1, ...later], new Set(used).add(person)),
  );
}

/**
 * Whether the stages from `current` can still get their quorums, given who voted and who voted where.
 * `now`: judged as the service can while the request runs, a later stage with a group taken as
 * reachable (its groups are resolved again when it starts); else every stage as listed (the create).
 */
const stillReachable = (s: Scenario, current: number, voted: ReadonlySet<string>, perStage: string[][], now = true) =>
  assignable(
    s.stages.slice(current).map((stage) => listed(s, stage).filter((person) => !voted.has(person))),
    s.stages
      .slice(current)
      .map((stage, offset) =>
        now && offset > 0 && stage.entries.some((entry) => entry.startsWith('group:'))
          ? 0
          : Math.max(0, stage.requiredApprovals - (perStage[current + offset]?.length ?? 0)),
      ),
  );

/**
 * The model: walk the attempts, stage by stage; a distinct eligible person's approval counts once,
 * unless it would leave the stages out of reach that were within reach before it; a stage that
 * starts out of reach rejects the request.
 */
function modelOutcome(s: Scenario): { state: 'approved' | 'rejected' | 'requested'; perStage: string[][] } {
  const voted = new Set<string>();
  const perStage: string[][] = s.stages.map(() => []);
  let current = 0;
  for (const person of s.attempts) {
    const stage = s.stages[current];
    if (!stage || voted.has(person) || !eligible(s, stage, person)) continue;
    const after = perStage.map((people, index) => (index === current ? [...people, person] : people));
    if (stillReachable(s, current, voted, perStage) && !stillReachable(s, current, new Set(voted).add(person), after)) continue;
    voted.add(person);
    perStage[current]?.push(person);
    if ((perStage[current]?.length ?? 0) < stage.requiredApprovals) continue;
    current += 1;
    if (current < s.stages.length && !stillReachable(s, current, voted, perStage)) return { state: 'rejected', perStage };
  }
  return { state: current === s.stages.length ? 'approved' : 'requested', perStage };
}

/** Whether the stages can all get their quorums from distinct people they list (requester and holder left out) at create. */
const reachable = (s: Scenario) => stillReachable(s, 0, new Set(), [], false);

test('approved exactly when every stage in order got its quorum of distinct eligible people; nobody counts twice', () => {
  fc.assert(
    fc.property(scenario, (s) => {
      const rules: StageRule[] = s.stages.map((stage, index) => ({
        name: `S${index}`,
        approvers: stage.entries,
        requiredApprovals: stage.requiredApprovals,
      }));
      const profile = fixtureProfile({ approvers: undefined, requiredApprovals: undefined, stages: rules });
      const requester: Identity = { id: s.requester, email: email(s.requester), emailVerified: true, groups: [] };
      const body = { kind: 'card.request' as const, profileId: 'p', subject: { holderId: s.holder, cardProfile: 'c' } };
      const members = membersOf(s);
      let request: ApprovalRequest;
      try {
        request = createRequest('r', body, profile, requester, NOW, { members, holder: { id: s.holder, email: email(s.holder) } }).request;
      } catch (error) {
        expect((error as { code: string }).code).toBe('invalid_request');
        expect(reachable(s)).toBe(false);
        return;
      }
      expect(reachable(s)).toBe(true);
      for (const person of s.attempts) {
        if (request.state !== 'requested') break;
        const voter = { id: person, email: email(person), groups: groupsOf(s, person) };
        try {
          assertListedApprover(request, voter);
          request = decide(request, voter, { decision: 'approve' }, NOW, members).request;
        } catch (error) {
          expect(['forbidden', 'conflict']).toContain((error as { code: string }).code);
        }
      }
      const model = modelOutcome(s);
      expect(request.state).toBe(model.state);
      const approvers = request.approvals.map((approval) => approval.by.id);
      expect(new Set(approvers).size).toBe(approvers.length);
      expect(approvers).not.toContain(s.requester);
      expect(approvers).not.toContain(s.holder);
      for (const approval of request.approvals) {
        const stage = s.stages[stageOfApproval(approval)];
        expect(stage && eligible(s, stage, approval.by.id)).toBe(true);
      }
      expect(s.stages.map((_, index) => request.approvals.filter((a) => stageOfApproval(a) === index).map((a) => a.by.id))).toEqual(
        model.perStage,
      );
    }),
    { numRuns: 400 },
  );
});
