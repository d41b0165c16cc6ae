/**
 * The reconciler in the cloud: EventBridge Scheduler runs it every minute with a role that may
 * invoke this one function and nothing else, without retries; its errors and a missed schedule alarm.
 */
import { functionNamed } from '../../../functions/registry';
import { RECONCILE_EVERY_MINUTES, reconcileRate } from '../../../infra/constructs/reconciler';
import { fixture, logicalId, props, resources } from '../../helpers/infra';

const { stateless, statelessTemplate, config } = fixture();

test('a schedule runs the reconciler every minute, without retries (the next run does the same work)', () => {
  const schedules = Object.values(resources(statelessTemplate, 'AWS::Scheduler::Schedule'));
  expect(schedules).toHaveLength(1);
  const schedule = props(schedules[0]);
  // A decision stored while Step Functions was down reaches the workflow within a minute of its recovery.
  expect(RECONCILE_EVERY_MINUTES).toBe(1);
  expect(schedule).toMatchObject({
    ScheduleExpression: 'rate(1 minute)',
    State: 'ENABLED',
    FlexibleTimeWindow: { Mode: 'OFF' },
  });
  const target = schedule.Target as { Arn: unknown; RoleArn: unknown; RetryPolicy: unknown };
  expect(target.Arn).toEqual({ 'Fn::GetAtt': [logicalId(stateless.reconcilerFunction), 'Arn'] });
  expect(target.RetryPolicy).toEqual({ MaximumRetryAttempts: 0 });
});

test('Lambda does not retry a failed run nor keep its event queued: the next run, a minute later, does the same work', () => {
  const configs = Object.values(resources(statelessTemplate, 'AWS::Lambda::EventInvokeConfig')).map(props);
  expect(configs).toEqual([
    {
      FunctionName: { Ref: logicalId(stateless.reconcilerFunction) },
      Qualifier: '$LATEST',
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 60,
    },
  ]);
});

test('a schedule that stops running the reconciler (disabled, deleted, a broken role) raises an alarm', () => {
  const alarm = Object.values(resources(statelessTemplate, 'AWS::CloudWatch::Alarm'))
    .map(props)
    .find((candidate) => candidate.AlarmName === `${config.prefix}-reconciler-not-running`);
  expect(alarm).toMatchObject({
    Namespace: 'AWS/Lambda',
    MetricName: 'Invocations',
    Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId(stateless.reconcilerFunction) } }],
    Statistic: 'Sum',
    Period: 600,
    EvaluationPeriods: 1,
    Threshold: 1,
    ComparisonOperator: 'LessThanThreshold',
    TreatMissingData: 'breaching',
    AlarmActions: [{ Ref: logicalId(stateless.monitoring.alarmTopic) }],
  });
});

test('the rate expression names its unit in the singular for 1, the plural otherwise, as EventBridge requires', () => {
  expect(reconcileRate(1)).toBe('rate(1 minute)');
  expect(reconcileRate(5)).toBe('rate(5 minutes)');
});

test("the schedule's role is assumed by EventBridge Scheduler of this account and may invoke the reconciler only", () => {
  const schedule = props(Object.values(resources(statelessTemplate, 'AWS::Scheduler::Schedule'))[0]);
  const roleId = ((schedule.Target as { RoleArn: { 'Fn::GetAtt': string[] } }).RoleArn['Fn::GetAtt'] as string[])[0] as string;
  const role = props(resources(statelessTemplate, 'AWS::IAM::Role')[roleId]);
  expect(JSON.stringify(role.AssumeRolePolicyDocument)).toContain('scheduler.amazonaws.com');
  expect(JSON.stringify(role.AssumeRolePolicyDocument)).toContain('aws:SourceAccount');
  const policies = Object.values(resources(statelessTemplate, 'AWS::IAM::Policy')).filter((policy) =>
    JSON.stringify(props(policy).Roles).includes(roleId),
  );
  const statements = policies.flatMap(
    (policy) => (props(policy).PolicyDocument as { Statement: Array<{ Action: unknown; Resource: unknown }> }).Statement,
  );
  expect(statements).toEqual([
    expect.objectContaining({
      Action: 'lambda:InvokeFunction',
      Resource: { 'Fn::GetAtt': [logicalId(stateless.reconcilerFunction), 'Arn'] },
    }),
  ]);
});

test("the reconciler's error rate alarms, and it runs one at a time where concurrency can be reserved", () => {
  const alarms = Object.values(resources(statelessTemplate, 'AWS::CloudWatch::Alarm')).map(props);
  expect(alarms.map((alarm) => alarm.AlarmName)).toContain(`${config.prefix}-reconciler-error-rate`);
  const fn = props(resources(statelessTemplate, 'AWS::Lambda::Function')[logicalId(stateless.reconcilerFunction)]);
  expect(config.reconcilerConcurrency).toBe(1);
  expect(fn.ReservedConcurrentExecutions).toBe(1);
  expect(fn.Timeout).toBe(120);
});

test('its needs are the reconciler entry of the registry', () => {
  expect([...stateless.reconcilerFunction.needs].sort()).toEqual([...functionNamed('reconciler').needs].sort());
});
