/**
 * Failure paths of statemachines/approval.asl.json, one test per path, on the local workflow
 * engine (the same file AWS runs; GetExecutionHistory as AWS answers it). The steps are the real
 * use cases on in-memory stores; the engine's timers run 1000 times faster and the fake clock
 * moves by each planned wait (which then ends as its timeout would), so a year-long request runs
 * in seconds. Faults are injected into
 * the steps the way Lambda would report them.
 */
import { readFileSync } from 'node:fs';
import { GetExecutionHistoryCommand, type HistoryEvent, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { workflowSteps } from '../../functions/registry';
import type { ApprovalRequest } from '../../functions/domain/model';
import { awaitDecision } from '../../functions/usecases/workflow-steps/await-decision';
import { deliverCallback } from '../../functions/usecases/workflow-steps/deliver-callback';
import { notifyOutcome } from '../../functions/usecases/workflow-steps/notify-outcome';
import { planRound } from '../../functions/usecases/workflow-steps/plan-round';
import { MemoryStore } from '../helpers/memory/memory-store';
import { pendingRequest, REQUEST_ID } from '../helpers/memory/requests';
import { type Harness, harness, waitForExecution } from '../helpers/sfn';
import { memoryStepDeps } from '../helpers/memory/step-deps';

const ID = REQUEST_ID;
const CREATED = '2026-11-03T09:00:00.000Z';
const DAY = 86400_000;

/** The bound on one execution's history (docs/architecture.md: The workflow); the test below measures it. */
const MAX_HISTORY_EVENTS = 2000;

function pending(overrides: Partial<ApprovalRequest> = {}): ApprovalRequest {
  return pendingRequest({
    remindAfter: 'P1D',
    expireAfter: 'P3D',
    maxReminders: 5,
    createdAt: CREATED,
    expiresAt: new Date(Date.parse(CREATED) + 3 * DAY).toISOString(),
    ...overrides,
  });
}

/** Faults a test injects: a step's function throws the error this returns (by step name and attempt). */
type Fault = (step: string, attempt: number) => Error | undefined;

let h: Harness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

const lambdaError = (name: string) => Object.assign(new Error(name), { name });

/**
 * The definition with each retrier's IntervalSeconds and MaxDelaySeconds divided by `factor`, the
 * rest of the file as it is (attempts, backoff rate, jitter, errors, states). For a test that
 * counts events, not time: a callback retried 30 times with FULL jitter up to an hour otherwise
 * waits ~35 s of real time even at the engine's time scale (which cannot go lower: it shortens
 * the task timeouts the in-memory steps must meet too).
 */
function shortenRetries(definition: { States: Record<string, { Retry?: Array<Record<string, unknown>> }> }, factor: number) {
  for (const state of Object.values(definition.States)) {
    state.Retry = state.Retry?.map((retrier) => ({
      ...retrier,
      ...(typeof retrier.IntervalSeconds === 'number' ? { IntervalSeconds: retrier.IntervalSeconds / factor } : {}),
      ...(typeof retrier.MaxDelaySeconds === 'number' ? { MaxDelaySeconds: retrier.MaxDelaySeconds / factor } : {}),
    }));
  }
  return definition;
}

async function run(
  request: ApprovalRequest,
  fault: Fault = () => undefined,
  options: { callbackStatus?: number; retriesFaster?: number } = {},
) {
  const store = new MemoryStore(request);
  const { deps, clock, mailer, callbacks } = memoryStepDeps(store, { now: CREATED });
  callbacks.status = options.callbackStatus ?? 204;
  const attempts = new Map<string, number>();
  const step = (name: string, body: (payload: Record<string, unknown>) => Promise<unknown>) => async (payload: unknown) => {
    const attempt = (attempts.get(name) ?? 0) + 1;
    attempts.set(name, attempt);
    const error = fault(name, attempt);
    if (error) throw error;
    return body(payload as Record<string, unknown>);
  };
  const id = (payload: Record<string, unknown>) => String(payload.requestId);
  const functions = {
    planRound: step('planRound', (payload) => planRound(deps, id(payload))),
    awaitDecision: step('awaitDecision', async (payload) => {
      await awaitDecision(deps, id(payload), String(payload.taskToken), Number(payload.waitSeconds));
      // The wait runs out with nobody deciding: the clock moves to its end and the task ends the
      // way its timeout ends it (an error the Catch of States.Timeout takes; one history event,
      // like TaskTimedOut), instead of the engine waiting days.
      clock.advance(Number(payload.waitSeconds));
      throw lambdaError('States.Timeout');
    }),
    notifyOutcome: step('notifyOutcome', (payload) => notifyOutcome(deps, id(payload))),
    deliverCallback: step('deliverCallback', (payload) => deliverCallback(deps, id(payload), payload.abandon === true)),
  };
  let text = readFileSync('statemachines/approval.asl.json', 'utf8');
  for (const s of workflowSteps()) text = text.replaceAll(`\${${s.substitution}}`, s.name);
  h = await harness(shortenRetries(JSON.parse(text), options.retriesFaster ?? 1), functions, { timeScale: 0.001 });
  const { executionArn } = await h.client.send(
    new StartExecutionCommand({ stateMachineArn: h.arn, name: ID, input: JSON.stringify({ requestId: ID }) }),
  );
  const described = await waitForExecution(h, executionArn as string, undefined, 60_000);
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await h.client.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, nextToken }));
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  const entered = events.filter((event) => event.type?.endsWith('StateEntered')).map((event) => event.stateEnteredEventDetails?.name);
  return { status: described.status, error: described.error, cause: described.cause, store, mailer, events, entered, attempts };
}

