/**
 * Property tests of the quorum and separation rules (CONTRACT: Identity, Quorum), beside the named
 * cases of identity.spec.ts: for random people (addresses with case and +tag aliases, a second
 * account on the same mailbox, unverified, disabled, out of the group), random profiles listing
 * them under any of their addresses, a random requester and holder, and random decision orders
 * through the API and links (with the directory changing in between), a request is approved only
 * when the required number of distinct eligible people approved, never with the requester or the
 * holder among them, and never twice by one person.
 */
import fc from 'fast-check';
import { DomainError } from '../../../functions/domain/errors';
import type { ApprovalRequest, Identity } from '../../../functions/domain/model';
import { decideByLink } from '../../../functions/lifecycle/decide';
import type { Deps } from '../../../functions/usecases/ports';
import { createApprovalRequest } from '../../../functions/lifecycle/create';
import { decideAsUser } from '../../../functions/lifecycle/decide';
import { profile as fixtureProfile } from '../../helpers/memory/fixtures';
import { MemoryDirectory } from '../../helpers/memory/memory-directory';
import { FakeClock, MemoryStore, RecordingMeter, sequentialIds } from '../../helpers/memory/memory-store';

const NAMES = ['ann', 'ben', 'cat', 'dan', 'eve'] as const;
const START = '2026-11-03T10:00:00.000Z';

/** One human: their mailbox is `<name>@example.com`; their directory account(s) may use another spelling of it. */
interface Person {
  name: string;
  /** How their directory email is spelled: the mailbox, with a +tag, or upper-case letters. */
  spelling: 'plain' | 'tag' | 'upper';
  verified: boolean;
  enabled: boolean;
  inGroup: boolean;
  /** A second directory account (another sub) on a +tag alias of the same mailbox. */
  twin: boolean;
}

