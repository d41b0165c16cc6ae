/**
 * The stages as rounds of the workflow (usecases/workflow-steps/stage-rounds.ts): a stage's start
 * ends the wait (outbox) and the next round emails the new stage; an escalation is one of the times
 * a round waits until; and whatever the policy, no approver gets more than 21 emails and an
 * execution stays within its rounds (docs/architecture.md: History events per execution).
 */
import fc from 'fast-check';
import type { DecisionBody } from '../../../functions/domain/bodies';
import { MAX_EMAILS_PER_APPROVER, MAX_REMINDERS } from '../../../functions/domain/model';
import type { Profile } from '../../../functions/domain/profile';
import { awaitingApprovers } from '../../../functions/domain/stages';
import { createApprovalRequest } from '../../../functions/lifecycle/create';
import { decideAsUser } from '../../../functions/lifecycle/decide';
import { relayChange } from '../../../functions/usecases/outbox';
import { EmailFailed } from '../../../functions/usecases/senders';
import { remindApprovers } from '../../../functions/usecases/reminders';
import { awaitDecision } from '../../../functions/usecases/workflow-steps/await-decision';
import { notifyOutcome } from '../../../functions/usecases/workflow-steps/notify-outcome';
import { planRound } from '../../../functions/usecases/workflow-steps/plan-round';
import { profile as fixtureProfile, user } from '../../helpers/memory/fixtures';
import { MemoryDirectory } from '../../helpers/memory/memory-directory';
import { MemoryStore, sequentialIds } from '../../helpers/memory/memory-store';
import { memoryStepDeps } from '../../helpers/memory/step-deps';

const START = '2026-11-03T09:00:00.000Z';
const at = (minutes: number) => new Date(Date.parse(START) + minutes * 60_000).toISOString();
const requester = user('alice');
const people = ['bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'x'].map((name) =>
  user(name, ['approvers', ...(['dave', 'erin'].includes(name) ? ['pki'] : [])]),
);
const person = (name: string) => people.find((one) => one.id === name) ?? user(name, ['approvers']);

const threeStages = fixtureProfile({
  id: 'cards',
  approvers: undefined,
  requiredApprovals: undefined,
  remindAfter: 'PT1H',
  expireAfter: 'P1D',
  stages: [
    { name: 'Team lead', approvers: ['bob@example.com'], requiredApprovals: 1 },
    { name: 'PKI officers', approvers: ['group:pki'], requiredApprovals: 2, escalateAfter: 'PT30M', escalateTo: ['frank@example.com'] },
    { name: 'Security', approvers: ['grace@example.com'], requiredApprovals: 1 },
  ],
});

function setup(profile: Profile = threeStages) {
  const store = new MemoryStore();
  store.profiles.set(profile.id, profile);
  const directory = MemoryDirectory.fromIdentities(requester, ...people);
  const step = memoryStepDeps(store, { now: START, directory });
  const deps = { ...step.deps, repository: store, newId: sequentialIds() };
  /** A decision through the API, relayed by the outbox as the stream would. */
  const decideAs = async (name: string, id: string, body: DecisionBody = { decision: 'approve' }) => {
    const before = await store.getRequest(id);
    await decideAsUser(deps, person(name), id, body);
    const after = await store.getRequest(id);
    return relayChange({ workflow: step.workflow }, { id: 'seq', kind: 'modify', before, after });
  };
  const to = () => step.mailer.sent.map((email) => email.to);
  /** A request of the profile, as its requester creates it. */
  const create = async () =>
    (
      await createApprovalRequest(deps, requester, {
        kind: 'card.request',
        profileId: profile.id,
        subject: { holderId: 'h', cardProfile: 'c' },
      })
    ).request;
  /** Runs `act` as soon as an email to `address` is sent (while the step sending it still runs). */
  const onEmailTo = (address: string, act: () => Promise<unknown>) => {
    deps.send = async (email) => {
      const id = await step.mailer.send(email);
      if (email.to === address) await act();
      return id;
    };
  };
  /** A request whose stage 2 started at minute 10 (bob approved stage 1) and was emailed by the round after. */
  const atStageTwo = async () => {
    const request = await create();
    await planRound(deps, request.id);
    await awaitDecision(deps, request.id, 'token-1');
    step.clock.set(at(10));
    await decideAs('bob', request.id);
    await planRound(deps, request.id);
    return request;
  };
  return { ...step, store, deps, directory, decideAs, to, create, onEmailTo, atStageTwo };
}

