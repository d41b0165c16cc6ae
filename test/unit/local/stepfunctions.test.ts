import {
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  ListExecutionsCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { CREDENTIALS, type Harness, harness, Inbox, REGION, rejectionOf } from './sfn-helpers';

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
    const { executionArn, startDate } = await h.client.send(new StartExecutionCommand({ stateMachineArn: h.arn, name: 'exec-1', input: '{"x":41}' }));
    expect(executionArn).toBe(`arn:aws:states:${REGION}:000000000000:execution:test:exec-1`);
    expect(startDate).toBeInstanceOf(Date);
    await h.server.waitForExecution(executionArn ?? '', ['SUCCEEDED']);

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
    const done = await h.server.waitForExecution(executionArn ?? '', ['SUCCEEDED']);
    const output = JSON.parse(done.output ?? '');
    expect(output.failure.Error).toBe('Approvals.RequestGone');
    expect(JSON.parse(output.failure.Cause)).toMatchObject({ errorType: 'Approvals.RequestGone', errorMessage: 'it is gone' });
  });

  it('records an uncaught failure as FAILED with error and cause', async () => {
    h = await harness(
      {
        StartAt: 'Call',
        States: { Call: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'boom', Payload: {} }, End: true } },
      },
      {
        boom: async () => {
          throw new TypeError('bad type');
        },
      },
    );
    const { executionArn } = await h.client.send(new StartExecutionCommand({ stateMachineArn: h.arn }));
    await h.server.waitForExecution(executionArn ?? '');
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

    await h.client.send(new SendTaskHeartbeatCommand({ taskToken }));
    await h.client.send(new SendTaskSuccessCommand({ taskToken, output: '{"outcome":"approved"}' }));
    const done = await h.server.waitForExecution(executionArn ?? '', ['SUCCEEDED']);
    expect(JSON.parse(done.output ?? '')).toEqual({ id: 'r1', decision: { outcome: 'approved' } });

    // The task is closed: its token is timed out, for every task action.
    expect((await rejectionOf(h.client.send(new SendTaskSuccessCommand({ taskToken, output: '{}' })))).name).toBe('TaskTimedOut');
    expect((await rejectionOf(h.client.send(new SendTaskFailureCommand({ taskToken, error: 'X' })))).name).toBe('TaskTimedOut');
    expect((await rejectionOf(h.client.send(new SendTaskHeartbeatCommand({ taskToken })))).name).toBe('TaskTimedOut');
    // A token that cannot be one of ours is invalid.
    const invalid = await rejectionOf(h.client.send(new SendTaskSuccessCommand({ taskToken: 'not-a-token', output: '{}' })));
    expect(invalid.name).toBe('InvalidToken');
    expect(invalid.$metadata?.httpStatusCode).toBe(400);
  });

  it('rejects output that is not JSON with InvalidOutput and keeps the task open', async () => {
    const inbox = new Inbox<CallbackPayload>();
    h = await harness({ StartAt: 'Wait', States: { Wait: waitForTokenState({ End: true }) } }, { wait: async (payload) => inbox.push(payload as CallbackPayload) });
    const { executionArn } = await h.client.send(new StartExecutionCommand({ stateMachineArn: h.arn, input: '{"id":"r1"}' }));
    const { taskToken } = await inbox.next();
    expect((await rejectionOf(h.client.send(new SendTaskSuccessCommand({ taskToken, output: '{nope' })))).name).toBe('InvalidOutput');
    await h.client.send(new SendTaskSuccessCommand({ taskToken, output: '"fine"' }));
    expect((await h.server.waitForExecution(executionArn ?? '', ['SUCCEEDED'])).output).toBe('"fine"');
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
    const done = await h.server.waitForExecution(executionArn ?? '', ['SUCCEEDED']);
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
    const done = await h.server.waitForExecution(executionArn ?? '');
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
          Count: { Type: 'Pass', Parameters: { 'id.$': '$.id', 'waitSeconds.$': '$.waitSeconds', 'rounds.$': 'States.MathAdd($.rounds, 1)' }, Next: 'Again?' },
          'Again?': { Type: 'Choice', Choices: [{ Variable: '$.rounds', NumericLessThan: 3, Next: 'Wait' }], Default: 'Gave up' },
          'Gave up': { Type: 'Pass', End: true },
          Wrong: { Type: 'Fail', Error: 'Wrong' },
        },
      },
      { wait: async (payload) => inbox.push(payload as CallbackPayload) },
      { timeScale: 0.02 }, // 1 s -> 20 ms
    );
    const { executionArn } = await h.client.send(new StartExecutionCommand({ stateMachineArn: h.arn, input: '{"id":"t","waitSeconds":1,"rounds":0}' }));
    const done = await h.server.waitForExecution(executionArn ?? '', ['SUCCEEDED', 'FAILED']);
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
      { StartAt: 'Wait', States: { Wait: waitForTokenState({ TimeoutSecondsPath: '$.waitSeconds', Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Caught' }], End: true }), Caught: { Type: 'Pass', End: true } } },
      { wait: async () => undefined },
    );
    const { executionArn } = await h.client.send(new StartExecutionCommand({ stateMachineArn: h.arn, input: '{"id":"x","waitSeconds":1.5}' }));
    const done = await h.server.waitForExecution(executionArn ?? '');
    expect(done.status).toBe('FAILED');
    expect(done.error).toBe('States.Runtime');
  });

  it('arms no 60 s library timeout for a Task without TimeoutSeconds', async () => {
    const inbox = new Inbox<CallbackPayload>();
    const spy = jest.spyOn(global, 'setTimeout');
    try {
      h = await harness({ StartAt: 'Wait', States: { Wait: waitForTokenState({ End: true }) } }, { wait: async (payload) => inbox.push(payload as CallbackPayload) });
      spy.mockClear();
      const { executionArn } = await h.client.send(new StartExecutionCommand({ stateMachineArn: h.arn, input: '{"id":"long"}' }));
      const { taskToken } = await inbox.next();
      const delays = spy.mock.calls.map((call) => call[1]);
      expect(delays).not.toContain(60_000);
      expect(delays).toContain(2_147_483_000);
      await h.client.send(new SendTaskSuccessCommand({ taskToken, output: '{}' }));
      await h.server.waitForExecution(executionArn ?? '', ['SUCCEEDED']);
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
    const done = await h.server.waitForExecution(executionArn ?? '', ['SUCCEEDED']);
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
            Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 1, BackoffRate: 10, MaxDelaySeconds: 3, MaxAttempts: 4, JitterStrategy: 'FULL' }],
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
      { timeScale: 0.01 }, // waits of at most 10, 30, 30, 30 ms (capped), jittered down
    );
    const { executionArn } = await h.client.send(new StartExecutionCommand({ stateMachineArn: h.arn }));
    const done = await h.server.waitForExecution(executionArn ?? '', ['SUCCEEDED']);
    expect(calls).toHaveLength(5);
    const gaps = calls.slice(1).map((time, index) => time - (calls[index] ?? 0));
    // Uncapped, the last waits would be up to 1 s and 10 s.
    for (const gap of gaps) expect(gap).toBeLessThan(30 + 100);
    const output = JSON.parse(done.output ?? '');
    expect(output.failure.Error).toBe('RangeError');
    expect(JSON.parse(output.failure.Cause).errorMessage).toBe('attempt 5');
  });
});