const personArb = (name: string) =>
  fc.record({
    name: fc.constant(name),
    spelling: fc.constantFrom('plain', 'tag', 'upper'),
    verified: fc.oneof({ weight: 6, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    enabled: fc.oneof({ weight: 5, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    inGroup: fc.oneof({ weight: 5, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    twin: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  }) as fc.Arbitrary<Person>;

const directoryEmail = (person: Person) =>
  person.spelling === 'tag'
    ? `${person.name}+dir@example.com`
    : person.spelling === 'upper'
      ? `${person.name.toUpperCase()}@Example.com`
      : `${person.name}@example.com`;

/** The ways a profile may list a person (lower-cased, as the profile schema stores them). */
const listedVariants = (name: string) => [
  `${name}@example.com`,
  `${name}+dir@example.com`,
  `${name}+pki@example.com`,
  `${name}+twin@example.com`,
];

type Action =
  | { kind: 'api'; person: number; split: number | undefined; decision: 'approve' | 'hold' }
  | { kind: 'link'; address: number; decision: 'approve' | 'hold' }
  | { kind: 'disable'; person: number }
  | { kind: 'ungroup'; person: number };

const actionArb: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('api' as const),
      person: fc.nat({ max: NAMES.length - 1 }),
      split: fc.option(fc.nat({ max: NAMES.length - 1 }), { freq: 5, nil: undefined }),
      decision: fc.constantFrom('approve' as const, 'approve' as const, 'hold' as const),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('link' as const),
      address: fc.nat({ max: 40 }),
      decision: fc.constantFrom('approve' as const, 'approve' as const, 'hold' as const),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constantFrom('disable' as const, 'ungroup' as const),
      person: fc.nat({ max: NAMES.length - 1 }),
    }) as fc.Arbitrary<Action>,
  },
);

const scenarioArb = fc.record({
  people: fc.tuple(...NAMES.map(personArb)),
  listed: fc.uniqueArray(fc.tuple(fc.nat({ max: NAMES.length - 1 }), fc.nat({ max: 3 })), { minLength: 1, maxLength: 10 }),
  requiredApprovals: fc.integer({ min: 1, max: 3 }),
  requester: fc.nat({ max: NAMES.length - 1 }),
  onBehalf: fc.boolean(),
  holder: fc.option(fc.record({ person: fc.nat({ max: NAMES.length - 1 }), by: fc.constantFrom('id', 'email', 'email+tag') }), {
    nil: undefined,
  }),
  actions: fc.array(actionArb, { maxLength: 14 }),
});

/** The human an address or a sub belongs to (by mailbox: `name+anything@example.com` is `name`'s). */
const personOfAddress = (address: string) => address.toLowerCase().split('@')[0]?.split('+')[0] ?? '';
const personOfSub = (sub: string) => sub.replace(/^sub-/, '').replace(/-twin$/, '');

function world(people: Person[]) {
  const directory = new MemoryDirectory();
  for (const person of people) {
    const groups = person.inGroup ? ['approvers'] : [];
    directory.put({
      sub: `sub-${person.name}`,
      email: directoryEmail(person),
      emailVerified: person.verified,
      enabled: person.enabled,
      groups,
    });
    if (person.twin)
      directory.put({ sub: `sub-${person.name}-twin`, email: `${person.name}+twin@example.com`, enabled: person.enabled, groups });
  }
  return directory;
}

test('a request is approved only by the required number of distinct eligible people, never the requester or holder, never twice by one', async () => {
  await fc.assert(
    fc.asyncProperty(scenarioArb, async (scenario) => {
      const people = scenario.people.map((person) => ({ ...person }));
      const directory = world(people);
      const store = new MemoryStore();
      const approvers = [
        ...new Set(scenario.listed.map(([person, variant]) => listedVariants(NAMES[person] as string)[variant] as string)),
      ];
      store.profiles.set('p', fixtureProfile({ approvers, requiredApprovals: scenario.requiredApprovals, createdAt: START }));
      const deps: Deps = {
        repository: store,
        directory,
        now: new FakeClock(START).now,
        newId: sequentialIds(),
        meter: new RecordingMeter(),
      };
      const requester = people[scenario.requester] as Person;
      const holderPerson = scenario.holder ? (people[scenario.holder.person] as Person) : undefined;
      const subject: Record<string, unknown> = { holderId: 'E-1', cardProfile: 'PIV' };
      if (scenario.holder && holderPerson) {
        if (scenario.holder.by === 'id') subject.holderId = `sub-${holderPerson.name}`;
        else
          subject.holderEmail =
            scenario.holder.by === 'email' ? `${holderPerson.name}@example.com` : `${holderPerson.name.toUpperCase()}+card@example.com`;
      }
      const caller: Identity = scenario.onBehalf
        ? { id: 'billing', email: '', groups: [], scopes: ['approvals/requests.create-on-behalf'] }
        : { id: `sub-${requester.name}`, email: directoryEmail(requester).toLowerCase(), emailVerified: true, groups: [] };
      let request: ApprovalRequest;
      try {
        const body = { kind: 'card.request' as const, profileId: 'p', subject };
        ({ request } = await createApprovalRequest(
          deps,
          caller,
          scenario.onBehalf ? { ...body, onBehalfOf: { id: `sub-${requester.name}` } } : body,
        ));
      } catch (error) {
        // Refused at the edge: the quorum cannot be reached, or the directory has no verified email for onBehalfOf.
        expect(error).toBeInstanceOf(DomainError);
        expect((error as DomainError).code).toBe('invalid_request');
        return;
      }
      const parties = new Set([requester.name, ...(holderPerson ? [holderPerson.name] : [])]);
      // Separation at create: no listed address of the requester's or the holder's mailbox is kept.
      for (const address of request.approvers) expect(parties.has(personOfAddress(address))).toBe(false);

      const approvedBy = new Set<string>();
      for (const action of scenario.actions) {
        if (action.kind === 'disable' || action.kind === 'ungroup') {
          const person = people[action.person] as Person;
          for (const sub of [`sub-${person.name}`, `sub-${person.name}-twin`]) {
            if (action.kind === 'disable') directory.disable(sub);
            else directory.removeFromGroup(sub, 'approvers');
          }
          if (action.kind === 'disable') person.enabled = false;
          else person.inGroup = false;
          continue;
        }
        let actor: string;
        let attempt: Promise<unknown>;
        if (action.kind === 'api') {
          const person = people[action.person] as Person;
          const tokenOwner = action.split === undefined ? person : (people[action.split] as Person);
          actor = person.name;
          const token: Identity = {
            id: `sub-${person.name}`,
            email: directoryEmail(tokenOwner).toLowerCase(),
            emailVerified: true,
            groups: ['approvers'],
          };
          attempt = decideAsUser(deps, token, request.id, { decision: action.decision });
          // A token whose email is not the directory's verified email of its sub never counts.
          if (tokenOwner !== person || !person.verified) {
            await expect(attempt).rejects.toMatchObject({ code: 'forbidden' });
            continue;
          }
        } else {
          const address = request.approvers[action.address % request.approvers.length] as string;
          actor = personOfAddress(address);
          attempt = decideByLink(deps, { requestId: request.id, approver: address }, { decision: action.decision }).then((result) => {
            if (!result.decided) throw result.reason;
            return result;
          });
        }
        const before = store.current(request.id) as ApprovalRequest;
        const person = people.find((candidate) => candidate.name === actor) as Person;
        try {
          await attempt;
        } catch (error) {
          expect(error).toBeInstanceOf(DomainError);
          expect(['forbidden', 'conflict']).toContain((error as DomainError).code);
          continue;
        }
        // It went through: the person was eligible, not a party, the request pending, and (to approve) not counted yet.
        expect(person.enabled && person.inGroup).toBe(true);
        expect(parties.has(actor)).toBe(false);
        expect(before.state).toBe('requested');
        expect(approvedBy.has(actor)).toBe(false);
        if (action.decision === 'approve') approvedBy.add(actor);
      }

      const final = store.current(request.id) as ApprovalRequest;
      const voters = final.approvals.map((approval) => personOfSub(approval.by.id));
      // Each approval is by a distinct person (by sub and by mailbox), none of them the requester or holder.
      expect(new Set(voters).size).toBe(voters.length);
      expect(new Set(final.approvals.map((approval) => personOfAddress(approval.by.email ?? ''))).size).toBe(voters.length);
      for (const name of voters) expect(parties.has(name)).toBe(false);
      expect(new Set(voters)).toEqual(approvedBy);
      // Approved exactly when the required number of distinct people approved.
      expect(final.state === 'approved').toBe(approvedBy.size >= final.requiredApprovals);
      if (final.state === 'approved') expect(final.approvals).toHaveLength(final.requiredApprovals);
    }),
    { numRuns: 400 },
  );
});
