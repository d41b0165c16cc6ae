import fc from 'fast-check';
import { hardLimit } from '../../../functions/domain/hold';
import { type ApprovalRequest, MAX_EMAILS_PER_APPROVER } from '../../../functions/domain/model';
import { decide, type Voter } from '../../../functions/domain/rules';
import { changeRequest } from '../../../functions/lifecycle/change';
import { awaitDecision } from '../../../functions/usecases/workflow-steps/await-decision';
import { planRound } from '../../../functions/usecases/workflow-steps/plan-round';
import { bob, carol } from '../../helpers/memory/fixtures';
import { MemoryStore } from '../../helpers/memory/memory-store';
import { pendingRequest, REQUEST_ID } from '../../helpers/memory/requests';
import { memoryStepDeps } from '../../helpers/memory/step-deps';

const ID = REQUEST_ID;
const CREATED = '2026-11-03T09:00:00.000Z';
const at = (hours: number) => new Date(Date.parse(CREATED) + hours * 3600_000).toISOString();
const B: Voter = { id: bob.id, email: bob.email };
const C: Voter = { id: carol.id, email: carol.email };

function setup(overrides: Partial<ApprovalRequest> = {}) {
  const request = pendingRequest({
    requiredApprovals: 2,
    remindAfter: 'PT4H',
    expireAfter: 'PT12H',
    createdAt: CREATED,
    expiresAt: at(12),
    ...overrides,
  });
  const store = new MemoryStore(request);
  const { deps, mailer, clock, workflow } = memoryStepDeps(store, { now: at(0) });
  const decideAs = (voter: Voter, body: Parameters<typeof decide>[2]) =>
    changeRequest(deps, ID, (current, now) => decide(current, voter, body, now));
  return { store, mailer, clock, deps, decideAs, workflow };
}

const types = (store: MemoryStore) => store.historyOf(ID).map((entry) => entry.type);

