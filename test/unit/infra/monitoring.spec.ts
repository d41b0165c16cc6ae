/**
 * Alarms page for what needs a person, on rates and sustained problems rather than single retries;
 * every alarm reaches the alarm topic; SES delivery problems reach the ses-events function through
 * a queue with a dead-letter queue, and nothing is dropped silently.
 */
import { REQUEST_CHANGE_FILTERS } from '../../../functions/adapters/dynamodb/stream';
import { STREAM_CONSUMER_FUNCTION, TIMEOUT_SECONDS } from '../../../functions/registry';
import { START_CHECK_SECONDS } from '../../../functions/usecases/checks';
import { SERVICE_METRICS } from '../../../infra/constructs/monitoring';
import { LINK_4XX_METRIC } from '../../../infra/constructs/http-api';
import { defined, fixture, logicalId, props, resolveStackOutputs, resources } from '../../helpers/infra';

const { stateful, stateless, statefulTemplate, statelessTemplate, config } = fixture();
const alarmsByName = Object.fromEntries(
  Object.values(resources(statelessTemplate, 'AWS::CloudWatch::Alarm')).map((alarm) => [
    String(alarm.Properties?.AlarmName),
    alarm.Properties ?? {},
  ]),
);
const alarms = Object.values(alarmsByName);
const topicRef = { Ref: logicalId(stateless.monitoring.alarmTopic) };
const alarm = (name: string) => defined(alarmsByName[`${config.prefix}-${name}`], `alarm ${name}`);

interface MetricRef {
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
}
type Dimension = { Name: string; Value: unknown };
const dimensionsOf = (list: Dimension[] | undefined) =>
  Object.fromEntries((list ?? []).map((d) => [d.Name, JSON.stringify(resolveStackOutputs(d.Value, statefulTemplate))]));

/** The metrics an alarm reads, whether it is a plain metric alarm or metric math. */
function metricsOf(properties: Record<string, unknown>): MetricRef[] {
  if (properties.MetricName) {
    return [
      {
        namespace: String(properties.Namespace),
        metricName: String(properties.MetricName),
        dimensions: dimensionsOf(properties.Dimensions as Dimension[]),
      },
    ];
  }
  const queries = properties.Metrics as Array<{
    MetricStat?: { Metric: { Namespace: string; MetricName: string; Dimensions?: Dimension[] } };
  }>;
  return queries.flatMap((query) =>
    query.MetricStat
      ? [
          {
            namespace: query.MetricStat.Metric.Namespace,
            metricName: query.MetricStat.Metric.MetricName,
            dimensions: dimensionsOf(query.MetricStat.Metric.Dimensions),
          },
        ]
      : [],
  );
}
const expressionOf = (properties: Record<string, unknown>) =>
  (properties.Metrics as Array<{ Expression?: string; ReturnData?: boolean }> | undefined)?.find(
    (query) => query.Expression && query.ReturnData !== false,
  )?.Expression;
const ref = (construct: Parameters<typeof logicalId>[0]) => JSON.stringify({ Ref: logicalId(construct) });

const allFunctions = {
  ...stateless.apiFunctions,
  ...stateless.workflowFunctions,
  sesEvents: stateless.sesEventsFunction,
  streamConsumer: stateless.streamConsumer.function,
};

