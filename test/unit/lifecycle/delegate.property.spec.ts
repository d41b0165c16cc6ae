/**
 * Property test of delegation (CONTRACT: Delegation, Quorum), beside the named cases of
 * delegate.spec.ts: for random people, random delegations between them (chains included, active
 * or not), a random requester and holder, a profile that allows delegation or not, and random
 * decision orders through the API and delegates' links, checked after every step:
 * - a delegate never decides where delegation is forbidden;
 * - nobody counts twice: every person appears at most once over all approvals, as `by` or `for`;
 * - one hop only: an approval `for` someone is by that person's own active delegate, and the
 *   person it is for is listed; every other approval is by a listed approver;
 * - the requester and the holder never count, neither as `by` nor as `for`;
 * - the request is approved exactly when it has its quorum of approvals.
 */
import fc from 'fast-check';
import type { Delegation } from '../../../functions/domain/delegation';
import { DomainError } from '../../../functions/domain/errors';
import type { ApprovalRequest, Identity } from '../../../functions/domain/model';
import { decideAsCaller, decideByDelegateLink } from '../../../functions/lifecycle/delegate';
import type { Deps } from '../../../functions/usecases/ports';
import { MemoryDirectory } from '../../helpers/memory/memory-directory';
import { FakeClock, MemoryStore, RecordingMeter, sequentialIds } from '../../helpers/memory/memory-store';
import { pendingRequest, REQUEST_ID } from '../../helpers/memory/requests';

const NAMES = ['ann', 'ben', 'cat', 'dan', 'eve'] as const;
const NOW = '2026-11-03T10:00:00.000Z';
const email = (name: string) => `${name}@example.com`;
const person = (name: string, inGroup: boolean): Identity => ({
  id: name,
  email: email(name),
  emailVerified: true,
  groups: inGroup ? ['approvers'] : [],
});

const scenarioArb = fc.record({
  listed: fc.subarray([...NAMES], { minLength: 1 }),
  // Most people are approvers (the delegator must be one for their delegate to decide).
  outOfGroup: fc.subarray([...NAMES], { maxLength: 1 }),
  requester: fc.constantFrom(...NAMES, 'outsider', 'outsider'),
  holder: fc.constantFrom(...NAMES, 'nobody', 'nobody'),
  requiredApprovals: fc.constantFrom(1, 2, 2, 3, 3, 4),
  allowDelegation: fc.boolean(),
  // Each person may have handed over to another, active now or not (started later, ended).
  delegations: fc.array(
    fc
      .record({ from: fc.constantFrom(...NAMES), to: fc.constantFrom(...NAMES), active: fc.boolean() })
      .filter(({ from, to }) => from !== to),
    { maxLength: 8 },
  ),
  steps: fc.array(
    fc.record({
      actor: fc.constantFrom(...NAMES),
      decision: fc.oneof(
        { weight: 8, arbitrary: fc.constant('approve' as const) },
        { weight: 1, arbitrary: fc.constantFrom('hold' as const, 'reject' as const, 'release' as const) },
      ),
      // By a delegate's link: for someone who handed over to the actor (active or not) if any, else for `linkFor`.
      byLink: fc.boolean(),
      linkFor: fc.constantFrom(...NAMES),
    }),
    { maxLength: 12 },
  ),
});

test('delegates decide only where allowed, once for their delegator, one hop only, and nobody counts twice', async () => {
  await fc.assert(
    fc.asyncProperty(scenarioArb, async (scenario) => {
      const holderSubject = scenario.holder === 'nobody' ? {} : { holderId: scenario.holder };
      const request: ApprovalRequest = pendingRequest({
        createdAt: NOW,
        expiresAt: '2026-11-05T10:00:00.000Z',
        requester: { id: scenario.requester, email: email(scenario.requester) },
        subject: { cardProfile: 'PIV', ...holderSubject },
        ...(scenario.holder === 'nobody' ? {} : { holder: { id: scenario.holder, email: email(scenario.holder) } }),
        approvers: scenario.listed.filter((name) => name !== scenario.requester && name !== scenario.holder).map(email),
        requiredApprovals: scenario.requiredApprovals,
        ...(scenario.allowDelegation ? {} : { allowDelegation: false as const }),
      });
      const store = new MemoryStore(request);
      const people = NAMES.map((name) => person(name, !scenario.outOfGroup.includes(name)));
      const directory = MemoryDirectory.fromIdentities(...people);
      const active = new Map<string, string>();
      for (const { from, to, active: isActive } of scenario.delegations) {
        const delegation: Delegation = {
          delegator: { id: from, email: email(from) },
          to: { id: to, email: email(to) },
          from: isActive ? '2026-11-01T00:00:00.000Z' : '2026-11-04T00:00:00.000Z',
          until: '2026-11-10T00:00:00.000Z',
          createdAt: NOW,
        };
        store.delegations.set(from, delegation);
        if (isActive) active.set(from, to);
        else active.delete(from);
      }
      const deps: Deps = { repository: store, directory, now: new FakeClock(NOW).now, newId: sequentialIds(), meter: new RecordingMeter() };
      const parties = new Set<string>([scenario.requester, scenario.holder]);
      for (const step of scenario.steps) {
        const body = step.decision === 'reject' ? { decision: 'reject' as const, reason: 'no' } : { decision: step.decision };
        const actor = people.find((candidate) => candidate.id === step.actor) as Identity;
        try {
          if (step.byLink) {
            const delegator = [...store.delegations.values()].find((delegation) => delegation.to.id === actor.id)?.delegator.id;
            await decideByDelegateLink(deps, { requestId: REQUEST_ID, approver: actor.email, for: email(delegator ?? step.linkFor) }, body);
          } else {
            await decideAsCaller(deps, actor, REQUEST_ID, body);
          }
        } catch (error) {
          if (!(error instanceof DomainError) || !['forbidden', 'conflict'].includes(error.code)) throw error;
        }
        const current = store.current(REQUEST_ID) as ApprovalRequest;
        const counted = current.approvals.flatMap((approval) => [approval.by.id, ...(approval.for ? [approval.for.id] : [])]);
        expect(new Set(counted).size).toBe(counted.length);
        for (const approval of current.approvals) {
          expect(parties.has(approval.by.id)).toBe(false);
          if (approval.for) {
            expect(scenario.allowDelegation).toBe(true);
            expect(active.get(approval.for.id)).toBe(approval.by.id);
            expect(current.approvers).toContain(approval.for.email);
            expect(parties.has(approval.for.id)).toBe(false);
          } else {
            expect(current.approvers).toContain(approval.by.email);
          }
        }
        for (const record of [current.decision, current.hold]) {
          if (record?.for) expect(active.get(record.for.id)).toBe(record.by.id);
          if (record?.for) expect(scenario.allowDelegation).toBe(true);
        }
        expect(current.approvals.length).toBeLessThanOrEqual(current.requiredApprovals);
        expect(current.state === 'approved').toBe(current.approvals.length === current.requiredApprovals);
      }
    }),
    { numRuns: 300 },
  );
});