describe('rounds of a request held until a time', () => {
  test('while held, a due reminder is not sent and the round waits until the hold ends, even past the old expiry', async () => {
    const { deps, store, mailer, clock, decideAs } = setup();
    await awaitDecision(deps, ID, 'token-1');
    clock.set(at(1));
    await decideAs(B, { decision: 'hold', until: at(14) });
    clock.set(at(4));
    mailer.sent.length = 0;
    expect(await planRound(deps, ID)).toMatchObject({ done: false, waitSeconds: 10 * 3600 });
    clock.set(at(12.5));
    expect(await planRound(deps, ID)).toMatchObject({ done: false, waitSeconds: 1.5 * 3600 });
    expect(mailer.sent).toEqual([]);
    expect(store.current(ID)?.state).toBe('requested');
  });

  test("a release between a round's plan and its wait's task token ends that wait at once: the next round reminds as due", async () => {
    const { deps, mailer, clock, decideAs, workflow } = setup();
    await awaitDecision(deps, ID, 'token-1');
    clock.set(at(1));
    await decideAs(B, { decision: 'hold', until: at(10) });
    clock.set(at(5));
    // Planned from the hold: wait until it ends, the reminder due since hour 4 not sent.
    const plan = await planRound(deps, ID);
    expect(plan).toMatchObject({ done: false, waitSeconds: 5 * 3600, basis: `0|${at(10)}|${at(12)}` });
    // The release lands before the wait stores its token: the outbox could only end the old wait.
    await decideAs(C, { decision: 'release' });
    await awaitDecision(deps, ID, 'token-2', plan.waitSeconds, plan.basis);
    expect(workflow.replanned).toEqual(['token-2']);
    mailer.sent.length = 0;
    const next = await planRound(deps, ID);
    expect(mailer.sent.map((email) => email.tags.purpose)).toEqual(['reminder', 'reminder']);
    await awaitDecision(deps, ID, 'token-3', next.waitSeconds, next.basis);
    expect(workflow.replanned).toEqual(['token-2']);
  });

  test("an approval short of the quorum between a round's plan and its wait changes nothing the wait depends on: no replan", async () => {
    const { deps, clock, decideAs, workflow } = setup();
    await awaitDecision(deps, ID, 'token-1');
    clock.set(at(1));
    const plan = await planRound(deps, ID);
    await decideAs(C, { decision: 'approve' });
    await awaitDecision(deps, ID, 'token-2', plan.waitSeconds, plan.basis);
    expect(workflow.replanned).toEqual([]);
  });

  test('at the hold end the approvers who have not decided get the approval email again, the expiry moves, history hold-ended', async () => {
    const { deps, store, mailer, clock, decideAs } = setup({ requiredApprovals: 2 });
    await awaitDecision(deps, ID, 'token-1');
    clock.set(at(1));
    await decideAs(C, { decision: 'approve' });
    await decideAs(B, { decision: 'hold', until: at(3) });
    mailer.sent.length = 0;
    clock.set(at(3));
    const plan = await planRound(deps, ID);
    expect(mailer.sent.map((email) => [email.to, email.tags.purpose])).toEqual([['bob@example.com', 'hold-ended']]);
    expect(mailer.sent[0]?.subject).toMatch(/^Hold ended, approval needed/);
    expect(mailer.sent[0]?.text).toContain('The hold on this request ended');
    expect(store.current(ID)).toMatchObject({ onHold: false, expiresAt: at(14) });
    expect(store.historyOf(ID).at(-1)).toMatchObject({
      type: 'hold-ended',
      details: { until: at(3), heldSeconds: 7200, expiresAt: at(14), recipients: ['bob@example.com'] },
    });
    // the next reminder is a remindAfter after the re-email
    expect(plan).toMatchObject({ done: false, waitSeconds: 4 * 3600 });
    expect((await store.getRequest(ID))?.rounds).toMatchObject({ reminders: 1, holdEmails: 1, nextReminderAt: at(7) });
    // a retried round finds the hold over and sends nothing more
    mailer.sent.length = 0;
    await planRound(deps, ID);
    expect(mailer.sent).toEqual([]);
  });

  test('a decision while the hold-end emails go out: they are recorded and counted, and the reminders still all follow', async () => {
    const { deps, store, mailer, clock, decideAs } = setup({ maxReminders: 1, expireAfter: 'PT48H', expiresAt: at(48) });
    await awaitDecision(deps, ID, 'token-1');
    clock.set(at(1));
    await decideAs(B, { decision: 'hold', until: at(2) });
    clock.set(at(2));
    mailer.sent.length = 0;
    deps.send = async (email) => {
      const id = await mailer.send(email);
      if (email.to === 'bob@example.com') await decideAs(B, { decision: 'approve' });
      return id;
    };
    await planRound(deps, ID);
    expect(mailer.sent.map((email) => email.to)).toEqual(['bob@example.com', 'carol@example.com']);
    expect(store.historyOf(ID).at(-1)).toMatchObject({
      type: 'notified',
      details: { purpose: 'hold-ended', recipients: ['bob@example.com', 'carol@example.com'] },
    });
    expect((await store.getRequest(ID))?.rounds).toMatchObject({ reminders: 1, holdEmails: 1 });
    // Carol's one profile reminder a remindAfter later.
    deps.send = mailer.send;
    mailer.sent.length = 0;
    clock.set(at(6));
    await planRound(deps, ID);
    expect(mailer.sent.map((email) => [email.to, email.tags.purpose])).toEqual([['carol@example.com', 'reminder']]);
  });

  test('a round that dies after counting the hold-end emails and before ending the hold: its retry emails nobody again', async () => {
    const { deps, store, mailer, clock, decideAs } = setup();
    await awaitDecision(deps, ID, 'token-1');
    clock.set(at(1));
    await decideAs(B, { decision: 'hold', until: at(2) });
    clock.set(at(2));
    mailer.sent.length = 0;
    const save = store.saveChange.bind(store);
    store.saveChange = async () => {
      store.saveChange = save;
      throw Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' });
    };
    await expect(planRound(deps, ID)).rejects.toThrow('throttled');
    await planRound(deps, ID);
    expect(mailer.sent.map((email) => email.to)).toEqual(['bob@example.com', 'carol@example.com']);
    expect(store.current(ID)?.onHold).toBe(false);
    expect((await store.getRequest(ID))?.rounds).toMatchObject({ reminders: 1, holdEmails: 1 });
    expect(types(store).filter((type) => type === 'hold-ended')).toHaveLength(1);
  });

  test('a re-email does not use up the profile maxReminders: the reminders still all follow', async () => {
    const { deps, store, mailer, clock, decideAs } = setup({ maxReminders: 1, expireAfter: 'PT48H', expiresAt: at(48) });
    await awaitDecision(deps, ID, 'token-1');
    clock.set(at(1));
    await decideAs(B, { decision: 'hold', until: at(2) });
    clock.set(at(2));
    await planRound(deps, ID);
    clock.set(at(6));
    mailer.sent.length = 0;
    await planRound(deps, ID);
    expect(mailer.sent.map((email) => email.tags.purpose)).toEqual(['reminder', 'reminder']);
    expect(types(store)).toEqual(['notified', 'held', 'hold-ended', 'reminded']);
  });

  test('after a release, reminders resume and the hold end sends nothing', async () => {
    const { deps, store, mailer, clock, decideAs } = setup();
    await awaitDecision(deps, ID, 'token-1');
    clock.set(at(1));
    await decideAs(B, { decision: 'hold', until: at(10) });
    clock.set(at(2));
    const released = await decideAs(C, { decision: 'release' });
    expect(released).toMatchObject({ onHold: false, state: 'requested', expiresAt: at(13) });
    mailer.sent.length = 0;
    clock.set(at(4));
    await planRound(deps, ID);
    expect(mailer.sent.map((email) => email.tags.purpose)).toEqual(['reminder', 'reminder']);
    expect(types(store)).toEqual(['notified', 'held', 'hold-released', 'reminded']);
  });

  test('a hold without until keeps reminders going, as before', async () => {
    const { deps, mailer, clock, decideAs } = setup();
    await awaitDecision(deps, ID, 'token-1');
    clock.set(at(1));
    await decideAs(B, { decision: 'hold' });
    mailer.sent.length = 0;
    clock.set(at(4));
    await planRound(deps, ID);
    expect(mailer.sent.map((email) => email.tags.purpose)).toEqual(['reminder', 'reminder']);
  });
});