/** The three stages with stage `index` changed. */
const withStage = (index: number, change: Record<string, unknown>) =>
  fixtureProfile({ ...threeStages, stages: threeStages.stages?.map((stage, i) => (i === index ? { ...stage, ...change } : stage)) });

test("a stage's quorum ends the wait; the next round emails the new stage's approvers, naming the stage, once", async () => {
  const { deps, store, mailer, clock, decideAs, to, create } = setup();
  const request = await create();
  await planRound(deps, request.id);
  await awaitDecision(deps, request.id, 'token-1');
  expect(to()).toEqual(['bob@example.com']);
  expect(mailer.sent[0]?.subject).toContain('(Stage 1 of 3 · Team lead)');

  clock.set(at(10));
  expect(await decideAs('bob', request.id)).toBe('replanned');
  mailer.sent.length = 0;
  // The round after the replan: stage 2's approvers get their approval email; reminders start over from the stage's start.
  expect(await planRound(deps, request.id)).toMatchObject({ done: false, waitSeconds: 30 * 60 });
  expect(to()).toEqual(['dave@example.com', 'erin@example.com']);
  expect(mailer.sent[0]?.subject).toContain('(Stage 2 of 3 · PKI officers)');
  expect(mailer.sent[0]?.text).toContain('approver of Stage 2 of 3 · PKI officers; it has 0 of 2 approval(s) needed');
  expect(store.historyOf(request.id).at(-1)).toMatchObject({
    type: 'notified',
    details: { purpose: 'stage', stage: 1, recipients: ['dave@example.com', 'erin@example.com'] },
  });
  // A retried round sends nothing more.
  mailer.sent.length = 0;
  await planRound(deps, request.id);
  expect(to()).toEqual([]);
});

test("a stage that starts between a round's plan and its wait's task token ends that wait at once (the outbox saw the old token)", async () => {
  const { deps, workflow, clock, decideAs, to, mailer, create } = setup();
  const request = await create();
  await planRound(deps, request.id);
  await awaitDecision(deps, request.id, 'token-1');
  clock.set(at(10));
  const plan = await planRound(deps, request.id);
  // The stage starts now, while the workflow is between the round and its wait: the outbox closes the old token only.
  workflow.closedTokens.add('token-1');
  expect(await decideAs('bob', request.id)).toBe('closed');
  await awaitDecision(deps, request.id, 'token-2', plan.waitSeconds, plan.basis);
  expect(workflow.replanned).toEqual(['token-2']);
  mailer.sent.length = 0;
  const next = await planRound(deps, request.id);
  expect(to()).toEqual(['dave@example.com', 'erin@example.com']);
  // The next wait is a plain one.
  await awaitDecision(deps, request.id, 'token-3', next.waitSeconds, next.basis);
  expect(workflow.replanned).toEqual(['token-2']);
});

test("escalateAfter after the stage's start without its quorum, the round escalates and emails the escalated people", async () => {
  const { deps, store, mailer, clock, decideAs, to, create } = setup();
  const request = await create();
  await planRound(deps, request.id);
  await awaitDecision(deps, request.id, 'token-1');
  clock.set(at(10));
  await decideAs('bob', request.id);
  await planRound(deps, request.id);
  await decideAs('dave', request.id);
  mailer.sent.length = 0;
  clock.set(at(40));
  const plan = await planRound(deps, request.id);
  expect(to()).toEqual(['frank@example.com']);
  expect(mailer.sent[0]?.subject).toContain('Stage 2 of 3 · PKI officers');
  // Frank is told he was added by the escalation.
  expect(mailer.sent[0]?.subject).toMatch(/^Escalated: approval needed/);
  const types = store.historyOf(request.id).map((entry) => entry.type);
  expect(types.slice(-2)).toEqual(['escalated', 'notified']);
  expect(store.current(request.id)?.awaiting).toEqual(['erin@example.com', 'frank@example.com']);
  // Next: the stage's first reminder (an hour after its start), no second escalation.
  expect(plan).toMatchObject({ done: false, waitSeconds: 30 * 60 });
  mailer.sent.length = 0;
  await planRound(deps, request.id);
  expect(to()).toEqual([]);
  await decideAs('frank', request.id);
  expect(store.current(request.id)?.currentStage).toBe(2);
});

