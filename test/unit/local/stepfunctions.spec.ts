import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { CREDENTIALS, type Harness, harness, Inbox, REGION, rejectionOf, waitForExecution } from '../../helpers/sfn';

interface CallbackPayload {
  taskToken: string;
  [key: string]: unknown;
}

let h: Harness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

const waitForTokenState = (extra: object = {}) => ({
  Type: 'Task',
  Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
  Parameters: { FunctionName: 'wait', Payload: { 'id.$': '$.id', 'taskToken.$': '$$.Task.Token' } },
  ...extra,
});

describe('lambda:invoke', () => {
  it('calls the function with the evaluated Payload and returns the AWS result shape to ResultSelector', async () => {
    const received: unknown[] = [];
    h = await harness(
      {
        StartAt: 'Call',
        States: {
          Call: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke',
            Parameters: {
              FunctionName: 'echo',
              Payload: { 'x.$': '$.x', 'name.$': '$$.Execution.Name', 'plusOne.$': 'States.MathAdd($.x, 1)', fixed: 'yes' },
            },
            ResultSelector: { 'got.$': '$.Payload.got', 'status.$': '$.StatusCode', 'version.$': '$.ExecutedVersion' },
            ResultPath: '$.result',
            End: true,
          },
        },
      },
      {
        echo: async (payload) => {
          received.push(payload);
          return { got: payload, ignored: undefined, when: new Date(0) };
        },
      },
    );
    const { executionArn, startDate } = await h.client.send(
      new StartExecutionCommand({ stateMachineArn: h.arn, name: 'exec-1', input: '{"x":41}' }),
    );
    expect(executionArn).toBe(`arn:aws:states:${REGION}:000000000000:execution:test:exec-1`);
    expect(startDate).toBeInstanceOf(Date);
    await waitForExecution(h, executionArn ?? '', ['SUCCEEDED']);

    expect(received).toEqual([{ x: 41, name: 'exec-1', plusOne: 42, fixed: 'yes' }]);
    const described = await h.client.send(new DescribeExecutionCommand({ executionArn }));
    expect(described.status).toBe('SUCCEEDED');
    expect(described.name).toBe('exec-1');
    expect(described.stateMachineArn).toBe(h.arn);
    expect(described.input).toBe('{"x":41}');
    expect(described.startDate?.getTime()).toBe(startDate?.getTime());
    expect(described.stopDate).toBeInstanceOf(Date);
    expect(JSON.parse(described.output ?? '')).toEqual({
      x: 41,
      result: { got: { x: 41, name: 'exec-1', plusOne: 42, fixed: 'yes' }, status: 200, version: '$LATEST' },
    });
    expect(h.logs.some((line) => line.includes('test:exec-1 started'))).toBe(true);
    expect(h.logs.some((line) => line.includes('test:exec-1 SUCCEEDED'))).toBe(true);
  });

  it('fails the task with the thrown error name and a Lambda-style Cause', async () => {
    class RequestGone extends Error {
      override name = 'Approvals.RequestGone';
    }
    h = await harness(
      {
        StartAt: 'Call',
        States: {
          Call: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke',
            Parameters: { FunctionName: 'boom', Payload: {} },
            Catch: [{ ErrorEquals: ['Approvals.RequestGone'], ResultPath: '$.failure', Next: 'Caught' }],
            End: true,
          },
          Caught: { Type: 'Pass', End: true },
        },
      },
      {
        boom: async () => {
          throw new RequestGone('it is gone');
        },
      },
    );
    const { executionArn } = await h.client.send(new StartExecutionCommand({ stateMachineArn: h.arn, input: '{}' }));
    const done = await waitForExecution(h, executionArn ?? '', ['SUCCEEDED']);
    const output = JSON.parse(done.output ?? '');
    expect(output.failure.Error).toBe('Approvals.RequestGone');
    expect(JSON.parse(output.failure.Cause)).toMatchObject({ errorType: 'Approvals.RequestGone', errorMessage: 'it is gone' });
  });

  it('records an uncaught failure as FAILED with error and cause', async () => {
    h = await harness(
      {
        StartAt: 'Call',
        States: {
          Call: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'boom', Payload: {} }, End: true },
        },
      },
      {
        boom: async () => {
          throw new TypeError('bad type');
        },
      },
    );
    const { executionArn } = await h.client.send(new StartExecutionCommand({ stateMachineArn: h.arn }));
    await waitForExecution(h, executionArn ?? '');
    const described = await h.client.send(new DescribeExecutionCommand({ executionArn }));
    expect(described.status).toBe('FAILED');
    expect(described.error).toBe('TypeError');
    expect(JSON.parse(described.cause ?? '')).toMatchObject({ errorType: 'TypeError', errorMessage: 'bad type' });
    expect(described.output).toBeUndefined();
  });
});

