/**
 * The state machine is statemachines/approval.asl.json as it is (no CDK-built copy), with
 * every `${...}` substituted by the ARN of the matching workflow function, logging and
 * tracing on; every ASL file passes asl-validator.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Asset } from 'aws-cdk-lib/aws-s3-assets';
import aslValidator from 'asl-validator';
import { APPROVAL_STEPS } from '../../../functions/approval-steps';
import { PROJECT_ROOT } from '../../../infra/constructs/service-function';
import { WORKFLOW_DEFINITION } from '../../../infra/stacks/stateless-stack';
import { defined, fixture, logicalId, props, resources } from '../../infra/fixture';

const { app, stateless, statelessTemplate } = fixture();
const machine = defined(resources(statelessTemplate, 'AWS::StepFunctions::StateMachine')[logicalId(stateless.stateMachine)], 'the state machine');
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
    for (const task of APPROVAL_STEPS) {
      const fn = defined(stateless.workflowFunctions[task.name], task.name);
      expect(substitutions[task.substitution]).toEqual({ 'Fn::GetAtt': [logicalId(fn), 'Arn'] });
    }
  });

  test('after substitution no ${ is left and the structure is the file\'s, with the function ARNs in place', () => {
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
