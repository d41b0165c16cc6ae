/**
 * ListStateMachines, DescribeStateMachine and StopExecution through the AWS SDK, as the AWS CLI
 * would call them: shapes, AWS's errors, and what a stop does to the execution and its task token.
 */
import {
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  GetExecutionHistoryCommand,
  ListStateMachinesCommand,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { ExecutionStore } from '../../../local/stepfunctions/store';
import { type Harness, harness, Inbox, rejectionOf } from '../../helpers/sfn';

let h: Harness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

const definition = {
  Comment: 'waits for a decision',
  StartAt: 'Await',
  States: {
    Await: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: { FunctionName: 'await', Payload: { 'taskToken.$': '$$.Task.Token' } },
      TimeoutSeconds: 3600,
      End: true,
    },
  },
};

const started = async (inbox: Inbox<{ taskToken: string }>, name: string) => {
  const { executionArn } = await (h as Harness).client.send(new StartExecutionCommand({ stateMachineArn: (h as Harness).arn, name }));
  const { taskToken } = await inbox.next();
  return { executionArn: executionArn ?? '', taskToken };
};

test('ListStateMachines and DescribeStateMachine answer with the configured machine as AWS does', async () => {
  h = await harness(definition, { await: async () => {} });
  const listed = await h.client.send(new ListStateMachinesCommand({}));
  expect(listed.stateMachines).toEqual([{ stateMachineArn: h.arn, name: 'test', type: 'STANDARD', creationDate: expect.any(Date) }]);
  expect(listed.nextToken).toBeUndefined();

  const described = await h.client.send(new DescribeStateMachineCommand({ stateMachineArn: h.arn }));
  expect(described).toMatchObject({
    stateMachineArn: h.arn,
    name: 'test',
    status: 'ACTIVE',
    type: 'STANDARD',
    roleArn: expect.any(String),
  });
  expect(JSON.parse(described.definition ?? '')).toEqual(definition);
  expect(described.creationDate).toEqual(listed.stateMachines?.[0]?.creationDate);

  const missing = await rejectionOf(h.client.send(new DescribeStateMachineCommand({ stateMachineArn: `${h.arn}-not-there` })));
  expect([missing.name, missing.$metadata?.httpStatusCode]).toEqual(['StateMachineDoesNotExist', 400]);
  expect((await rejectionOf(h.client.send(new DescribeStateMachineCommand({ stateMachineArn: 'not-an-arn' })))).name).toBe('InvalidArn');
});

test('StopExecution ends a running execution ABORTED with its error and cause; its task token is spent', async () => {
  const inbox = new Inbox<{ taskToken: string }>();
  h = await harness(definition, { await: async (payload) => inbox.push(payload as { taskToken: string }) });
  const { executionArn, taskToken } = await started(inbox, 'stop-me');

  const stopped = await h.client.send(new StopExecutionCommand({ executionArn, error: 'Operator.Stopped', cause: 'stopped by hand' }));
  expect(stopped.stopDate).toEqual(expect.any(Date));

  const described = await h.client.send(new DescribeExecutionCommand({ executionArn }));
  expect(described).toMatchObject({ status: 'ABORTED', error: 'Operator.Stopped', cause: 'stopped by hand', stopDate: stopped.stopDate });
  const { events } = await h.client.send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true }));
  expect(events?.[0]).toMatchObject({
    type: 'ExecutionAborted',
    executionAbortedEventDetails: { error: 'Operator.Stopped', cause: 'stopped by hand' },
  });
  for (const send of [
    () => (h as Harness).client.send(new SendTaskSuccessCommand({ taskToken, output: '{}' })),
    () => (h as Harness).client.send(new SendTaskFailureCommand({ taskToken, error: 'X' })),
  ]) {
    expect((await rejectionOf(send())).name).toBe('TaskTimedOut');
  }

  // A second stop changes nothing.
  const again = await h.client.send(new StopExecutionCommand({ executionArn, error: 'Other' }));
  expect(again.stopDate).toEqual(stopped.stopDate);
  expect((await h.client.send(new DescribeExecutionCommand({ executionArn }))).error).toBe('Operator.Stopped');
});

test('a stopped execution is stored ABORTED and not run again after a restart', async () => {
  const inbox = new Inbox<{ taskToken: string }>();
  h = await harness(definition, { await: async (payload) => inbox.push(payload as { taskToken: string }) });
  const { executionArn } = await started(inbox, 'stays-stopped');
  await h.client.send(new StopExecutionCommand({ executionArn }));
  expect(new ExecutionStore(h.dir).load()).toEqual([expect.objectContaining({ name: 'stays-stopped', status: 'ABORTED' })]);

  await h.restart();
  expect((await h.client.send(new DescribeExecutionCommand({ executionArn }))).status).toBe('ABORTED');
  expect(h.logs.some((line) => line.includes('stays-stopped resumed'))).toBe(false);
  expect(inbox.all).toHaveLength(1);
});

test("StopExecution's errors: an unknown execution, a bad ARN, an error too long", async () => {
  h = await harness(definition, { await: async () => {} });
  const unknown = `arn:aws:states:us-east-1:000000000000:execution:test:nobody`;
  expect((await rejectionOf(h.client.send(new StopExecutionCommand({ executionArn: unknown })))).name).toBe('ExecutionDoesNotExist');
  expect((await rejectionOf(h.client.send(new StopExecutionCommand({ executionArn: 'arn:nope' })))).name).toBe('InvalidArn');
  const inbox = new Inbox<{ taskToken: string }>();
  await h.dispose();
  h = await harness(definition, { await: async (payload) => inbox.push(payload as { taskToken: string }) });
  const { executionArn } = await started(inbox, 'long-error');
  const tooLong = await rejectionOf(h.client.send(new StopExecutionCommand({ executionArn, error: 'e'.repeat(257) })));
  expect(tooLong.name).toBe('ValidationException');
  expect((await h.client.send(new DescribeExecutionCommand({ executionArn }))).status).toBe('RUNNING');
});