describe('waitForTaskToken', () => {
  it('passes a fresh token to the function and continues with the SendTaskSuccess output', async () => {
    const inbox = new Inbox<CallbackPayload>();
    h = await harness(
      { StartAt: 'Wait', States: { Wait: waitForTokenState({ ResultPath: '$.decision', End: true }) } },
      { wait: async (payload) => inbox.push(payload as CallbackPayload) },
    );
    const { executionArn } = await h.client.send(new StartExecutionCommand({ stateMachineArn: h.arn, input: '{"id":"r1"}' }));
    const { id, taskToken } = await inbox.next();
    expect(id).toBe('r1');
    expect(taskToken).toMatch(/^AQ[A-Za-z0-9_-]{64}$/);

    await h.client.send(new SendTaskSuccessCommand({ taskToken, output: '{"outcome":"approved"}' }));
    const done = await waitForExecution(h, executionArn ?? '', ['SUCCEEDED']);
    expect(JSON.parse(done.output ?? '')).toEqual({ id: 'r1', decision: { outcome: 'approved' } });

    // The task is closed: its token is timed out, for every task action.
    expect((await rejectionOf(h.client.send(new SendTaskSuccessCommand({ taskToken, output: '{}' })))).name).toBe('TaskTimedOut');
    expect((await rejectionOf(h.client.send(new SendTaskFailureCommand({ taskToken, error: 'X' })))).name).toBe('TaskTimedOut');
    // A token that cannot be one of ours is invalid.
    const invalid = await rejectionOf(h.client.send(new SendTaskSuccessCommand({ taskToken: 'not-a-token', output: '{}' })));
    expect(invalid.name).toBe('InvalidToken');
    expect(invalid.$metadata?.httpStatusCode).toBe(400);
  });

  it('rejects output that is not JSON with InvalidOutput and keeps the task open', async () => {
    const inbox = new Inbox<CallbackPayload>();
    h = await harness(
      { StartAt: 'Wait', States: { Wait: waitForTokenState({ End: true }) } },
      { wait: async (payload) => inbox.push(payload as CallbackPayload) },
    );
    const { executionArn } = await h.client.send(new StartExecutionCommand({ stateMachineArn: h.arn, input: '{"id":"r1"}' }));
    const { taskToken } = await inbox.next();
    expect((await rejectionOf(h.client.send(new SendTaskSuccessCommand({ taskToken, output: '{nope' })))).name).toBe('InvalidOutput');
    await h.client.send(new SendTaskSuccessCommand({ taskToken, output: '"fine"' }));
    expect((await waitForExecution(h, executionArn ?? '', ['SUCCEEDED'])).output).toBe('"fine"');
  });

  it('turns SendTaskFailure into an error that Catch matches by name', async () => {
    const inbox = new Inbox<CallbackPayload>();
    h = await harness(
      {
        StartAt: 'Wait',
        States: {
          Wait: waitForTokenState({
            Catch: [
              { ErrorEquals: ['Other.Error'], Next: 'Wrong' },
              { ErrorEquals: ['Approvals.RequestDeleted'], ResultPath: '$.deleted', Next: 'Deleted' },
            ],
            Next: 'Wrong',
          }),
          Deleted: { Type: 'Pass', End: true },
          Wrong: { Type: 'Fail', Error: 'Wrong' },
        },
      },
      { wait: async (payload) => inbox.push(payload as CallbackPayload) },
    );
    const { executionArn } = await h.client.send(new StartExecutionCommand({ stateMachineArn: h.arn, input: '{"id":"r2"}' }));
    const { taskToken } = await inbox.next();
    await h.client.send(new SendTaskFailureCommand({ taskToken, error: 'Approvals.RequestDeleted', cause: 'deleted by alice' }));
    const done = await waitForExecution(h, executionArn ?? '', ['SUCCEEDED']);
    expect(JSON.parse(done.output ?? '')).toEqual({ id: 'r2', deleted: { Error: 'Approvals.RequestDeleted', Cause: 'deleted by alice' } });
  });

  it('fails the task when the function itself fails', async () => {
    h = await harness(
      { StartAt: 'Wait', States: { Wait: waitForTokenState({ End: true }) } },
      {
        wait: async () => {
          throw new Error('cannot store the token');
        },
      },
    );
    const { executionArn } = await h.client.send(new StartExecutionCommand({ stateMachineArn: h.arn, input: '{"id":"r3"}' }));
    const done = await waitForExecution(h, executionArn ?? '');
    expect(done.status).toBe('FAILED');
    expect(done.error).toBe('Error');
  });

  it('times out after TimeoutSecondsPath (read from the state input), raises States.Timeout to Catch, and loops with new tokens', async () => {
    const inbox = new Inbox<CallbackPayload>();
    h = await harness(
      {
        StartAt: 'Wait',
        States: {
          Wait: waitForTokenState({
            TimeoutSecondsPath: '$.waitSeconds',
            ResultPath: '$.decision',
            Catch: [
              // A timeout is not a States.TaskFailed (as in AWS).
              { ErrorEquals: ['States.TaskFailed'], Next: 'Wrong' },
              { ErrorEquals: ['States.Timeout'], ResultPath: '$.timeout', Next: 'Count' },
            ],
            End: true,
          }),
          Count: {
            Type: 'Pass',
            Parameters: { 'id.$': '$.id', 'waitSeconds.$': '$.waitSeconds', 'rounds.$': 'States.MathAdd($.rounds, 1)' },
            Next: 'Again?',
          },
          'Again?': { Type: 'Choice', Choices: [{ Variable: '$.rounds', NumericLessThan: 3, Next: 'Wait' }], Default: 'Gave up' },
          'Gave up': { Type: 'Pass', End: true },
          Wrong: { Type: 'Fail', Error: 'Wrong' },
        },
      },
      { wait: async (payload) => inbox.push(payload as CallbackPayload) },
      { timeScale: 0.02 }, // 1 s -> 20 ms
    );
    const { executionArn } = await h.client.send(
      new StartExecutionCommand({ stateMachineArn: h.arn, input: '{"id":"t","waitSeconds":1,"rounds":0}' }),
    );
    const done = await waitForExecution(h, executionArn ?? '', ['SUCCEEDED', 'FAILED']);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output ?? '')).toEqual({ id: 't', waitSeconds: 1, rounds: 3 });
    const tokens = inbox.all.map((payload) => payload.taskToken);
    expect(tokens).toHaveLength(3);
    expect(new Set(tokens).size).toBe(3);
    for (const taskToken of tokens) {
      expect((await rejectionOf(h.client.send(new SendTaskSuccessCommand({ taskToken, output: '{}' })))).name).toBe('TaskTimedOut');
    }
  });

  it('fails the execution with States.Runtime when TimeoutSecondsPath is not a positive integer', async () => {
    h = await harness(
      {
        StartAt: 'Wait',
        States: {
          Wait: waitForTokenState({
            TimeoutSecondsPath: '$.waitSeconds',
            Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Caught' }],
            End: true,
          }),
          Caught: { Type: 'Pass', End: true },
        },
      },
      { wait: async () => undefined },
    );
    const { executionArn } = await h.client.send(
      new StartExecutionCommand({ stateMachineArn: h.arn, input: '{"id":"x","waitSeconds":1.5}' }),
    );
    const done = await waitForExecution(h, executionArn ?? '');
    expect(done.status).toBe('FAILED');
    expect(done.error).toBe('States.Runtime');
  });

  it('arms no 60 s library timeout for a Task without TimeoutSeconds', async () => {
    const inbox = new Inbox<CallbackPayload>();
    const spy = jest.spyOn(global, 'setTimeout');
    try {
      h = await harness(
        { StartAt: 'Wait', States: { Wait: waitForTokenState({ End: true }) } },
        { wait: async (payload) => inbox.push(payload as CallbackPayload) },
      );
      spy.mockClear();
      const { executionArn } = await h.client.send(new StartExecutionCommand({ stateMachineArn: h.arn, input: '{"id":"long"}' }));
      const { taskToken } = await inbox.next();
      const delays = spy.mock.calls.map((call) => call[1]);
      expect(delays).not.toContain(60_000);
      expect(delays).toContain(2_147_483_000);
      await h.client.send(new SendTaskSuccessCommand({ taskToken, output: '{}' }));
      await waitForExecution(h, executionArn ?? '', ['SUCCEEDED']);
    } finally {
      spy.mockRestore();
    }
  });
});