test('an escalation email deferred by SES still says, when the retried round sends it, that the person was added', async () => {
  const { deps, store, mailer, clock, atStageTwo } = setup();
  const request = await atStageTwo();
  mailer.sent.length = 0;
  clock.set(at(40));
  let throttled = false;
  mailer.failFor = (email) => {
    if (email.to !== 'frank@example.com' || throttled) return undefined;
    throttled = true;
    return new EmailFailed('ThrottlingException', true);
  };
  await expect(planRound(deps, request.id)).rejects.toMatchObject({ name: 'Approvals.EmailDeferred' });
  await planRound(deps, request.id);
  expect(mailer.sent.map((email) => [email.to, email.subject.split(' (')[0]])).toEqual([
    ['frank@example.com', 'Escalated: approval needed'],
  ]);
  const notified = store
    .historyOf(request.id)
    .filter((entry) => entry.type === 'notified')
    .at(-1);
  expect(notified?.details).toMatchObject({ purpose: 'escalation', recipients: ['frank@example.com'] });
});

test('whatever the policy (5 stages, escalations, the same person everywhere, 20 reminders), nobody gets more than 21 emails and rounds stay bounded', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.record({ required: fc.integer({ min: 1, max: 2 }), escalate: fc.boolean() }), { minLength: 1, maxLength: 5 }),
      fc.array(fc.boolean(), { minLength: 80, maxLength: 80 }),
      async (stages, approveAt) => {
        const profile = fixtureProfile({
          id: 'cards',
          approvers: undefined,
          requiredApprovals: undefined,
          remindAfter: 'PT1H',
          expireAfter: 'P1D',
          maxReminders: MAX_REMINDERS,
          stages: stages.map((stage, index) => ({
            name: `S${index}`,
            // Two of its own besides the shared ones: every stage can reach its quorum (domain/reachability.ts).
            approvers: [
              'x@example.com',
              index % 2 ? 'bob@example.com' : 'carol@example.com',
              'dave@example.com',
              `own${index}a@example.com`,
              `own${index}b@example.com`,
            ],
            requiredApprovals: stage.required,
            ...(stage.escalate ? { escalateAfter: 'PT20M', escalateTo: ['x@example.com', 'erin@example.com', 'group:pki'] } : {}),
          })),
        });
        const { deps, mailer, clock, decideAs, store } = setup(profile);
        const body = { kind: 'card.request' as const, profileId: 'cards', subject: { holderId: 'h', cardProfile: 'c' } };
        const { request } = await createApprovalRequest(deps, requester, body);
        let now = 0;
        let rounds = 0;
        for (;;) {
          const plan = await planRound(deps, request.id);
          rounds += 1;
          if (plan.done) break;
          await awaitDecision(deps, request.id, `token-${rounds}`);
          const current = store.current(request.id);
          const awaited = current ? awaitingApprovers(current) : [];
          const voter = awaited[0]?.split('@')[0];
          if (approveAt[rounds] && voter) {
            clock.set(at(now + 1));
            await decideAs(voter, request.id).catch(() => undefined);
            if (store.current(request.id)?.currentStage !== current?.currentStage) {
              now += 1;
              continue;
            }
          }
          now += plan.waitSeconds / 60;
          clock.set(at(now));
        }
        await notifyOutcome(deps, request.id);
        const perAddress = new Map<string, number>();
        for (const email of mailer.sent) perAddress.set(email.to, (perAddress.get(email.to) ?? 0) + 1);
        for (const count of perAddress.values()) expect(count).toBeLessThanOrEqual(MAX_EMAILS_PER_APPROVER);
        // Nobody decided: the limit is reached (the approval email and 20 reminders), not passed.
        if (store.current(request.id)?.approvals.length === 0) expect(Math.max(...perAddress.values())).toBe(MAX_EMAILS_PER_APPROVER);
        // Rounds: the first, one per reminder (20) and the expiry's, one per stage's start (4), one per escalation (5).
        expect(rounds).toBeLessThanOrEqual(1 + MAX_REMINDERS + 1 + 4 + 5);
      },
    ),
    { numRuns: 25, examples: [[[{ required: 1, escalate: true }], Array(80).fill(false)]] },
  );
});

