/**
 * The state machine is statemachines/approval.asl.json as it is (no CDK-built copy), with
 * every `${...}` substituted by the ARN of the matching workflow function, logging and
 * tracing on; every ASL file passes asl-validator.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Asset } from 'aws-cdk-lib/aws-s3-assets';
import aslValidator from 'asl-validator';
import { workflowSteps } from '../../../functions/registry';
import { PROJECT_ROOT } from '../../../infra/constructs/service-function';
import { WORKFLOW_DEFINITION } from '../../../infra/constructs/workflow';
import { defined, fixture, logicalId, props, resources } from '../../helpers/infra';

const { app, stateless, statelessTemplate } = fixture();
const machine = defined(
  resources(statelessTemplate, 'AWS::StepFunctions::StateMachine')[logicalId(stateless.stateMachine)],
  'the state machine',
);
const sourceText = readFileSync(path.join(PROJECT_ROOT, WORKFLOW_DEFINITION), 'utf8');
const PLACEHOLDER = /\$\{([A-Za-z0-9_]+)\}/g;

/** What CloudFormation does with DefinitionSubstitutions, with `${Id.Arn}` standing for each GetAtt. */
function substitute(definition: string, substitutions: Record<string, { 'Fn::GetAtt': [string, string] }>): string {
  return definition.replace(PLACEHOLDER, (whole, name: string) => {
    const value = substitutions[name];
    return value ? `arn:test:${value['Fn::GetAtt'][0]}.${value['Fn::GetAtt'][1]}` : whole;
  });
}

describe('the approval state machine', () => {
  test('is a STANDARD workflow named as the functions were told', () => {
    expect(machine.Properties).toMatchObject({ StateMachineType: 'STANDARD', StateMachineName: stateless.stateMachineName });
  });

  test('its definition is the ASL file itself, uploaded byte for byte', () => {
    expect(machine.Properties?.DefinitionString).toBeUndefined();
    expect(machine.Properties?.DefinitionS3Location).toBeDefined();
    const asset = stateless.stateMachine.node.findChild('DefinitionBody') as Asset;
    const assembly = app.synth();
    expect(readFileSync(path.join(assembly.directory, asset.assetPath), 'utf8')).toBe(sourceText);
    expect((props(machine).DefinitionS3Location as { Key: string }).Key).toBe(`${asset.assetHash}.json`);
  });

  test('every placeholder of the file has a substitution, each the ARN of its workflow function, and none is unused', () => {
    const names = [...new Set([...sourceText.matchAll(PLACEHOLDER)].map((match) => match[1]))].sort();
    expect(names.length).toBeGreaterThan(0);
    const substitutions = machine.Properties?.DefinitionSubstitutions as Record<string, unknown>;
    expect(Object.keys(substitutions).sort()).toEqual(names);
    for (const task of workflowSteps()) {
      const fn = defined(stateless.workflowFunctions[task.name], task.name);
      expect(substitutions[task.substitution]).toEqual({ 'Fn::GetAtt': [logicalId(fn), 'Arn'] });
    }
  });

  test("after substitution no ${ is left and the structure is the file's, with the function ARNs in place", () => {
    const substitutions = machine.Properties?.DefinitionSubstitutions as Record<string, { 'Fn::GetAtt': [string, string] }>;
    const deployed = substitute(sourceText, substitutions);
    expect(deployed).not.toContain('${');
    const source = JSON.parse(sourceText) as { States: Record<string, { Parameters?: { FunctionName?: string } }> };
    const parsed = JSON.parse(deployed) as typeof source;
    expect(Object.keys(parsed.States)).toEqual(Object.keys(source.States));
    for (const [name, state] of Object.entries(source.States)) {
      const functionName = state.Parameters?.FunctionName;
      const placeholder = functionName ? /^\$\{(.+)\}$/.exec(functionName)?.[1] : undefined;
      const expected = placeholder
        ? { ...state, Parameters: { ...state.Parameters, FunctionName: `arn:test:${substitutions[placeholder]?.['Fn::GetAtt'][0]}.Arn` } }
        : state;
      expect([name, parsed.States[name]]).toEqual([name, expected]);
    }
    expect({ ...parsed, States: undefined }).toEqual({ ...source, States: undefined });
  });

  test('logs every event without execution data, to its own log group, and traces with X-Ray', () => {
    expect(machine.Properties?.LoggingConfiguration).toEqual({
      Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [expect.stringMatching(/^WorkflowLogs/), 'Arn'] } } }],
      IncludeExecutionData: false,
      Level: 'ALL',
    });
    expect(machine.Properties?.TracingConfiguration).toEqual({ Enabled: true });
  });
});

describe('asl-validator', () => {
  const files = readdirSync(path.join(PROJECT_ROOT, 'statemachines')).filter((file) => file.endsWith('.json'));

  test('finds the workflow files', () => {
    expect(files).toContain(path.basename(WORKFLOW_DEFINITION));
  });

  test.each(files)('%s is valid ASL', (file) => {
    const definition = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'statemachines', file), 'utf8'));
    const { isValid, errorsText } = aslValidator(definition);
    expect(isValid ? '' : errorsText('\n')).toBe('');
  });

  test('the validator does reject a broken definition', () => {
    const broken = { StartAt: 'Missing', States: { Done: { Type: 'Succeed' } } };
    expect(aslValidator(broken).isValid).toBe(false);
  });
});