describe('Retry', () => {
  it('retries with IntervalSeconds x BackoffRate^n until the function succeeds', async () => {
    const calls: number[] = [];
    class Flaky extends Error {
      override name = 'Custom.Flaky';
    }
    h = await harness(
      {
        StartAt: 'Call',
        States: {
          Call: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke',
            Parameters: { FunctionName: 'flaky', Payload: {} },
            Retry: [
              { ErrorEquals: ['Other'], MaxAttempts: 0 },
              { ErrorEquals: ['Custom.Flaky'], IntervalSeconds: 2, BackoffRate: 2, MaxAttempts: 5 },
            ],
            OutputPath: '$.Payload',
            End: true,
          },
        },
      },
      {
        flaky: async () => {
          calls.push(performance.now());
          if (calls.length <= 3) throw new Flaky(`attempt ${calls.length}`);
          return { attempts: calls.length };
        },
      },
      { timeScale: 0.01 }, // 2 s, 4 s, 8 s -> 20, 40, 80 ms
    );
    const { executionArn } = await h.client.send(new StartExecutionCommand({ stateMachineArn: h.arn }));
    const done = await waitForExecution(h, executionArn ?? '', ['SUCCEEDED']);
    expect(JSON.parse(done.output ?? '')).toEqual({ attempts: 4 });
    const gaps = calls.slice(1).map((time, index) => time - (calls[index] ?? 0));
    expect(gaps[0]).toBeGreaterThanOrEqual(18);
    expect(gaps[1]).toBeGreaterThanOrEqual(38);
    expect(gaps[2]).toBeGreaterThanOrEqual(78);
  });

  it('caps the wait at MaxDelaySeconds, applies FULL jitter, and hands the last error to Catch when attempts run out', async () => {
    const calls: number[] = [];
    h = await harness(
      {
        StartAt: 'Call',
        States: {
          Call: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke',
            Parameters: { FunctionName: 'broken', Payload: {} },
            Retry: [
              {
                ErrorEquals: ['States.ALL'],
                IntervalSeconds: 1,
                BackoffRate: 10,
                MaxDelaySeconds: 3,
                MaxAttempts: 4,
                JitterStrategy: 'FULL',
              },
            ],
            Catch: [{ ErrorEquals: ['States.TaskFailed'], ResultPath: '$.failure', Next: 'Caught' }],
            End: true,
          },
          Caught: { Type: 'Pass', End: true },
        },
      },
      {
        broken: async () => {
          calls.push(performance.now());
          throw new RangeError(`attempt ${calls.length}`);
        },
      },
      // Waits of at most 100, 300, 300, 300 ms (capped), jittered down; uncapped, the last two would
      // be drawn from up to 10 s and 100 s.
      { timeScale: 0.1 },
    );
    const { executionArn } = await h.client.send(new StartExecutionCommand({ stateMachineArn: h.arn }));
    const done = await waitForExecution(h, executionArn ?? '', ['SUCCEEDED']);
    expect(calls).toHaveLength(5);
    const gaps = calls.slice(1).map((time, index) => time - (calls[index] ?? 0));
    // The margin above the cap is for a loaded machine; an uncapped wait would exceed it 99 times in 100.
    for (const gap of gaps) expect(gap).toBeLessThan(300 + 700);
    const output = JSON.parse(done.output ?? '');
    expect(output.failure.Error).toBe('RangeError');
    expect(JSON.parse(output.failure.Cause).errorMessage).toBe('attempt 5');
  });
});

