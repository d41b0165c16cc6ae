/**
 * The reconciler: the workflow's backstop, the `reconciler` function of the registry run by an
 * EventBridge Scheduler schedule every RECONCILE_EVERY_MINUTES, with the scheduler's own role, and
 * an alarm for when it stops running (Monitoring wires it to the alarm topic).
 */
import { Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnSchedule } from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';
import { functionNamed } from '../../functions/registry';
import { type FunctionLogProps, ServiceFunction, type ServiceResources } from './service-function';

/**
 * How often the reconciler runs in the cloud (docs/architecture.md: Guarantees and the reconciler): every minute, so a decision stored
 * while Step Functions could not be told reaches the workflow within a minute of its recovery.
 */
export const RECONCILE_EVERY_MINUTES = 1;

/** The schedule's rate expression: the unit is singular for 1 (`rate(1 minute)`), as EventBridge requires. */
export const reconcileRate = (minutes: number) => `rate(${minutes} ${minutes === 1 ? 'minute' : 'minutes'})`;

export interface ReconcilerProps {
  /** Name prefix of the alarm, e.g. `approvals-dev`. */
  readonly prefix: string;
  /** The state machine's fixed name (its executions are named in the DescribeExecution grant). */
  readonly stateMachineName: string;
  readonly resources: ServiceResources;
  /** One run at a time (setting `reconcilerConcurrency` 1); false: none reserved (an account whose quota is too low). */
  readonly reserveConcurrency: boolean;
  readonly logs: FunctionLogProps;
}

export class Reconciler extends Construct {
  readonly function: ServiceFunction;
  readonly schedule: CfnSchedule;
  /** No run in 10 minutes (missing data breaches), without actions: Monitoring wires it to the alarm topic. */
  readonly notRunningAlarm: Alarm;

  constructor(scope: Construct, id: string, props: ReconcilerProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.function = ServiceFunction.ofEntry(this, functionNamed('reconciler'), props.resources, {
      description: 'Repairs requests whose workflow is late: expires overdue ones, starts missing executions, restarts lost outcomes',
      ...props.logs,
      // One run at a time: two overlapping runs could both start an execution for the same request.
      reservedConcurrentExecutions: props.reserveConcurrency ? 1 : undefined,
    });
    // The scheduler invokes asynchronously: no Lambda retries or queued events either (60 s is Lambda's least age).
    this.function.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.minutes(1) });
    // DescribeExecution is authorised on execution ARNs only: this state machine's executions.
    const literal = (value: string, name: string) => (Token.isUnresolved(value) ? `<AWS::${name}>` : value);
    const role = this.function.role;
    if (!role) throw new Error('internal: the reconciler has no role');
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:${literal(stack.partition, 'Partition')}:states:${literal(stack.region, 'Region')}:${literal(stack.account, 'AccountId')}:execution:${props.stateMachineName}:*]`,
      reason:
        'states:DescribeExecution has no state-machine-level resource: the executions of this one state machine (names are request ids, not known in advance).',
    });
    // The scheduler's own role may invoke the reconciler, unqualified, and nothing else.
    const schedulerRole = new Role(this, 'ScheduleRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': stack.account } } }),
      description: 'EventBridge Scheduler invokes the approval reconciler',
    });
    schedulerRole.addToPolicy(new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.function.functionArn] }));
    this.schedule = new CfnSchedule(this, 'Schedule', {
      description: 'Runs the approval reconciler (docs/deploy-and-operations.md: The reconciler in the cloud)',
      scheduleExpression: reconcileRate(RECONCILE_EVERY_MINUTES),
      flexibleTimeWindow: { mode: 'OFF' },
      state: 'ENABLED',
      // A missed run is not retried: the next one comes within minutes and does the same work.
      target: { arn: this.function.functionArn, roleArn: schedulerRole.roleArn, retryPolicy: { maximumRetryAttempts: 0 } },
    });
    // Its error alarm sees no data when nothing runs it: a disabled or deleted schedule, a broken role, no concurrency.
    this.notRunningAlarm = new Alarm(this, 'NotRunningAlarm', {
      alarmName: `${props.prefix}-reconciler-not-running`,
      alarmDescription:
        'The reconciler did not run in 10 minutes: the backstop is off (check its schedule, the schedule role and the function; docs/deploy-and-operations.md: Runbook)',
      metric: this.function.metricInvocations({ period: Duration.minutes(10), statistic: 'Sum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.BREACHING,
    });
  }
}
