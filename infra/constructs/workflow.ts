/**
 * The approval workflow: one function per workflow step of the registry (functions/registry.ts),
 * the state machine loaded from the ASL file as it is (CloudFormation substitutes the steps' ARNs),
 * and its log group.
 */
import * as path from 'node:path';
import { Fn, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { WorkflowStep } from '../../functions/registry';
import { type FunctionLogProps, PROJECT_ROOT, ServiceFunction, type ServiceResources } from './service-function';

/** The only workflow definition; CDK loads it as it is, the local engine runs the same file. */
export const WORKFLOW_DEFINITION = 'statemachines/approval.asl.json';

export interface WorkflowProps {
  /** The state machine's fixed name: the functions get its ARN without a reference to it (no cycle). */
  readonly stateMachineName: string;
  readonly steps: readonly WorkflowStep[];
  readonly resources: ServiceResources;
  readonly logs: FunctionLogProps;
}

export class Workflow extends Construct {
  readonly stateMachine: StateMachine;
  /** One function per workflow step, by name. */
  readonly functions: Record<string, ServiceFunction> = {};

  constructor(scope: Construct, id: string, props: WorkflowProps) {
    super(scope, id);
    for (const step of props.steps) {
      this.functions[step.name] = ServiceFunction.ofEntry(this, step, props.resources, {
        description: `Approval workflow task ${step.name} (\${${step.substitution}})`,
        ...props.logs,
      });
    }

    // Under /aws/vendedlogs/ (no log resource policy to grow); the stack's own id in the name, so a
    // group retained by a destroyed stack never collides with the next deploy's.
    const logs = new LogGroup(this, 'Logs', {
      logGroupName: `/aws/vendedlogs/states/${props.stateMachineName}-${Fn.select(2, Fn.split('/', Stack.of(this).stackId))}`,
      retention: props.logs.logRetention,
      removalPolicy: props.logs.logRemovalPolicy,
    });
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineName: props.stateMachineName,
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromFile(path.join(PROJECT_ROOT, WORKFLOW_DEFINITION)),
      definitionSubstitutions: Object.fromEntries(props.steps.map((step) => [step.substitution, this.function(step.name).functionArn])),
      // Every event, but without inputs and outputs: they carry request ids only today, yet task
      // results and errors can hold personal data (emails, names) that must not outlive the
      // request's own retention. The request's history in DynamoDB is the audit trail.
      logs: { destination: logs, level: LogLevel.ALL, includeExecutionData: false },
      tracingEnabled: true,
    });
    // The ASL names the unqualified ARNs; no `:*` version wildcard.
    this.stateMachine.addToRolePolicy(
      new PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: Object.values(this.functions).map((fn) => fn.functionArn),
      }),
    );
    Validations.of(this.stateMachine.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only what AWS requires on "*": CloudWatch Logs delivery for Step Functions logging (logs:CreateLogDelivery and friends have no resource-level permissions) and the X-Ray tracing actions. lambda:InvokeFunction names each task function (asserted in test/unit/infra).',
    });
  }

  /** The function of the workflow step `name`. */
  function(name: string): ServiceFunction {
    const fn = this.functions[name];
    if (!fn) throw new Error(`internal: no workflow step named ${name}`);
    return fn;
  }
}