describe('StartExecution', () => {
  it('is idempotent for a running execution with the same name and input, and refuses reuse otherwise', async () => {
    const inbox = new Inbox<CallbackPayload>();
    h = await harness(
      { StartAt: 'Wait', States: { Wait: waitForTokenState({ End: true }) } },
      { wait: async (payload) => inbox.push(payload as CallbackPayload) },
    );
    const input = '{"id":"same"}';
    const first = await h.client.send(new StartExecutionCommand({ stateMachineArn: h.arn, name: 'req-1', input }));
    const again = await h.client.send(new StartExecutionCommand({ stateMachineArn: h.arn, name: 'req-1', input }));
    expect(again.executionArn).toBe(first.executionArn);
    expect(again.startDate?.getTime()).toBe(first.startDate?.getTime());

    const differs = await rejectionOf(
      h.client.send(new StartExecutionCommand({ stateMachineArn: h.arn, name: 'req-1', input: '{"id":"other"}' })),
    );
    expect(differs.name).toBe('ExecutionAlreadyExists');
    expect(differs.$metadata?.httpStatusCode).toBe(400);

    const { taskToken } = await inbox.next();
    await h.client.send(new SendTaskSuccessCommand({ taskToken, output: '{}' }));
    await waitForExecution(h, first.executionArn ?? '', ['SUCCEEDED']);
    const closed = await rejectionOf(h.client.send(new StartExecutionCommand({ stateMachineArn: h.arn, name: 'req-1', input })));
    expect(closed.name).toBe('ExecutionAlreadyExists');
    expect(inbox.all).toHaveLength(1);
  });

  it('answers AWS errors for bad names, unknown machines, bad input and unknown executions', async () => {
    h = await harness({ StartAt: 'Done', States: { Done: { Type: 'Succeed' } } }, {});
    const { client, arn } = h;
    expect((await rejectionOf(client.send(new StartExecutionCommand({ stateMachineArn: arn, name: 'has space' })))).name).toBe(
      'InvalidName',
    );
    expect((await rejectionOf(client.send(new StartExecutionCommand({ stateMachineArn: arn, name: 'a'.repeat(81) })))).name).toBe(
      'InvalidName',
    );
    expect((await rejectionOf(client.send(new StartExecutionCommand({ stateMachineArn: h.server.stateMachineArn('nope') })))).name).toBe(
      'StateMachineDoesNotExist',
    );
    expect((await rejectionOf(client.send(new StartExecutionCommand({ stateMachineArn: arn, input: '{oops' })))).name).toBe(
      'InvalidExecutionInput',
    );
    expect(
      (await rejectionOf(client.send(new DescribeExecutionCommand({ executionArn: h.server.executionArn('test', 'missing') })))).name,
    ).toBe('ExecutionDoesNotExist');
    expect(
      (await rejectionOf(client.send(new GetExecutionHistoryCommand({ executionArn: h.server.executionArn('test', 'missing') })))).name,
    ).toBe('ExecutionDoesNotExist');
    expect((await rejectionOf(client.send(new DescribeExecutionCommand({ executionArn: 'garbage' })))).name).toBe('InvalidArn');
    expect((await rejectionOf(client.send(new ListExecutionsCommand({ stateMachineArn: h.server.stateMachineArn('nope') })))).name).toBe(
      'StateMachineDoesNotExist',
    );
    expect(
      (await rejectionOf(client.send(new ListExecutionsCommand({ stateMachineArn: arn, statusFilter: 'WHATEVER' as never })))).name,
    ).toBe('ValidationException');
    // A generated name when none is given.
    const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn: arn }));
    expect(executionArn).toMatch(/:execution:test:[0-9a-f-]{36}$/);
    expect((await waitForExecution(h, executionArn ?? '')).output).toBe('{}');
  });
});

