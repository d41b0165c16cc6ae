/**
 * Every path through statemachines/approval.asl.json, on the local engine with the workflow steps
 * replaced by scripted results: which steps run in which order, and how the execution ends. The
 * end-to-end tests (test/integration/workflow*.test.ts) run the same file with the real steps.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SendTaskFailureCommand, SendTaskSuccessCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { DELETED_ERROR, REPLAN_ERROR } from '../../../functions/adapters/step-functions';
import { type Harness, harness, Inbox, waitForExecution } from '../../helpers/sfn';

const DEFINITION_FILE = join(__dirname, '../../../statemachines/approval.asl.json');
const ASL = JSON.parse(readFileSync(DEFINITION_FILE, 'utf8'));
/** Attempts of a step whose every retry fails: the first one and each retry of its catch-all rule. */
const attemptsOf = (state: string) => 1 + Math.max(...ASL.States[state].Retry.map((rule: { MaxAttempts: number }) => rule.MaxAttempts));
/** Failed rounds before the workflow gives up: the backoff waits listed in "Next backoff". */
const ROUNDS_BEFORE_GIVING_UP = 9;
/** Long enough that a wait never times out in a test (scaled, over an hour). */
const NO_TIMEOUT = 30_000_000;
/** The engine scales every duration the definition controls: a 1 s retry interval is 0.01 ms. */
const TIME_SCALE = 0.00001;

type Step = 'plan' | 'await' | 'notify' | 'deliver' | 'abandon';
type Script = Partial<Record<Step, (call: number) => unknown>>;

interface Awaiting {
  requestId: string;
  taskToken: string;
  waitSeconds: number;
  plannedBasis: string;
}

let h: Harness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

/** An error as a Lambda function reports it: Step Functions matches its name. */
const failure = (name: string) => Object.assign(new Error(`${name} (scripted)`), { name });

/**
 * Runs one execution with the steps answering as `script` says (by call number, from 1): a
 * returned Error is thrown. Defaults: plan waits without timing out, notify owes no callback,
 * deliver and abandon succeed. `await` defaults to handing its task token to `awaits`.
 */
async function run(script: Script) {
  const calls: Step[] = [];
  const counts: Record<Step, number> = { plan: 0, await: 0, notify: 0, deliver: 0, abandon: 0 };
  const awaits = new Inbox<Awaiting>();
  const defaults: Record<Step, (call: number, payload: unknown) => unknown> = {
    plan: () => ({ done: false, waitSeconds: NO_TIMEOUT, basis: '0|' }),
    await: (_call, payload) => {
      awaits.push(payload as Awaiting);
      return {};
    },
    notify: () => ({ callback: false }),
    deliver: () => ({}),
    abandon: () => ({}),
  };
  const step = (name: Step) => async (payload: unknown) => {
    calls.push(name);
    counts[name] += 1;
    const answer = (script[name] ?? ((call: number) => defaults[name](call, payload)))(counts[name]);
    if (answer instanceof Error) throw answer;
    return answer;
  };
  const functions = {
    planRound: step('plan'),
    awaitDecision: step('await'),
    notifyOutcome: step('notify'),
    deliverCallback: async (payload: unknown) => ((payload as { abandon?: boolean }).abandon ? step('abandon') : step('deliver'))(payload),
  };
  h = await harness({}, functions, {
    timeScale: TIME_SCALE,
    stateMachines: [
      {
        name: 'approval',
        definitionFile: DEFINITION_FILE,
        substitutions: {
          PlanRoundFunctionArn: 'planRound',
          AwaitDecisionFunctionArn: 'awaitDecision',
          NotifyOutcomeFunctionArn: 'notifyOutcome',
          DeliverCallbackFunctionArn: 'deliverCallback',
        },
        functions,
      },
    ],
  });
  const harnessOf = h;
  const { executionArn = '' } = await h.client.send(
    new StartExecutionCommand({ stateMachineArn: h.server.stateMachineArn('approval'), name: 'req-1', input: '{"requestId":"req-1"}' }),
  );
  return {
    calls,
    counts,
    awaits,
    sendSuccess: (taskToken: string, output: object) =>
      harnessOf.client.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) })),
    sendFailure: (taskToken: string, error: string) =>
      harnessOf.client.send(new SendTaskFailureCommand({ taskToken, error, cause: 'test' })),
    finished: async () => {
      const done = await waitForExecution(harnessOf, executionArn, ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'], 20_000);
      return { status: done.status, error: done.error, output: done.output ? JSON.parse(done.output) : undefined };
    },
  };
}

test('a request that ended before its first round: plan says done, the outcome is notified, no callback owed', async () => {
  const execution = await run({ plan: () => ({ done: true, waitSeconds: 1, basis: '' }) });
  expect(await execution.finished()).toMatchObject({ status: 'SUCCEEDED' });
  expect(execution.calls).toEqual(['plan', 'notify']);
});

test('a decision ends the wait: the outcome is notified and the callback delivered', async () => {
  const execution = await run({ notify: () => ({ callback: true }) });
  const waiting = await execution.awaits.next();
  expect(waiting).toMatchObject({ requestId: 'req-1', waitSeconds: NO_TIMEOUT, plannedBasis: '0|' });
  await execution.sendSuccess(waiting.taskToken, { status: 'approved' });
  const done = await execution.finished();
  expect(done).toMatchObject({ status: 'SUCCEEDED', output: { decision: { status: 'approved' }, notified: { callback: true } } });
  expect(execution.calls).toEqual(['plan', 'await', 'notify', 'deliver']);
});

