/**
 * The outbox in the cloud: the table's stream feeds the stream consumer (functions/stream-consumer)
 * through an event source mapping that hands it only new requests and changes of pending or approved
 * ones (the filters of functions/adapters/dynamodb/stream.ts); it tells the workflow, publishes the
 * events to the stack's bus and keeps the /stats counters. The mapping reports partial batch failures,
 * bisects a failing batch, retries a bounded number of times within a maximum record age
 * (STREAM_CONSUMER_FUNCTION.stream, which the local stream poller follows too), then sends the
 * record's position to an on-failure queue; each record sent there raises an alarm (Monitoring wires it
 * to the alarm topic). What the consumer could not do, the reconciler does at the request's next check.
 */
import { Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { FilterCriteria, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { REQUEST_CHANGE_FILTERS } from '../../functions/adapters/dynamodb/stream';
import { STREAM_CONSUMER_FUNCTION } from '../../functions/registry';
import { ServiceFunction, type ServiceResources } from './service-function';

export interface StreamConsumerProps {
  /** What the function's needs refer to; its table's stream feeds the function. */
  readonly resources: ServiceResources;
  readonly prefix: string;
  readonly logRetention?: RetentionDays;
  readonly logRemovalPolicy?: RemovalPolicy;
}

export class StreamConsumer extends Construct {
  readonly function: ServiceFunction;
  /** Positions of stream records the consumer gave up on (retries or age exhausted). */
  readonly failures: Queue;
  /** Records sent to `failures`, without actions: Monitoring wires it to the alarm topic. */
  readonly failuresAlarm: Alarm;

  constructor(scope: Construct, id: string, props: StreamConsumerProps) {
    super(scope, id);
    const rules = STREAM_CONSUMER_FUNCTION.stream;
    this.function = ServiceFunction.ofEntry(this, STREAM_CONSUMER_FUNCTION, props.resources, {
      description:
        "The outbox: starts a new request's workflow, ends the wait of a request that ended, publishes events and keeps the stats counters, from the table's stream",
      logRetention: props.logRetention,
      logRemovalPolicy: props.logRemovalPolicy,
    });

    this.failures = new Queue(this, 'Failures', {
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    Validations.of(this.failures).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself a dead-letter destination: the on-failure destination of the stream mapping, alarmed on.',
    });

    this.function.addEventSource(
      new DynamoEventSource(props.resources.table.table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: rules.batchSize,
        bisectBatchOnError: rules.bisectBatchOnError,
        retryAttempts: rules.retryAttempts,
        maxRecordAge: Duration.seconds(rules.maxRecordAgeSeconds),
        reportBatchItemFailures: true,
        onFailure: new SqsDlq(this.failures),
        filters: REQUEST_CHANGE_FILTERS.map((pattern) => FilterCriteria.filter(JSON.parse(JSON.stringify(pattern)))),
      }),
    );

    this.failuresAlarm = new Alarm(this, 'FailuresAlarm', {
      alarmName: `${props.prefix}-stream-consumer-failures`,
      alarmDescription:
        'Stored changes the outbox could not relay to the workflow, publish as events or count (retries or record age exhausted); the reconciler repairs the workflow part at the next check, those events and counts are missing: look for the cause (Step Functions, EventBridge or DynamoDB errors, throttling)',
      // Messages sent, not visible: nothing reads the queue, so a backlog alarm would stay in ALARM after the first failure.
      metric: this.failures.metricNumberOfMessagesSent({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }
}