describe('execution TimeoutSeconds', () => {
  it('times the execution out (TIMED_OUT) and closes its tokens', async () => {
    const inbox = new Inbox<CallbackPayload>();
    h = await harness(
      { TimeoutSeconds: 1, StartAt: 'Wait', States: { Wait: waitForTokenState({ End: true }) } },
      { wait: async (payload) => inbox.push(payload as CallbackPayload) },
      { timeScale: 0.05 },
    );
    const { executionArn } = await h.client.send(new StartExecutionCommand({ stateMachineArn: h.arn, input: '{"id":"slow"}' }));
    const { taskToken } = await inbox.next();
    const done = await waitForExecution(h, executionArn ?? '');
    expect(done).toMatchObject({ status: 'TIMED_OUT', error: 'States.Timeout' });
    expect((await rejectionOf(h.client.send(new SendTaskSuccessCommand({ taskToken, output: '{}' })))).name).toBe('TaskTimedOut');
  });
});

describe('Wait', () => {
  const machine = { StartAt: 'Pause', States: { Pause: { Type: 'Wait', SecondsPath: '$.seconds', End: true } } };

  it('scales a SecondsPath by the time scale, passes its input on, and names it a Wait in the history', async () => {
    h = await harness(machine, {}, { timeScale: 0.01 });
    const started = performance.now();
    const { executionArn } = await h.client.send(new StartExecutionCommand({ stateMachineArn: h.arn, input: '{"seconds":30}' }));
    const done = await waitForExecution(h, executionArn ?? '');
    // 30 s at 0.01 is 300 ms, not 30 s.
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(done).toMatchObject({ status: 'SUCCEEDED', output: '{"seconds":30}' });
    const { events } = await h.client.send(new GetExecutionHistoryCommand({ executionArn }));
    expect(events?.map((event) => event.type)).toEqual(['ExecutionStarted', 'WaitStateEntered', 'WaitStateExited', 'ExecutionSucceeded']);
  });

  it('fails the execution with States.Runtime when SecondsPath is not a non-negative integer', async () => {
    h = await harness(machine, {}, { timeScale: 0.01 });
    const { executionArn } = await h.client.send(new StartExecutionCommand({ stateMachineArn: h.arn, input: '{"seconds":-1}' }));
    expect(await waitForExecution(h, executionArn ?? '')).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
  });
});

