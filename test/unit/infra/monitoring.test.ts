/**
 * Alarms reach the alarm topic: errors of every function, workflow failures, time-outs and
 * aborts, API 5xx and the SES account's bounce and complaint rates; and bounces and
 * complaints of the configuration set reach the ses-events function.
 */
import { defined, fixture, logicalId, props, resources } from '../../infra/fixture';

const { stateless, statelessTemplate, config } = fixture();
const alarms = Object.values(resources(statelessTemplate, 'AWS::CloudWatch::Alarm')).map((alarm) => alarm.Properties ?? {});
const topicRef = { Ref: logicalId(stateless.monitoring.alarmTopic) };
const dimension = (alarm: Record<string, unknown>, name: string) =>
  (alarm.Dimensions as Array<{ Name: string; Value: unknown }> | undefined)?.find((d) => d.Name === name)?.Value;

describe('alarms', () => {
  test('every alarm notifies the alarm topic, on alarm and on recovery', () => {
    expect(alarms.length).toBeGreaterThan(0);
    for (const alarm of alarms) {
      expect(alarm.AlarmActions).toEqual([topicRef]);
      expect(alarm.OKActions).toEqual([topicRef]);
    }
  });

  test('every function has an errors alarm', () => {
    const functions = [...Object.values(stateless.apiFunctions), ...Object.values(stateless.workflowFunctions), stateless.sesEventsFunction];
    for (const fn of functions) {
      const found = alarms.filter(
        (alarm) => alarm.Namespace === 'AWS/Lambda' && alarm.MetricName === 'Errors' && JSON.stringify(dimension(alarm, 'FunctionName')) === JSON.stringify({ Ref: logicalId(fn) }),
      );
      expect([fn.node.id, found.length]).toEqual([fn.node.id, 1]);
      expect(found[0]).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching' });
    }
  });

  test.each(['ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionsAborted'])('the workflow has a %s alarm', (metric) => {
    const found = alarms.filter((alarm) => alarm.Namespace === 'AWS/States' && alarm.MetricName === metric);
    expect(found).toHaveLength(1);
    expect(dimension(defined(found[0]), 'StateMachineArn')).toEqual({ Ref: logicalId(stateless.stateMachine) });
  });

  test('the API has a 5xx alarm', () => {
    const found = alarms.filter((alarm) => alarm.Namespace === 'AWS/ApiGateway' && alarm.MetricName === '5xx');
    expect(found).toHaveLength(1);
    expect(dimension(defined(found[0]), 'ApiId')).toEqual({ Ref: logicalId(stateless.api) });
  });

  test.each([
    ['Reputation.BounceRate', 0.05],
    ['Reputation.ComplaintRate', 0.001],
  ])('SES %s raises an alarm at %s', (metric, threshold) => {
    const found = alarms.filter((alarm) => alarm.Namespace === 'AWS/SES' && alarm.MetricName === metric);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ Threshold: threshold, Statistic: 'Maximum' });
  });

  test('the alarm topic requires TLS and accepts this account\'s alarms', () => {
    const policies = Object.values(resources(statelessTemplate, 'AWS::SNS::TopicPolicy')).filter(
      (policy) => JSON.stringify(policy.Properties?.Topics) === JSON.stringify([topicRef]),
    );
    expect(policies).toHaveLength(1);
    const statements = (props(policies[0]).PolicyDocument as { Statement: Array<Record<string, unknown>> }).Statement;
    expect(statements).toEqual([
      expect.objectContaining({ Effect: 'Deny', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Condition: expect.objectContaining({ StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } }),
      }),
    ]);
  });

  test('there is one dashboard', () => {
    statelessTemplate.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });
});

describe('bounces and complaints', () => {
  test('the configuration set sends bounce and complaint events to a topic the ses-events function is subscribed to', () => {
    const sets = Object.entries(resources(statelessTemplate, 'AWS::SES::ConfigurationSet'));
    expect(sets).toHaveLength(1);
    expect(props(defined(sets[0])[1])).toMatchObject({ Name: config.prefix, ReputationOptions: { ReputationMetricsEnabled: true } });
    const destinations = Object.values(resources(statelessTemplate, 'AWS::SES::ConfigurationSetEventDestination'));
    expect(destinations).toHaveLength(1);
    const destination = props(destinations[0]).EventDestination as { MatchingEventTypes: string[]; SnsDestination: { TopicARN: { Ref: string } } };
    expect([...destination.MatchingEventTypes].sort()).toEqual(['bounce', 'complaint']);
    const subscriptions = Object.values(resources(statelessTemplate, 'AWS::SNS::Subscription')).filter(
      (subscription) => JSON.stringify(subscription.Properties?.TopicArn) === JSON.stringify(destination.SnsDestination.TopicARN),
    );
    expect(subscriptions).toHaveLength(1);
    expect(props(subscriptions[0])).toMatchObject({ Protocol: 'lambda', Endpoint: { 'Fn::GetAtt': [logicalId(stateless.sesEventsFunction), 'Arn'] } });
  });
});