test('a stage that reaches its quorum while its escalation is emailed: the same round emails the next stage (the outbox saw the old token)', async () => {
  const { deps, workflow, clock, decideAs, to, mailer, store, onEmailTo, atStageTwo } = setup();
  const request = await atStageTwo();
  await decideAs('dave', request.id);
  await awaitDecision(deps, request.id, 'token-2');
  clock.set(at(40));
  // The escalated person approves as soon as their email is sent, while the round is still running:
  // stage 2 reaches its quorum and stage 3 starts; the outbox can only reach the closed token-2.
  workflow.closedTokens.add('token-2');
  let relayed: unknown;
  onEmailTo('frank@example.com', async () => {
    relayed = await decideAs('frank', request.id);
  });
  mailer.sent.length = 0;
  const plan = await planRound(deps, request.id);
  expect(relayed).toBe('closed');
  expect(store.current(request.id)?.currentStage).toBe(2);
  expect(to()).toEqual(['frank@example.com', 'grace@example.com']);
  expect(mailer.sent[1]?.subject).toContain('Stage 3 of 3 · Security');
  // The wait is planned from stage 3 (its reminder an hour after its start) and holds.
  expect(plan).toMatchObject({ done: false, waitSeconds: 60 * 60 });
  await awaitDecision(deps, request.id, 'token-3', plan.waitSeconds, plan.basis);
  expect(workflow.replanned).toEqual(['token-1']);
});

test('a hold until a time placed while an escalation is emailed: the round waits until the hold ends (the outbox saw the old token)', async () => {
  const { deps, workflow, clock, decideAs, store, onEmailTo, atStageTwo } = setup();
  const request = await atStageTwo();
  await awaitDecision(deps, request.id, 'token-2');
  clock.set(at(40));
  workflow.closedTokens.add('token-2');
  onEmailTo('frank@example.com', () => decideAs('erin', request.id, { decision: 'hold', until: at(50) }));
  const plan = await planRound(deps, request.id);
  expect(store.current(request.id)?.hold?.until).toBe(at(50));
  // Ten minutes to the hold's end, not the thirty to the stage's next reminder.
  expect(plan).toMatchObject({ done: false, waitSeconds: 10 * 60 });
  await awaitDecision(deps, request.id, 'token-3', plan.waitSeconds, plan.basis);
  expect(workflow.replanned).not.toContain('token-3');
});

describe("an escalation due with the stage's second reminder (escalateAfter PT2H, remindAfter PT1H)", () => {
  const escalatingLater = withStage(1, { escalateAfter: 'PT2H' });

  test('the escalated get their approval email and no reminder in the same round; the others their reminder', async () => {
    const { deps, clock, mailer, atStageTwo } = setup(escalatingLater);
    const request = await atStageTwo();
    clock.set(at(70));
    await planRound(deps, request.id);
    mailer.sent.length = 0;
    clock.set(at(130));
    await planRound(deps, request.id);
    const sent = mailer.sent.map((email) => `${email.to.split('@')[0]}:${/^Reminder/.test(email.subject) ? 'reminder' : 'approval'}`);
    expect(sent.sort()).toEqual(['dave:reminder', 'erin:reminder', 'frank:approval']);
  });

  test('a hold until a time placed while the escalation is emailed: no reminder in that round', async () => {
    const { deps, clock, decideAs, mailer, workflow, onEmailTo, atStageTwo } = setup(escalatingLater);
    const request = await atStageTwo();
    clock.set(at(70));
    await planRound(deps, request.id);
    await awaitDecision(deps, request.id, 'token-2');
    workflow.closedTokens.add('token-2');
    mailer.sent.length = 0;
    clock.set(at(130));
    onEmailTo('frank@example.com', () => decideAs('erin', request.id, { decision: 'hold', until: at(180) }));
    expect(await planRound(deps, request.id)).toMatchObject({ done: false, waitSeconds: 50 * 60 });
    expect(mailer.sent.map((email) => email.to)).toEqual(['frank@example.com']);
  });
});

