import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeExecutionCommand, SendTaskSuccessCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { waitFor } from '../../../local/net';
import { ExecutionStore } from '../../../local/stepfunctions/store';
import { type Harness, harness, Inbox, rejectionOf, waitForExecution } from '../../helpers/sfn';

interface CallbackPayload {
  requestId: string;
  taskToken: string;
}

let h: Harness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

const definition = {
  StartAt: 'Read',
  States: {
    Read: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: 'read', Payload: { 'requestId.$': '$.requestId' } },
      ResultSelector: { 'round.$': '$.Payload.round' },
      ResultPath: '$.read',
      Next: 'Await',
    },
    Await: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: { FunctionName: 'await', Payload: { 'requestId.$': '$.requestId', 'taskToken.$': '$$.Task.Token' } },
      ResultPath: '$.decision',
      End: true,
    },
  },
};

/** What a new start would read: the snapshot with the journal of changes since replayed over it. */
function storedExecutions(dir: string): Array<{ name: string; status: string; input: string }> {
  return new ExecutionStore(dir).load();
}

describe('persistence and restart', () => {
  it('re-runs a waiting execution from the start after a restart; the old token is timed out, the new one completes it', async () => {
    let reads = 0;
    const inbox = new Inbox<CallbackPayload>();
    h = await harness(definition, {
      read: async () => {
        reads += 1;
        return { round: reads };
      },
      await: async (payload) => inbox.push(payload as CallbackPayload),
    });
    const input = '{"requestId":"req-7"}';
    const started = await h.client.send(new StartExecutionCommand({ stateMachineArn: h.arn, name: 'req-7', input }));
    const executionArn = started.executionArn ?? '';
    const before = await inbox.next();
    expect(before.requestId).toBe('req-7');
    expect(reads).toBe(1);
    expect(storedExecutions(h.dir)).toEqual([expect.objectContaining({ name: 'req-7', status: 'RUNNING', input })]);

    const oldUrl = h.server.url;
    await h.restart();
    // The old server is gone; the file still says RUNNING (close does not finish executions).
    await expect(fetch(`${oldUrl}/`, { method: 'POST', body: '{}' })).rejects.toThrow();

    const after = await inbox.next();
    expect(after.requestId).toBe('req-7');
    expect(after.taskToken).not.toBe(before.taskToken);
    expect(reads).toBe(2); // ran again from the first state

    expect((await rejectionOf(h.client.send(new SendTaskSuccessCommand({ taskToken: before.taskToken, output: '{}' })))).name).toBe(
      'TaskTimedOut',
    );
    await h.client.send(new SendTaskSuccessCommand({ taskToken: after.taskToken, output: '{"outcome":"approved"}' }));
    const done = await waitForExecution(h, executionArn, ['SUCCEEDED']);
    expect(JSON.parse(done.output ?? '')).toEqual({ requestId: 'req-7', read: { round: 2 }, decision: { outcome: 'approved' } });

    const described = await h.client.send(new DescribeExecutionCommand({ executionArn }));
    expect(described.startDate?.getTime()).toBe(started.startDate?.getTime());
    expect(h.logs.some((line) => line.includes('test:req-7 resumed'))).toBe(true);
    // The logs never carry tokens or inputs.
    expect(h.logs.join('\n')).not.toContain(after.taskToken);
    expect(h.logs.join('\n')).not.toContain('requestId');

    // The file is written after the status changes in memory.
    await waitFor(async () => storedExecutions(h?.dir ?? '')[0]?.status === 'SUCCEEDED', {
      timeoutMs: 5000,
      what: 'the data file to say SUCCEEDED',
    });
    expect(storedExecutions(h.dir)).toEqual([expect.objectContaining({ name: 'req-7', status: 'SUCCEEDED' })]);
    // Once the engine is idle, the journal is folded into the snapshot.
    await waitFor(async () => readdirSync(join(h?.dir ?? '', 'stepfunctions')).join() === 'executions.json', {
      timeoutMs: 5000,
      what: 'the journal to be folded in',
    });
    expect(JSON.parse(readFileSync(join(h.dir, 'stepfunctions', 'executions.json'), 'utf8')).executions).toEqual([
      expect.objectContaining({ name: 'req-7', status: 'SUCCEEDED' }),
    ]);

    // A finished execution is not re-run by the next start, and its name stays taken.
    await h.restart();
    expect((await h.client.send(new DescribeExecutionCommand({ executionArn }))).status).toBe('SUCCEEDED');
    expect((await rejectionOf(h.client.send(new StartExecutionCommand({ stateMachineArn: h.arn, name: 'req-7', input })))).name).toBe(
      'ExecutionAlreadyExists',
    );
    expect(reads).toBe(2);
  });

  it('refuses a data file it cannot read instead of dropping executions', async () => {
    h = await harness(definition, { read: async () => ({ round: 1 }), await: async () => undefined });
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(h.dir, 'stepfunctions', 'executions.json'), '{broken');
    await expect(h.restart()).rejects.toThrow(/not valid JSON/);
    writeFileSync(join(h.dir, 'stepfunctions', 'executions.json'), '{"version":1,"executions":[]}');
    await h.restart();
  });
});