describe('StartExecution', () => {
  it('is idempotent for a running execution with the same name and input, and refuses reuse otherwise', async () => {
    const inbox = new Inbox<CallbackPayload>();
    h = await harness({ StartAt: 'Wait', States: { Wait: waitForTokenState({ End: true }) } }, { wait: async (payload) => inbox.push(payload as CallbackPayload) });
    const input = '{"id":"same"}';
    const first = await h.client.send(new StartExecutionCommand({ stateMachineArn: h.arn, name: 'req-1', input }));
    const again = await h.client.send(new StartExecutionCommand({ stateMachineArn: h.arn, name: 'req-1', input }));
    expect(again.executionArn).toBe(first.executionArn);
    expect(again.startDate?.getTime()).toBe(first.startDate?.getTime());

    const differs = await rejectionOf(h.client.send(new StartExecutionCommand({ stateMachineArn: h.arn, name: 'req-1', input: '{"id":"other"}' })));
    expect(differs.name).toBe('ExecutionAlreadyExists');
    expect(differs.$metadata?.httpStatusCode).toBe(400);

    const { taskToken } = await inbox.next();
    await h.client.send(new SendTaskSuccessCommand({ taskToken, output: '{}' }));
    await h.server.waitForExecution(first.executionArn ?? '', ['SUCCEEDED']);
    const closed = await rejectionOf(h.client.send(new StartExecutionCommand({ stateMachineArn: h.arn, name: 'req-1', input })));
    expect(closed.name).toBe('ExecutionAlreadyExists');
    expect(inbox.all).toHaveLength(1);
  });

  it('answers AWS errors for bad names, unknown machines, bad input and unknown executions', async () => {
    h = await harness({ StartAt: 'Done', States: { Done: { Type: 'Succeed' } } }, {});
    const { client, arn } = h;
    expect((await rejectionOf(client.send(new StartExecutionCommand({ stateMachineArn: arn, name: 'has space' })))).name).toBe('InvalidName');
    expect((await rejectionOf(client.send(new StartExecutionCommand({ stateMachineArn: arn, name: 'a'.repeat(81) })))).name).toBe('InvalidName');
    expect((await rejectionOf(client.send(new StartExecutionCommand({ stateMachineArn: h.server.stateMachineArn('nope') })))).name).toBe('StateMachineDoesNotExist');
    expect((await rejectionOf(client.send(new StartExecutionCommand({ stateMachineArn: arn, input: '{oops' })))).name).toBe('InvalidExecutionInput');
    expect((await rejectionOf(client.send(new DescribeExecutionCommand({ executionArn: h.server.executionArn('test', 'missing') })))).name).toBe('ExecutionDoesNotExist');
    expect((await rejectionOf(client.send(new StopExecutionCommand({ executionArn: h.server.executionArn('test', 'missing') })))).name).toBe('ExecutionDoesNotExist');
    expect((await rejectionOf(client.send(new DescribeExecutionCommand({ executionArn: 'garbage' })))).name).toBe('InvalidArn');
    expect((await rejectionOf(client.send(new DescribeStateMachineCommand({ stateMachineArn: h.server.stateMachineArn('nope') })))).name).toBe('StateMachineDoesNotExist');
    expect((await rejectionOf(client.send(new ListExecutionsCommand({ stateMachineArn: arn, statusFilter: 'WHATEVER' as never })))).name).toBe('ValidationException');
    // A generated name when none is given.
    const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn: arn }));
    expect(executionArn).toMatch(/:execution:test:[0-9a-f-]{36}$/);
    expect((await h.server.waitForExecution(executionArn ?? '')).output).toBe('{}');
  });
});