/**
 * Random sequences of holds (with and without until), releases, approvals, rejections and time
 * passing (each followed by a workflow round, as the wait's timeout brings one): the expiry never
 * moves earlier nor past the hard limit and grows by exactly the time held; no approver gets more
 * than 21 emails.
 */
describe('hold until, whatever the order', () => {
  type Step =
    | { kind: 'hold'; who: 0 | 1; untilHours: number | null }
    | { kind: 'release'; who: 0 | 1 }
    | { kind: 'approve'; who: 0 | 1 }
    | { kind: 'reject'; who: 0 | 1 }
    | { kind: 'wait'; hours: number };
  const who = fc.constantFrom<0 | 1>(0, 1);
  const step: fc.Arbitrary<Step> = fc.oneof(
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant('hold' as const),
        who,
        untilHours: fc.option(fc.double({ min: 0.001, max: 800, noNaN: true })),
      }),
    },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('release' as const), who }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('approve' as const), who }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('reject' as const), who }) },
    { weight: 6, arbitrary: fc.record({ kind: fc.constant('wait' as const), hours: fc.double({ min: 0.01, max: 1000, noNaN: true }) }) },
  );

  test('expiresAt only grows, by exactly the time held, within the hard limit; nobody gets more than 21 emails', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 60 }), async (steps) => {
        const { deps, store, mailer, clock, decideAs } = setup({
          requiredApprovals: 2,
          remindAfter: 'PT1H',
          expireAfter: 'P340D',
          expiresAt: at(340 * 24),
          maxReminders: 20,
        });
        const limit = Date.parse(hardLimit({ createdAt: CREATED }));
        await awaitDecision(deps, ID, 'token-1');
        let heldMs = 0;
        let expires = Date.parse(at(340 * 24));
        for (const next of steps) {
          const before = store.current(ID) as ApprovalRequest;
          if (before.state !== 'requested') break;
          if (next.kind === 'wait') {
            // the workflow's rounds in that time: each wait ends at its planned timeout
            const target = Date.parse(clock.now()) + next.hours * 3600_000;
            for (let round = 0; round < 100; round++) {
              const plan = await planRound(deps, ID);
              if (plan.done) break;
              const wakeUp = Date.parse(clock.now()) + plan.waitSeconds * 1000;
              if (wakeUp > target) break;
              clock.set(new Date(wakeUp).toISOString());
            }
            clock.set(new Date(target).toISOString());
          } else {
            const voter = next.who === 0 ? B : C;
            const body =
              next.kind === 'hold'
                ? {
                    decision: 'hold' as const,
                    ...(next.untilHours ? { until: new Date(Date.parse(clock.now()) + next.untilHours * 3600_000).toISOString() } : {}),
                  }
                : next.kind === 'reject'
                  ? { decision: 'reject' as const, reason: 'no' }
                  : { decision: next.kind };
            await decideAs(voter, body).catch((error) => {
              if (!['conflict', 'invalid_request'].includes(error.code)) throw error;
            });
          }
          const after = store.current(ID) as ApprovalRequest;
          // what the hold that just ended (if any) held, measured from the outside
          if (before.onHold && before.hold?.until && !(after.onHold && after.hold?.at === before.hold.at)) {
            const endedAt = Math.min(Date.parse(after.updatedAt), Date.parse(before.hold.until));
            heldMs += endedAt - Date.parse(before.hold.at);
          }
          const moved = Date.parse(after.expiresAt);
          expect(moved).toBeGreaterThanOrEqual(expires);
          expect(moved).toBeLessThanOrEqual(limit);
          expires = moved;
          expect(moved).toBe(Math.min(Date.parse(at(340 * 24)) + heldMs, limit));
        }
        const perApprover = new Map<string, number>();
        for (const email of mailer.sent) perApprover.set(email.to, (perApprover.get(email.to) ?? 0) + 1);
        for (const count of perApprover.values()) expect(count).toBeLessThanOrEqual(MAX_EMAILS_PER_APPROVER);
      }),
      // the first example reaches the hard limit; the second ends a hold with the 20 follow-up emails sent already
      {
        numRuns: 150,
        examples: [
          [
            [
              { kind: 'hold', who: 0, untilHours: 700 },
              { kind: 'wait', hours: 900 },
            ],
          ],
          [
            [
              { kind: 'wait', hours: 30 },
              { kind: 'hold', who: 1, untilHours: 2 },
              { kind: 'wait', hours: 3 },
            ],
          ],
        ],
      },
    );
  });
});