describe('statemachines/approval.asl.json', () => {
  it('runs on the local engine: plan, await with TimeoutSecondsPath, loop on timeout, decide, notify, retried callback', async () => {
    const plans: string[] = [];
    const awaits = new Inbox<CallbackPayload>();
    let deliveries = 0;
    const workflowFunctions = {
      planRound: async (payload: unknown) => {
        plans.push((payload as { requestId: string }).requestId);
        // First round waits 1 s (20 ms scaled) and times out; the next waits long enough to decide.
        return { done: false, waitSeconds: plans.length === 1 ? 1 : 3600, basis: '0||2026-11-10T00:00:00.000Z' };
      },
      awaitDecision: async (payload: unknown) => awaits.push(payload as CallbackPayload),
      notifyOutcome: async () => ({ callback: true }),
      deliverCallback: async () => {
        deliveries += 1;
        if (deliveries === 1) throw new Error('callback answered 503');
        return {};
      },
    };
    h = await harness({}, workflowFunctions, {
      timeScale: 0.02,
      stateMachines: [
        {
          name: 'approval',
          definitionFile: join(__dirname, '../../../statemachines/approval.asl.json'),
          substitutions: {
            PlanRoundFunctionArn: 'planRound',
            AwaitDecisionFunctionArn: 'awaitDecision',
            NotifyOutcomeFunctionArn: 'notifyOutcome',
            DeliverCallbackFunctionArn: 'deliverCallback',
          },
          functions: workflowFunctions,
        },
      ],
    });
    const stateMachineArn = h.server.stateMachineArn('approval');
    const { executionArn } = await h.client.send(
      new StartExecutionCommand({ stateMachineArn, name: 'req-42', input: '{"requestId":"req-42"}' }),
    );
    const first = await awaits.next();
    const second = await awaits.next();
    expect(second.taskToken).not.toBe(first.taskToken);
    expect(plans).toEqual(['req-42', 'req-42']);
    expect((await rejectionOf(h.client.send(new SendTaskSuccessCommand({ taskToken: first.taskToken, output: '{}' })))).name).toBe(
      'TaskTimedOut',
    );
    await h.client.send(new SendTaskSuccessCommand({ taskToken: second.taskToken, output: '{"status":"approved"}' }));
    const done = await waitForExecution(h, executionArn ?? '', ['SUCCEEDED', 'FAILED']);
    expect(done.status).toBe('SUCCEEDED');
    const output = JSON.parse(done.output ?? '');
    expect(output).toMatchObject({
      requestId: 'req-42',
      decision: { status: 'approved' },
      notified: { callback: true },
      timeout: { Error: 'States.Timeout' },
    });
    expect(output.failure).toBeUndefined();
    expect(deliveries).toBe(2);
  });
});

describe('the execution store', () => {
  it('appends one line per change, whatever it holds, and a new start reads the snapshot and the journal together', async () => {
    const { mkdtempSync, rmSync, statSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'sfn-store-'));
    const store = new ExecutionStore(dir);
    const all: Array<{
      executionArn: string;
      stateMachineArn: string;
      stateMachineName: string;
      name: string;
      input: string;
      status: 'RUNNING';
      startDate: string;
    }> = [];
    const record = (i: number) => ({
      executionArn: `arn:e${String(i).padStart(4, '0')}`,
      stateMachineArn: 'arn:m',
      stateMachineName: 'm',
      name: `e${String(i).padStart(4, '0')}`,
      input: '{}',
      status: 'RUNNING' as const,
      startDate: new Date(0).toISOString(),
    });
    store.load();
    const journal = join(dir, 'stepfunctions', 'executions.journal');
    const growth: number[] = [];
    for (let i = 0; i < 600; i++) {
      all.push(record(i));
      const before = i === 0 ? 0 : statSync(journal).size;
      await store.save(record(i), () => all);
      growth.push(statSync(journal).size - before);
    }
    // The same bytes for the 600th change as for the 2nd: nothing but its own line is written.
    expect(growth.at(-1)).toBe(growth[1]);
    expect(new ExecutionStore(dir).load().map((e) => e.name)).toEqual(all.map((e) => e.name));
    await store.flush();
    expect(readdirSync(join(dir, 'stepfunctions'))).toEqual(['executions.json']);
    expect(new ExecutionStore(dir).load()).toHaveLength(600);
    rmSync(dir, { recursive: true, force: true });
  });
});