describe('StopExecution', () => {
  it('marks the execution ABORTED, closes its tokens and leaves nothing scheduled', async () => {
    const inbox = new Inbox<CallbackPayload>();
    let afterCalls = 0;
    h = await harness(
      {
        StartAt: 'Wait',
        States: {
          Wait: waitForTokenState({ TimeoutSeconds: 1, Catch: [{ ErrorEquals: ['States.ALL'], Next: 'After' }], Next: 'After' }),
          After: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'after', Payload: {} }, End: true },
        },
      },
      {
        wait: async (payload) => inbox.push(payload as CallbackPayload),
        after: async () => {
          afterCalls += 1;
        },
      },
      { timeScale: 0.02 }, // the task would time out after 20 ms
    );
    const { executionArn } = await h.client.send(new StartExecutionCommand({ stateMachineArn: h.arn, input: '{"id":"s"}' }));
    const { taskToken } = await inbox.next();
    const { stopDate } = await h.client.send(new StopExecutionCommand({ executionArn, error: 'Manual', cause: 'stopped by test' }));
    expect(stopDate).toBeInstanceOf(Date);
    const described = await h.client.send(new DescribeExecutionCommand({ executionArn }));
    expect(described).toMatchObject({ status: 'ABORTED', error: 'Manual', cause: 'stopped by test' });
    expect((await rejectionOf(h.client.send(new SendTaskSuccessCommand({ taskToken, output: '{}' })))).name).toBe('TaskTimedOut');
    await h.server.waitForIdle();
    // Proving that nothing happens needs a wait: well past the (scaled) task timeout.
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(afterCalls).toBe(0);
    expect(inbox.all).toHaveLength(1);
    expect((await h.client.send(new DescribeExecutionCommand({ executionArn }))).status).toBe('ABORTED');
    // Stopping a closed execution changes nothing.
    await h.client.send(new StopExecutionCommand({ executionArn }));
    expect((await h.client.send(new DescribeExecutionCommand({ executionArn }))).error).toBe('Manual');
  });
});

describe('execution TimeoutSeconds', () => {
  it('times the execution out (TIMED_OUT) and closes its tokens', async () => {
    const inbox = new Inbox<CallbackPayload>();
    h = await harness({ TimeoutSeconds: 1, StartAt: 'Wait', States: { Wait: waitForTokenState({ End: true }) } }, { wait: async (payload) => inbox.push(payload as CallbackPayload) }, { timeScale: 0.05 });
    const { executionArn } = await h.client.send(new StartExecutionCommand({ stateMachineArn: h.arn, input: '{"id":"slow"}' }));
    const { taskToken } = await inbox.next();
    const done = await h.server.waitForExecution(executionArn ?? '');
    expect(done).toMatchObject({ status: 'TIMED_OUT', error: 'States.Timeout' });
    expect((await rejectionOf(h.client.send(new SendTaskSuccessCommand({ taskToken, output: '{}' })))).name).toBe('TaskTimedOut');
  });
});