describe('ListExecutions', () => {
  it('lists the machine executions newest first, filtered by status, with pagination', async () => {
    const inbox = new Inbox<CallbackPayload>();
    h = await harness(
      { StartAt: 'Wait', States: { Wait: waitForTokenState({ End: true }) } },
      { wait: async (payload) => inbox.push(payload as CallbackPayload) },
    );
    const arns: string[] = [];
    const tokens: string[] = [];
    for (const name of ['a', 'b', 'c']) {
      const { executionArn } = await h.client.send(new StartExecutionCommand({ stateMachineArn: h.arn, name, input: `{"id":"${name}"}` }));
      arns.push(executionArn ?? '');
      tokens.push((await inbox.next()).taskToken);
    }
    await h.client.send(new SendTaskFailureCommand({ taskToken: tokens[1], error: 'Manual' }));
    await waitForExecution(h, arns[1] ?? '', ['FAILED']);

    const all = await h.client.send(new ListExecutionsCommand({ stateMachineArn: h.arn }));
    expect(all.executions?.map((e) => e.name)).toEqual(['c', 'b', 'a']);
    const running = await h.client.send(new ListExecutionsCommand({ stateMachineArn: h.arn, statusFilter: 'RUNNING' }));
    expect(running.executions?.map((e) => e.name)).toEqual(['c', 'a']);
    const failed = await h.client.send(new ListExecutionsCommand({ stateMachineArn: h.arn, statusFilter: 'FAILED' }));
    expect(failed.executions).toHaveLength(1);
    expect(failed.executions?.[0]).toMatchObject({ name: 'b', status: 'FAILED', stateMachineArn: h.arn });
    expect(failed.executions?.[0]?.stopDate).toBeInstanceOf(Date);
    const page1 = await h.client.send(new ListExecutionsCommand({ stateMachineArn: h.arn, maxResults: 2 }));
    expect(page1.executions).toHaveLength(2);
    const page2 = await h.client.send(new ListExecutionsCommand({ stateMachineArn: h.arn, maxResults: 2, nextToken: page1.nextToken }));
    expect(page2.executions?.map((e) => e.name)).toEqual(['a']);
    expect(page2.nextToken).toBeUndefined();
    expect((await rejectionOf(h.client.send(new ListExecutionsCommand({ stateMachineArn: h.arn, nextToken: 'bm9wZQ' })))).name).toBe(
      'InvalidToken',
    );
  });
});