test('a wait that times out starts the next round (a reminder or the expiry), which may end the workflow', async () => {
  const execution = await run({
    plan: (call) => (call === 1 ? { done: false, waitSeconds: 1, basis: '0|' } : { done: true, waitSeconds: 1, basis: '' }),
  });
  const done = await execution.finished();
  expect(done).toMatchObject({ status: 'SUCCEEDED', output: { timeout: { Error: 'States.Timeout' } } });
  expect(execution.calls).toEqual(['plan', 'await', 'plan', 'notify']);
});

test('a delete ends the wait with its error: the outcome is notified', async () => {
  const execution = await run({});
  await execution.sendFailure((await execution.awaits.next()).taskToken, DELETED_ERROR);
  const done = await execution.finished();
  expect(done).toMatchObject({ status: 'SUCCEEDED', output: { deleted: { Error: DELETED_ERROR } } });
  expect(execution.calls).toEqual(['plan', 'await', 'notify']);
});

test("a change of the request's hold ends the wait early with its error: the next round plans again", async () => {
  const execution = await run({
    plan: (call) => (call === 1 ? { done: false, waitSeconds: NO_TIMEOUT, basis: '0|' } : { done: true, waitSeconds: 1, basis: '' }),
  });
  await execution.sendFailure((await execution.awaits.next()).taskToken, REPLAN_ERROR);
  const done = await execution.finished();
  expect(done).toMatchObject({ status: 'SUCCEEDED', output: { replan: { Error: REPLAN_ERROR } } });
  expect(done.output.backoff).toBeUndefined();
  expect(execution.calls).toEqual(['plan', 'await', 'plan', 'notify']);
});

test('deferred approval emails are retried by the wait itself, without a new round', async () => {
  const awaits = new Inbox<string>();
  const execution = await run({
    await: (call) => (call <= 3 ? failure('Approvals.EmailDeferred') : awaits.push(`attempt ${call}`)),
    plan: (call) => (call === 1 ? { done: false, waitSeconds: NO_TIMEOUT, basis: '0|' } : { done: true, waitSeconds: 1, basis: '' }),
  });
  expect(await awaits.next()).toBe('attempt 4');
  expect(execution.calls).toEqual(['plan', 'await', 'await', 'await', 'await']);
});

test('a round whose step keeps failing backs off and plans again; a later round carries on', async () => {
  const perRound = attemptsOf('Plan round');
  const execution = await run({
    plan: (call) => (call <= perRound ? failure('Error') : { done: true, waitSeconds: 1, basis: '' }),
  });
  const done = await execution.finished();
  expect(done).toMatchObject({ status: 'SUCCEEDED', output: { backoff: { count: 1 }, failure: { Error: 'Error' } } });
  expect(execution.counts.plan).toBe(perRound + 1);
  expect(execution.calls.slice(-1)).toEqual(['notify']);
});

test('a wait that fails with an error nobody retries counts as a failed round and plans again', async () => {
  const execution = await run({
    await: () => failure('Error'),
    plan: (call) => (call === 1 ? { done: false, waitSeconds: NO_TIMEOUT, basis: '0|' } : { done: true, waitSeconds: 1, basis: '' }),
  });
  const done = await execution.finished();
  expect(done).toMatchObject({ status: 'SUCCEEDED', output: { backoff: { count: 1 } } });
  expect(execution.calls).toEqual(['plan', 'await', 'plan', 'notify']);
});

test(`after ${ROUNDS_BEFORE_GIVING_UP} failed rounds in a row the workflow gives up (the reconciler takes over)`, async () => {
  const execution = await run({ plan: () => failure('Error') });
  const done = await execution.finished();
  expect(done).toMatchObject({ status: 'FAILED', error: 'Approvals.WorkflowGaveUp' });
  expect(execution.counts.plan).toBe(ROUNDS_BEFORE_GIVING_UP * attemptsOf('Plan round'));
  expect(execution.counts.notify).toBe(0);
});

test('an outcome step that keeps failing still attempts the callback', async () => {
  const execution = await run({ plan: () => ({ done: true, waitSeconds: 1, basis: '' }), notify: () => failure('Error') });
  const done = await execution.finished();
  expect(done).toMatchObject({ status: 'SUCCEEDED', output: { failure: { Error: 'Error' } } });
  expect(execution.counts.notify).toBe(attemptsOf('Notify outcome'));
  expect(execution.calls.slice(-1)).toEqual(['deliver']);
});

test('a callback that is never accepted is retried, then recorded as abandoned', async () => {
  const execution = await run({
    plan: () => ({ done: true, waitSeconds: 1, basis: '' }),
    notify: () => ({ callback: true }),
    deliver: () => failure('Approvals.CallbackFailed'),
  });
  expect(await execution.finished()).toMatchObject({ status: 'SUCCEEDED' });
  expect(execution.counts.deliver).toBe(attemptsOf('Deliver callback'));
  expect(execution.calls.slice(-1)).toEqual(['abandon']);
});

test('recording the abandoned callback may fail too: the workflow still ends', async () => {
  const execution = await run({
    plan: () => ({ done: true, waitSeconds: 1, basis: '' }),
    notify: () => ({ callback: true }),
    deliver: () => failure('Approvals.CallbackFailed'),
    abandon: () => failure('Error'),
  });
  expect(await execution.finished()).toMatchObject({ status: 'SUCCEEDED' });
  expect(execution.counts.abandon).toBe(attemptsOf('Record callback abandoned'));
});