describe('alarms', () => {
  test('every alarm notifies the alarm topic, on alarm and on recovery', () => {
    expect(alarms.length).toBeGreaterThan(0);
    for (const properties of alarms) {
      expect(properties.AlarmActions).toEqual([topicRef]);
      expect(properties.OKActions).toEqual([topicRef]);
    }
  });

  test('no alarm fires on a single function error: error alarms are rates over invocations, sustained 2 of 3 periods', () => {
    for (const properties of alarms) {
      const errors = metricsOf(properties).filter((metric) => metric.namespace === 'AWS/Lambda' && metric.metricName === 'Errors');
      if (errors.length === 0) continue;
      expect(expressionOf(properties)).toBe('errors / invocations');
      expect(properties).toMatchObject({ Threshold: 0.05, EvaluationPeriods: 3, DatapointsToAlarm: 2 });
    }
  });

  test.each(Object.entries(allFunctions).filter(([name]) => name !== 'deliverCallback'))(
    '%s has an error-rate alarm on its own metrics',
    (name, fn) => {
      const properties = alarm(`${name}-error-rate`);
      const metrics = metricsOf(properties);
      expect(metrics.map((metric) => metric.metricName).sort()).toEqual(['Errors', 'Invocations']);
      for (const metric of metrics) expect(metric.dimensions.FunctionName).toBe(ref(fn));
    },
  );

  test('failed callback attempts raise no error alarm (retries are normal); failing for an hour and giving up do', () => {
    expect(alarmsByName[`${config.prefix}-deliverCallback-error-rate`]).toBeUndefined();
    const failing = alarm('callbacks-failing');
    expect(metricsOf(failing)).toEqual([{ namespace: 'Approvals', metricName: 'CallbacksFailed', dimensions: { service: '"approvals"' } }]);
    expect(failing).toMatchObject({ Period: 3600, Statistic: 'Sum', Threshold: 20 });
    const abandoned = alarm('callbacks-abandoned');
    expect(metricsOf(abandoned)).toEqual([
      { namespace: 'Approvals', metricName: 'CallbacksAbandoned', dimensions: { service: '"approvals"' } },
    ]);
    expect(abandoned).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
  });

  test('failed emails alarm by the hour', () => {
    expect(metricsOf(alarm('emails-failed'))).toEqual([
      { namespace: 'Approvals', metricName: 'EmailsFailed', dimensions: { service: '"approvals"' } },
    ]);
    expect(alarm('emails-failed')).toMatchObject({ Period: 3600, Statistic: 'Sum' });
  });

  test("every function's throttles are watched, in exactly one group; the link functions in their own", () => {
    // A metric math alarm reads at most 10 metrics: the API's functions take one alarm per 10 (api-throttles, -2, -3, ...).
    const apiGroups = Object.keys(alarmsByName)
      .map((name) => name.slice(config.prefix.length + 1))
      .filter((name) => /^api-throttles(-\d+)?$/.test(name))
      .sort();
    expect(apiGroups.length).toBe(Math.ceil(Object.keys(stateless.apiFunctions).filter((name) => !name.startsWith('link')).length / 10));
    const groups = ['link-throttles', ...apiGroups, 'workflow-throttles'].map((name) => metricsOf(alarm(name)));
    for (const metrics of groups) expect(metrics.length).toBeLessThanOrEqual(10);
    for (const metrics of groups) for (const metric of metrics) expect(metric.metricName).toBe('Throttles');
    const watched = groups.flat().map((metric) => metric.dimensions.FunctionName);
    expect(watched.sort()).toEqual(Object.values(allFunctions).map(ref).sort());
    expect(groups[0]?.map((metric) => metric.dimensions.FunctionName).sort()).toEqual(
      [stateless.apiFunctions.linkPage, stateless.apiFunctions.linkDecide].map((fn) => ref(defined(fn))).sort(),
    );
  });

  test('DynamoDB throttles of the table and of each index are watched', () => {
    const metrics = metricsOf(alarm('dynamodb-throttles'));
    const table = JSON.stringify({ Ref: logicalId(stateful.table) });
    const seen = metrics
      .map((metric) => `${metric.metricName}:${metric.dimensions.TableName === table}:${metric.dimensions.GlobalSecondaryIndexName ?? '-'}`)
      .sort();
    const expected = ['-', ...stateful.indexNames.map((name) => JSON.stringify(name))]
      .flatMap((index) => [`ReadThrottleEvents:true:${index}`, `WriteThrottleEvents:true:${index}`])
      .sort();
    expect(seen).toEqual(expected);
  });

  test.each(['ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionsAborted'])(
    'the workflow has a %s alarm (each one is a stuck or stopped request)',
    (metric) => {
      const found = alarms.filter((properties) => properties.Namespace === 'AWS/States' && properties.MetricName === metric);
      expect(found).toHaveLength(1);
      expect(metricsOf(defined(found[0]))[0]?.dimensions.StateMachineArn).toBe(ref(stateless.stateMachine));
      expect(found[0]).toMatchObject({ Threshold: 1 });
    },
  );

  test('Step Functions throttling is watched: executions, state transitions and the API calls the service makes', () => {
    const metrics = metricsOf(alarm('workflow-throttled'));
    expect(metrics.map((metric) => `${metric.metricName} ${JSON.stringify(metric.dimensions)}`).sort()).toEqual(
      [
        `ExecutionThrottled ${JSON.stringify({ StateMachineArn: ref(stateless.stateMachine) })}`,
        'ThrottledEvents {"ServiceMetric":"\\"StateTransition\\""}',
        'ThrottledEvents {"APIName":"\\"StartExecution\\""}',
        'ThrottledEvents {"APIName":"\\"SendTaskSuccess\\""}',
        'ThrottledEvents {"APIName":"\\"SendTaskFailure\\""}',
      ].sort(),
    );
  });

  test('the API alarms on its 5xx rate, sustained', () => {
    const properties = alarm('api-5xx-rate');
    expect(
      metricsOf(properties)
        .map((metric) => metric.metricName)
        .sort(),
    ).toEqual(['5xx', 'Count']);
    for (const metric of metricsOf(properties)) expect(metric.dimensions.ApiId).toBe(ref(stateless.api));
    expect(properties).toMatchObject({ EvaluationPeriods: 3, DatapointsToAlarm: 2 });
  });

  test('a spike of 4xx on the link routes raises an alarm, counted from the access log by route key', () => {
    const filters = Object.values(resources(statelessTemplate, 'AWS::Logs::MetricFilter'));
    expect(filters).toHaveLength(1);
    const filter = props(filters[0]);
    expect(filter.MetricTransformations).toEqual([
      { MetricNamespace: LINK_4XX_METRIC.namespace, MetricName: LINK_4XX_METRIC.metricName, MetricValue: '1', DefaultValue: 0 },
    ]);
    const pattern = String(filter.FilterPattern);
    for (const key of ['GET /links/{id}/{action}', 'HEAD /links/{id}/{action}', 'POST /links/{id}/{action}'])
      expect(pattern).toContain(`$.routeKey = "${key}"`);
    expect(pattern).toContain('$.status = "4*"');
    expect(metricsOf(alarm('link-4xx'))).toEqual([{ namespace: 'Approvals', metricName: 'LinkRoute4xx', dimensions: {} }]);
  });

  test('SES bounce and complaint rates alarm well before the levels at which AWS reviews the account (5%, 0.1%)', () => {
    expect(alarm('ses-bounce-rate')).toMatchObject({ Namespace: 'AWS/SES', MetricName: 'Reputation.BounceRate', Statistic: 'Maximum' });
    expect(alarm('ses-complaint-rate')).toMatchObject({
      Namespace: 'AWS/SES',
      MetricName: 'Reputation.ComplaintRate',
      Statistic: 'Maximum',
    });
    expect(alarm('ses-bounce-rate').Threshold as number).toBeLessThanOrEqual(0.05 / 2);
    expect(alarm('ses-complaint-rate').Threshold as number).toBeLessThanOrEqual(0.001 / 2);
  });

  test('the first message in the SES events dead-letter queue raises an alarm', () => {
    const properties = alarm('ses-events-dead-letters');
    expect(metricsOf(properties)).toEqual([
      {
        namespace: 'AWS/SQS',
        metricName: 'ApproximateNumberOfMessagesVisible',
        dimensions: { QueueName: JSON.stringify({ 'Fn::GetAtt': [logicalId(stateless.emailEventsDeadLetterQueue), 'QueueName'] }) },
      },
    ]);
    expect(properties).toMatchObject({ Threshold: 1 });
  });

  test("the alarm topic requires TLS and accepts this account's alarms", () => {
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
});

describe('the dashboard', () => {
  const body = JSON.stringify(Object.values(resources(statelessTemplate, 'AWS::CloudWatch::Dashboard'))[0]?.Properties?.DashboardBody);

  test('there is one, and it shows every service metric the functions emit', () => {
    statelessTemplate.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    for (const name of SERVICE_METRICS.names) expect([name, body.includes(name)]).toEqual([name, true]);
  });

  test("it graphs every function's errors, duration and throttles, the stream consumer and the reconciler included", () => {
    for (const [name, fn] of Object.entries({ ...allFunctions, reconciler: stateless.reconcilerFunction })) {
      expect([name, body.split(ref(fn)).length - 1]).toEqual([name, 3]);
    }
  });

  test('its alarm status shows every alarm', () => {
    for (const [id, { Properties }] of Object.entries(resources(statelessTemplate, 'AWS::CloudWatch::Alarm'))) {
      expect([Properties?.AlarmName, body.includes(JSON.stringify({ 'Fn::GetAtt': [id, 'Arn'] }))]).toEqual([Properties?.AlarmName, true]);
    }
  });
});

describe('SES delivery problems', () => {
  test('the configuration set publishes bounces, complaints, rejects, rendering failures and delivery delays to one topic', () => {
    const sets = Object.entries(resources(statelessTemplate, 'AWS::SES::ConfigurationSet'));
    expect(sets).toHaveLength(1);
    expect(props(defined(sets[0])[1])).toMatchObject({ Name: config.prefix, ReputationOptions: { ReputationMetricsEnabled: true } });
    const destinations = Object.values(resources(statelessTemplate, 'AWS::SES::ConfigurationSetEventDestination'));
    expect(destinations).toHaveLength(1);
    const destination = props(destinations[0]).EventDestination as {
      MatchingEventTypes: string[];
      SnsDestination: { TopicARN: { Ref: string } };
    };
    expect([...destination.MatchingEventTypes].sort()).toEqual(['bounce', 'complaint', 'deliveryDelay', 'reject', 'renderingFailure']);
  });

  test('the topic delivers raw messages to a queue (never straight to Lambda, whose async retries end by dropping the event)', () => {
    const destination = props(Object.values(resources(statelessTemplate, 'AWS::SES::ConfigurationSetEventDestination'))[0])
      .EventDestination as {
      SnsDestination: { TopicARN: unknown };
    };
    const subscriptions = Object.values(resources(statelessTemplate, 'AWS::SNS::Subscription')).filter(
      (subscription) => JSON.stringify(subscription.Properties?.TopicArn) === JSON.stringify(destination.SnsDestination.TopicARN),
    );
    expect(subscriptions).toHaveLength(1);
    expect(props(subscriptions[0])).toMatchObject({
      Protocol: 'sqs',
      RawMessageDelivery: true,
      Endpoint: { 'Fn::GetAtt': [logicalId(stateless.emailEventsQueue), 'Arn'] },
    });
  });

  test('the queue moves a message that failed 5 times to its dead-letter queue; both are encrypted and require TLS', () => {
    const queues = resources(statelessTemplate, 'AWS::SQS::Queue');
    const queue = props(queues[logicalId(stateless.emailEventsQueue)]);
    expect(queue.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': [logicalId(stateless.emailEventsDeadLetterQueue), 'Arn'] },
      maxReceiveCount: 5,
    });
    expect(queue.VisibilityTimeout).toBeGreaterThanOrEqual(6 * 30);
    for (const id of [logicalId(stateless.emailEventsQueue), logicalId(stateless.emailEventsDeadLetterQueue)]) {
      expect(props(queues[id]).SqsManagedSseEnabled).toBe(true);
    }
    expect(props(queues[logicalId(stateless.emailEventsDeadLetterQueue)]).MessageRetentionPeriod).toBe(14 * 24 * 3600);
    const policies = Object.values(resources(statelessTemplate, 'AWS::SQS::QueuePolicy'));
    for (const queueId of [logicalId(stateless.emailEventsQueue), logicalId(stateless.emailEventsDeadLetterQueue)]) {
      const policy = policies.find((candidate) => JSON.stringify(candidate.Properties?.Queues) === JSON.stringify([{ Ref: queueId }]));
      const statements = (props(policy).PolicyDocument as { Statement: Array<Record<string, unknown>> }).Statement;
      expect(statements).toEqual(
        expect.arrayContaining([expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      );
    }
  });

  test('the ses-events function reads the queue with partial batch failures', () => {
    const mappings = Object.values(resources(statelessTemplate, 'AWS::Lambda::EventSourceMapping')).filter(
      (mapping) => JSON.stringify(props(mapping).FunctionName) === JSON.stringify({ Ref: logicalId(stateless.sesEventsFunction) }),
    );
    expect(mappings).toHaveLength(1);
    expect(props(mappings[0])).toMatchObject({
      EventSourceArn: { 'Fn::GetAtt': [logicalId(stateless.emailEventsQueue), 'Arn'] },
      FunctionName: { Ref: logicalId(stateless.sesEventsFunction) },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });
});

describe('the outbox: the table stream feeds the stream consumer', () => {
  const consumer = stateless.streamConsumer;
  const mapping = props(
    Object.values(resources(statelessTemplate, 'AWS::Lambda::EventSourceMapping')).find(
      (candidate) => JSON.stringify(props(candidate).FunctionName) === JSON.stringify({ Ref: logicalId(consumer.function) }),
    ),
  );

  test('the table keeps a stream of new and old images', () => {
    const table = props(resources(statefulTemplate, 'AWS::DynamoDB::GlobalTable')[logicalId(stateful.table)]);
    expect(table.StreamSpecification).toEqual({ StreamViewType: 'NEW_AND_OLD_IMAGES' });
  });

  test('the mapping reads the stream with the shared filters, partial batch failures, bisection and bounded retries', () => {
    expect(JSON.stringify(resolveStackOutputs(mapping.EventSourceArn, statefulTemplate))).toContain('StreamArn');
    expect(mapping).toMatchObject({
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: STREAM_CONSUMER_FUNCTION.stream.batchSize,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: STREAM_CONSUMER_FUNCTION.stream.retryAttempts,
      MaximumRecordAgeInSeconds: STREAM_CONSUMER_FUNCTION.stream.maxRecordAgeSeconds,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [logicalId(consumer.failures), 'Arn'] } } },
    });
    const patterns = (mapping.FilterCriteria as { Filters: Array<{ Pattern: string }> }).Filters.map((filter) =>
      JSON.parse(filter.Pattern),
    );
    expect(patterns).toEqual(REQUEST_CHANGE_FILTERS);
    // The reconciler's first look at a new or ended request comes after the last retry has run.
    expect(STREAM_CONSUMER_FUNCTION.stream.maxRecordAgeSeconds + TIMEOUT_SECONDS[STREAM_CONSUMER_FUNCTION.kind]).toBeLessThan(
      START_CHECK_SECONDS,
    );
  });

  test('the on-failure queue is encrypted and requires TLS', () => {
    const queue = props(resources(statelessTemplate, 'AWS::SQS::Queue')[logicalId(consumer.failures)]);
    expect(queue.SqsManagedSseEnabled).toBe(true);
    const policy = Object.values(resources(statelessTemplate, 'AWS::SQS::QueuePolicy')).find(
      (candidate) => JSON.stringify(candidate.Properties?.Queues) === JSON.stringify([{ Ref: logicalId(consumer.failures) }]),
    );
    expect((props(policy).PolicyDocument as { Statement: unknown[] }).Statement).toEqual(
      expect.arrayContaining([expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
    );
  });

  test('each record sent to the on-failure queue notifies (not its backlog, which nothing reads: that alarm would stay in ALARM)', () => {
    const failures = alarm('stream-consumer-failures');
    expect(metricsOf(failures)).toEqual([
      {
        namespace: 'AWS/SQS',
        metricName: 'NumberOfMessagesSent',
        dimensions: { QueueName: JSON.stringify({ 'Fn::GetAtt': [logicalId(consumer.failures), 'QueueName'] }) },
      },
    ]);
    expect(failures).toMatchObject({
      Statistic: 'Sum',
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [topicRef],
    });
  });
});