describe('GetExecutionHistory', () => {
  it('records the events AWS records, in order: states entered and exited, task scheduled to succeeded or timed out, the execution', async () => {
    const inbox = new Inbox<CallbackPayload>();
    h = await harness(
      {
        StartAt: 'Prepare',
        States: {
          Prepare: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke',
            Parameters: { FunctionName: 'prepare', Payload: {} },
            ResultPath: null,
            Next: 'Wait',
          },
          Wait: waitForTokenState({
            TimeoutSeconds: 1,
            Catch: [{ ErrorEquals: ['States.Timeout'], ResultPath: '$.timeout', Next: 'Again?' }],
            ResultPath: '$.decision',
            Next: 'Done',
          }),
          'Again?': { Type: 'Choice', Choices: [{ Variable: '$.id', StringEquals: 'h', Next: 'Wait2' }], Default: 'Done' },
          Wait2: waitForTokenState({ ResultPath: '$.decision', Next: 'Done' }),
          Done: { Type: 'Succeed' },
        },
      },
      { prepare: async () => ({}), wait: async (payload) => inbox.push(payload as CallbackPayload) },
      { timeScale: 0.02 }, // the first wait times out after 20 ms
    );
    const { executionArn } = await h.client.send(new StartExecutionCommand({ stateMachineArn: h.arn, input: '{"id":"h"}' }));
    await inbox.next(); // first wait, times out
    const { taskToken } = await inbox.next();
    await h.client.send(new SendTaskSuccessCommand({ taskToken, output: '{"ok":true}' }));
    await waitForExecution(h, executionArn ?? '', ['SUCCEEDED']);

    const { events = [] } = await h.client.send(new GetExecutionHistoryCommand({ executionArn }));
    expect(events.map((event) => event.type)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSucceeded',
      'TaskStateExited',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSubmitted',
      'TaskTimedOut',
      'TaskStateExited', // caught: the library exits the state (counts one event more than AWS may)
      'ChoiceStateEntered',
      'ChoiceStateExited',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSubmitted',
      'TaskSucceeded',
      'TaskStateExited',
      'SucceedStateEntered',
      'SucceedStateExited',
      'ExecutionSucceeded',
    ]);
    expect(events.map((event) => event.id)).toEqual(events.map((_, index) => index + 1));
    expect(events[0]?.timestamp).toBeInstanceOf(Date);
    expect(events[1]?.stateEnteredEventDetails).toMatchObject({ name: 'Prepare', input: '{"id":"h"}' });
    expect(events[10]?.taskTimedOutEventDetails).toMatchObject({ error: 'States.Timeout', resourceType: 'lambda' });
    expect(JSON.parse(events[18]?.taskSucceededEventDetails?.output ?? '')).toEqual({ ok: true });

    const newestFirst = await h.client.send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 5 }));
    expect(newestFirst.events?.map((event) => event.id)).toEqual([23, 22, 21, 20, 19]);
    const rest = await h.client.send(
      new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 100, nextToken: newestFirst.nextToken }),
    );
    expect(rest.events).toHaveLength(18);
    expect(rest.nextToken).toBeUndefined();
  });

  it('ends with ExecutionFailed for an uncaught task failure', async () => {
    h = await harness(
      {
        StartAt: 'Call',
        States: {
          Call: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'boom', Payload: {} }, End: true },
        },
      },
      {
        boom: async () => {
          throw new RangeError('no');
        },
      },
    );
    const { executionArn } = await h.client.send(new StartExecutionCommand({ stateMachineArn: h.arn }));
    await waitForExecution(h, executionArn ?? '');
    const { events = [] } = await h.client.send(new GetExecutionHistoryCommand({ executionArn }));
    expect(events.map((event) => event.type)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskFailed',
      'ExecutionFailed',
    ]);
    expect(events[5]?.executionFailedEventDetails).toMatchObject({ error: 'RangeError' });
  });
});