test('Plan round failing past its retries backs off and carries on: the request still expires and the requester is told', async () => {
  // Plan round fails 7 times in a row (its 6 retries are used up), then works again.
  const result = await run(pending(), (step, attempt) =>
    step === 'planRound' && attempt <= 7 ? lambdaError('Lambda.ServiceException') : undefined,
  );
  expect(result.status).toBe('SUCCEEDED');
  expect(result.entered).toContain('Back off');
  expect(result.store.current(ID)?.state).toBe('expired');
  expect(result.mailer.sent.filter((email) => email.to === 'alice@example.com')).toHaveLength(1);
}, 60_000);

test('Plan round failing for good backs off 8 times (about 39 minutes) and then gives up, deciding nothing', async () => {
  const before = structuredClone(pending());
  const result = await run(before, (step) => (step === 'planRound' ? lambdaError('Lambda.ServiceException') : undefined));
  expect(result.status).toBe('FAILED');
  expect(result.error).toBe('Approvals.WorkflowGaveUp');
  expect(result.cause).toMatch(/^A round \(Plan round, or Await decision .*\) kept failing after its retries/);
  expect(result.entered.filter((name) => name === 'Back off')).toHaveLength(8);
  expect(result.entered.at(-1)).toBe('Gave up');
  // 9 rounds of Plan round, each tried 7 times (6 retries).
  expect(result.attempts.get('planRound')).toBe(9 * 7);
  // Nothing was decided or sent: the request stays pending for the reconciler and the alarm.
  expect(result.store.current(ID)?.state).toBe(before.state);
  expect(result.mailer.sent).toHaveLength(0);
});

test('a Notify outcome that keeps failing does not skip the callback', async () => {
  const result = await run(pending({ callbackUrl: 'https://calling.example/hook', client: 'billing-system' }), (step) =>
    step === 'notifyOutcome' ? lambdaError('Lambda.ServiceException') : undefined,
  );
  expect(result.status).toBe('SUCCEEDED');
  expect(result.entered).toContain('Deliver callback');
  expect(result.store.historyOf(ID).map((entry) => entry.type)).toContain('callback-delivered');
  // The outcome email is still owed: the request stays in the reconciler's index.
  expect(result.store.requests.get(ID)?.rounds.checkAt).toBeDefined();
});

test(`a worst-case profile stays within ${MAX_HISTORY_EVENTS} history events: 20 reminders a second apart over 360 days, failures everywhere`, async () => {
  const request = pending({
    remindAfter: 'PT1S',
    expireAfter: 'P360D',
    maxReminders: 20,
    expiresAt: new Date(Date.parse(CREATED) + 360 * DAY).toISOString(),
    callbackUrl: 'https://calling.example/hook',
    client: 'billing-system',
  });
  const fault: Fault = (step, attempt) => {
    // Every step fails its first attempts (retried), the first emails are deferred, and the
    // callback never answers 2xx (all 30 attempts, then abandoned).
    if (step === 'planRound' && attempt % 3 === 1) return lambdaError('Lambda.TooManyRequestsException');
    if (step === 'awaitDecision' && attempt <= 10) return lambdaError('Approvals.EmailDeferred');
    if (step === 'notifyOutcome' && attempt <= 6) return lambdaError('Lambda.ServiceException');
    return undefined;
  };
  const result = await run(request, fault, { callbackStatus: 503, retriesFaster: 20 });
  expect(result.status).toBe('SUCCEEDED');
  expect(result.store.current(ID)?.state).toBe('expired');
  const reminders = result.mailer.sent.filter((email) => email.to === 'bob@example.com' && /Reminder/.test(email.subject));
  expect(reminders).toHaveLength(20);
  expect(result.entered.filter((name) => name === 'Await decision').length).toBe(21);
  expect(result.entered).toContain('Record callback abandoned');
  // At least the 21 rounds' events were counted (13 each without retries), and no more than the documented bound.
  expect(result.events.length).toBeGreaterThan(21 * 13);
  expect(result.events.length).toBeLessThanOrEqual(MAX_HISTORY_EVENTS);
  // And far below Step Functions' own limit.
  expect(result.events.length).toBeLessThan(25_000);
}, 120_000);