describe('ListExecutions and DescribeStateMachine', () => {
  it('lists the machine executions newest first, filtered by status, with pagination', async () => {
    const inbox = new Inbox<CallbackPayload>();
    h = await harness({ StartAt: 'Wait', States: { Wait: waitForTokenState({ End: true }) } }, { wait: async (payload) => inbox.push(payload as CallbackPayload) });
    const arns: string[] = [];
    for (const name of ['a', 'b', 'c']) {
      const { executionArn } = await h.client.send(new StartExecutionCommand({ stateMachineArn: h.arn, name, input: `{"id":"${name}"}` }));
      arns.push(executionArn ?? '');
      await inbox.next();
    }
    await h.client.send(new StopExecutionCommand({ executionArn: arns[1] }));

    const all = await h.client.send(new ListExecutionsCommand({ stateMachineArn: h.arn }));
    expect(all.executions?.map((e) => e.name)).toEqual(['c', 'b', 'a']);
    const running = await h.client.send(new ListExecutionsCommand({ stateMachineArn: h.arn, statusFilter: 'RUNNING' }));
    expect(running.executions?.map((e) => e.name)).toEqual(['c', 'a']);
    const aborted = await h.client.send(new ListExecutionsCommand({ stateMachineArn: h.arn, statusFilter: 'ABORTED' }));
    expect(aborted.executions?.[0]).toMatchObject({ name: 'b', status: 'ABORTED', stateMachineArn: h.arn });
    expect(aborted.executions?.[0]?.stopDate).toBeInstanceOf(Date);
    const page1 = await h.client.send(new ListExecutionsCommand({ stateMachineArn: h.arn, maxResults: 2 }));
    expect(page1.executions).toHaveLength(2);
    const page2 = await h.client.send(new ListExecutionsCommand({ stateMachineArn: h.arn, maxResults: 2, nextToken: page1.nextToken }));
    expect(page2.executions?.map((e) => e.name)).toEqual(['a']);
    expect(page2.nextToken).toBeUndefined();

    const machine = await h.client.send(new DescribeStateMachineCommand({ stateMachineArn: h.arn }));
    expect(machine).toMatchObject({ name: 'test', status: 'ACTIVE', type: 'STANDARD', stateMachineArn: h.arn });
    expect(JSON.parse(machine.definition ?? '')).toHaveProperty('StartAt', 'Wait');
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
    const machine = await h.client.send(new DescribeStateMachineCommand({ stateMachineArn: h.arn }));
    expect(machine.name).toBe('test');
  });

  it('is reachable through AWS_ENDPOINT_URL_SFN with an unchanged client', async () => {
    h = await harness({ StartAt: 'Done', States: { Done: { Type: 'Succeed' } } }, {});
    const previous = process.env.AWS_ENDPOINT_URL_SFN;
    process.env.AWS_ENDPOINT_URL_SFN = h.server.url;
    const client = new SFNClient({ region: REGION, credentials: CREDENTIALS });
    try {
      const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn: h.arn, input: '{"a":1}' }));
      expect((await h.server.waitForExecution(executionArn ?? '')).output).toBe('{"a":1}');
    } finally {
      client.destroy();
      if (previous === undefined) delete process.env.AWS_ENDPOINT_URL_SFN;
      else process.env.AWS_ENDPOINT_URL_SFN = previous;
    }
  });
});

describe('configuration errors', () => {
  it('refuses unsupported resources, missing functions and missing substitutions at start', async () => {
    await expect(harness({ StartAt: 'T', States: { T: { Type: 'Task', Resource: 'arn:aws:states:::dynamodb:putItem', Parameters: {}, End: true } } }, {})).rejects.toThrow(/not supported locally/);
    await expect(harness({ StartAt: 'T', States: { T: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'ghost', Payload: {} }, End: true } } }, {})).rejects.toThrow(/no local function for ghost/);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a CDK-style placeholder, on purpose
    const placeholder = '${Fn}';
    await expect(harness({ StartAt: 'T', States: { T: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: placeholder, Payload: {} }, End: true } } }, {})).rejects.toThrow(/No substitution for \$\{Fn\}/);
  });
});