describe('the HTTP endpoint', () => {
  it('answers bad requests with AWS-shaped 400 errors and keeps serving', async () => {
    h = await harness({ StartAt: 'Done', States: { Done: { Type: 'Succeed' } } }, {});
    const post = (target: string | undefined, body: string) =>
      fetch(`${h?.server.url}/`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.0', ...(target ? { 'x-amz-target': target } : {}) },
        body,
      });
    const badJson = await post('AWSStepFunctions.StartExecution', '{not json');
    expect(badJson.status).toBe(400);
    expect(badJson.headers.get('x-amzn-errortype')).toBe('SerializationException');
    expect(await badJson.json()).toMatchObject({ __type: 'SerializationException' });
    const unknown = await post('AWSStepFunctions.DeleteEverything', '{}');
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ __type: 'UnknownOperationException' });
    const noTarget = await post(undefined, '{}');
    expect(noTarget.status).toBe(400);
    const array = await post('AWSStepFunctions.DescribeExecution', '[1]');
    expect(((await array.json()) as { __type: string }).__type).toBe('SerializationException');
    const missing = await post('AWSStepFunctions.DescribeExecution', '{}');
    expect(((await missing.json()) as { __type: string }).__type).toBe('ValidationException');
    const get = await fetch(`${h.server.url}/`);
    expect(get.status).toBe(405);
    // Still serving.
    const list = await h.client.send(new ListExecutionsCommand({ stateMachineArn: h.arn }));
    expect(list.executions).toEqual([]);
  });

  it('is reachable through AWS_ENDPOINT_URL_SFN with an unchanged client', async () => {
    h = await harness({ StartAt: 'Done', States: { Done: { Type: 'Succeed' } } }, {});
    const previous = process.env.AWS_ENDPOINT_URL_SFN;
    process.env.AWS_ENDPOINT_URL_SFN = h.server.url;
    const client = new SFNClient({ region: REGION, credentials: CREDENTIALS });
    try {
      const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn: h.arn, input: '{"a":1}' }));
      expect((await waitForExecution(h, executionArn ?? '')).output).toBe('{"a":1}');
    } finally {
      client.destroy();
      if (previous === undefined) delete process.env.AWS_ENDPOINT_URL_SFN;
      else process.env.AWS_ENDPOINT_URL_SFN = previous;
    }
  });
});

describe('configuration errors', () => {
  it('refuses unsupported resources, missing functions and missing substitutions at start', async () => {
    await expect(
      harness(
        { StartAt: 'T', States: { T: { Type: 'Task', Resource: 'arn:aws:states:::dynamodb:putItem', Parameters: {}, End: true } } },
        {},
      ),
    ).rejects.toThrow(/not supported locally/);
    await expect(
      harness(
        {
          StartAt: 'T',
          States: {
            T: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'ghost', Payload: {} }, End: true },
          },
        },
        {},
      ),
    ).rejects.toThrow(/no local function for ghost/);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a CDK-style placeholder, on purpose
    const placeholder = '${Fn}';
    await expect(
      harness(
        {
          StartAt: 'T',
          States: {
            T: {
              Type: 'Task',
              Resource: 'arn:aws:states:::lambda:invoke',
              Parameters: { FunctionName: placeholder, Payload: {} },
              End: true,
            },
          },
        },
        {},
      ),
    ).rejects.toThrow(/No substitution for \$\{Fn\}/);
  });
});