describe('a first stage of two approvers, one enough, while its first approval emails go out', () => {
  const twoLeads = withStage(0, { approvers: ['bob@example.com', 'carol@example.com'] });

  test('bob approves from his email: carol, not emailed yet, gets none (she can no longer decide)', async () => {
    const { deps, decideAs, store, to, create, onEmailTo } = setup(twoLeads);
    const request = await create();
    const plan = await planRound(deps, request.id);
    onEmailTo('bob@example.com', () => decideAs('bob', request.id));
    await awaitDecision(deps, request.id, 'token-1', plan.waitSeconds, plan.basis);
    expect(store.current(request.id)?.currentStage).toBe(1);
    expect(to()).toEqual(['bob@example.com']);
    expect(store.historyOf(request.id).find((entry) => entry.type === 'notified')?.details).toMatchObject({
      recipients: ['bob@example.com'],
    });
  });

  test('the round the outbox woke read the request before those emails were counted: the next wait replans and stage 2 is emailed', async () => {
    const { deps, decideAs, workflow, to, create, onEmailTo } = setup(twoLeads);
    const request = await create();
    const first = await planRound(deps, request.id);
    let second: Awaited<ReturnType<typeof planRound>> | undefined;
    // Stage 2 starts, the outbox ends the wait (token-1 is stored), and the next round runs at once.
    onEmailTo('bob@example.com', async () => {
      expect(await decideAs('bob', request.id)).toBe('replanned');
      second = await planRound(deps, request.id);
    });
    await awaitDecision(deps, request.id, 'token-1', first.waitSeconds, first.basis);
    if (!second) throw new Error('bob was not emailed');
    await awaitDecision(deps, request.id, 'token-2', second.waitSeconds, second.basis);
    expect(workflow.replanned).toContain('token-2');
    await planRound(deps, request.id);
    expect(
      to()
        .filter((address) => address !== 'bob@example.com')
        .sort(),
    ).toEqual(['dave@example.com', 'erin@example.com']);
  });
});

test("someone taken out of a stage's directory group gets no reminder for it (their link would answer 403): skipped, and refused if they decide", async () => {
  const { deps, clock, decideAs, mailer, directory, store, atStageTwo } = setup(
    withStage(1, { escalateAfter: undefined, escalateTo: undefined }),
  );
  const request = await atStageTwo();
  directory.removeFromGroup('erin', 'pki');
  mailer.sent.length = 0;
  clock.set(at(75));
  await planRound(deps, request.id);
  expect(mailer.sent.map((email) => email.to)).toEqual(['dave@example.com']);
  expect(store.historyOf(request.id).at(-1)).toMatchObject({
    type: 'reminded',
    details: { recipients: ['dave@example.com'], skipped: ['erin@example.com'] },
  });
  await expect(decideAs('erin', request.id)).rejects.toThrow(/no longer in the directory group pki/);
});

test("the requester's reminder waits a remindAfter after a new stage's approval emails, as after any other email", async () => {
  const { deps, clock, mailer, atStageTwo } = setup();
  const request = await atStageTwo();
  const remind = () => remindApprovers(deps, requester, request.id);
  clock.set(at(13));
  mailer.sent.length = 0;
  expect(await remind()).toMatchObject({ sent: false, nextAllowedAt: at(70) });
  clock.set(at(71));
  expect(await remind()).toMatchObject({ sent: true });
});