describe("the workflow's error paths and time limit", () => {
  const definition = JSON.parse(sourceText) as { TimeoutSeconds: number; States: Record<string, Record<string, unknown>> };
  const DAY = 86_400;

  test("the execution time-out is under a Standard workflow's one-year limit and above the longest expiry plus the callback retries", () => {
    const callback = definition.States['Deliver callback'] as {
      TimeoutSeconds: number;
      Retry: Array<{ MaxAttempts: number; IntervalSeconds: number; BackoffRate: number; MaxDelaySeconds: number }>;
    };
    const retry = defined(callback.Retry[0], 'the callback retry');
    let retrySpan = 0;
    for (let attempt = 0; attempt < retry.MaxAttempts; attempt++)
      retrySpan += Math.min(retry.IntervalSeconds * retry.BackoffRate ** attempt, retry.MaxDelaySeconds);
    retrySpan += (retry.MaxAttempts + 1) * callback.TimeoutSeconds;
    expect(definition.TimeoutSeconds).toBeLessThan(365 * DAY);
    // expireAfter is at most P360D (the contract), then the outcome email and the callback's retries follow.
    expect(definition.TimeoutSeconds).toBeGreaterThan(360 * DAY + retrySpan + 3_600);
  });

  test('an unexpected error of Await decision backs off (a Wait) instead of looping straight back to Plan round', () => {
    const wait = definition.States['Await decision'] as { Catch: Array<{ ErrorEquals: string[]; Next: string }> };
    const catchAll = defined(
      wait.Catch.find((rule) => rule.ErrorEquals.includes('States.ALL')),
      'the States.ALL catcher',
    );
    expect(catchAll.Next).not.toBe('Plan round');
    // Every path from the catcher back to Plan round goes through a Wait state.
    const reachesPlanWithoutWait = (name: string, seen: Set<string>): boolean => {
      if (name === 'Plan round') return true;
      if (seen.has(name)) return false;
      seen.add(name);
      const state = defined(definition.States[name], name) as {
        Type: string;
        Next?: string;
        Default?: string;
        Choices?: Array<{ Next: string }>;
      };
      if (state.Type === 'Wait') return false;
      const next = [state.Next, state.Default, ...(state.Choices ?? []).map((choice) => choice.Next)].filter((n): n is string =>
        Boolean(n),
      );
      return next.some((n) => reachesPlanWithoutWait(n, seen));
    };
    expect(reachesPlanWithoutWait(catchAll.Next, new Set())).toBe(false);
  });

  test('run by the interpreter: waits grow, and after 8 backoffs the execution fails in Gave up', async () => {
    const { StateMachine } = await import('aws-local-stepfunctions');
    const deployed = sourceText.replace(PLACEHOLDER, (_whole, name: string) => `arn:aws:lambda:eu-west-1:123456789012:function:${name}`);
    // Without the machine's own TimeoutSeconds: Node's timers cannot arm 364 days (the local engine drops it too).
    // The library reads TimeoutSecondsPath from Parameters' output, unlike AWS: the handler fails at once anyway.
    const { TimeoutSeconds: _year, ...runnable } = JSON.parse(deployed) as {
      TimeoutSeconds?: number;
      States: Record<string, Record<string, unknown>>;
    };
    delete runnable.States['Await decision']?.TimeoutSecondsPath;
    const machine = new StateMachine(runnable as never, { validationOptions: { noValidate: true } });
    const waits: number[] = [];
    let planRounds = 0;
    const execution = machine.run(
      { requestId: 'r-1' },
      {
        overrides: {
          taskResourceLocalHandlers: {
            'Plan round': async () => {
              planRounds++;
              return { Payload: { done: false, waitSeconds: 60, basis: '0||2026-11-10T00:00:00.000Z' } };
            },
            'Await decision': async () => {
              throw Object.assign(new Error('boom'), { name: 'Approvals.SomethingUnexpected' });
            },
          },
          waitTimeOverrides: { 'Back off': 0 },
        },
        context: { Task: { Token: 'token' } },
      },
    );
    const spy = execution.eventLogs;
    const seen: string[] = [];
    const collect = (async () => {
      for await (const event of spy) {
        const entry = event as { type: string; state?: { name: string; output?: unknown } };
        if (entry.type === 'StateExited' && entry.state?.name === 'Next backoff') {
          waits.push((entry.state.output as { backoff: { waitSeconds: number } }).backoff.waitSeconds);
        }
        if (entry.type === 'StateEntered' && entry.state) seen.push(entry.state.name);
      }
    })();
    await expect(execution.result).rejects.toThrow(
      /A round \(Plan round, or Await decision .*\) kept failing after its retries: 8 backoffs, then gave up$/,
    );
    await collect;
    expect(waits.slice(0, 8)).toEqual([10, 30, 60, 120, 300, 600, 600, 600]);
    expect(seen.filter((name) => name === 'Back off')).toHaveLength(8);
    expect(planRounds).toBe(9);
    expect(seen.at(-1)).toBe('Gave up');
  });
});
