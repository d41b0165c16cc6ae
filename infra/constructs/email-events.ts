/**
 * SES delivery problems: the configuration set the functions send with, its event destination
 * (bounces, complaints, rejects, rendering failures, delivery delays) → SNS → SQS (+ dead letters)
 * → the `sesEvents` function of the registry, which records them in the request's history.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { ConfigurationSet, ConfigurationSetTlsPolicy, EmailSendingEvent, EventDestination, SuppressionReasons } from 'aws-cdk-lib/aws-ses';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { SqsSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { functionNamed } from '../../functions/registry';
import { type FunctionLogProps, ServiceFunction, type ServiceResources } from './service-function';

/** What Lambda's SQS poller calls on the queue on the function's behalf. */
export const SQS_POLLER_ACTIONS = ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'];

/** The configuration set's name and ARN, known before the set exists (the functions' `email:send` grant names them). */
export function configurationSetOf(scope: Construct, prefix: string): { name: string; arn: string } {
  return { name: prefix, arn: Stack.of(scope).formatArn({ service: 'ses', resource: 'configuration-set', resourceName: prefix }) };
}

export interface EmailEventsProps {
  /** Name prefix, e.g. `approvals-dev`; also the configuration set's name. */
  readonly prefix: string;
  readonly resources: ServiceResources;
  readonly logs: FunctionLogProps;
}

export class EmailEvents extends Construct {
  readonly configurationSet: ConfigurationSet;
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  /** Reads the queue, partial batch failures. */
  readonly function: ServiceFunction;

  constructor(scope: Construct, id: string, props: EmailEventsProps) {
    super(scope, id);
    this.configurationSet = new ConfigurationSet(this, 'ConfigurationSet', {
      configurationSetName: configurationSetOf(this, props.prefix).name,
      reputationMetrics: true,
      sendingEnabled: true,
      suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
      tlsPolicy: ConfigurationSetTlsPolicy.REQUIRE,
    });
    const topic = new Topic(this, 'Topic', { displayName: `${props.prefix} SES delivery problems`, enforceSSL: true });
    this.configurationSet.addEventDestination('BouncesAndComplaints', {
      destination: EventDestination.snsTopic(topic),
      events: [
        EmailSendingEvent.BOUNCE,
        EmailSendingEvent.COMPLAINT,
        EmailSendingEvent.REJECT,
        EmailSendingEvent.RENDERING_FAILURE,
        EmailSendingEvent.DELIVERY_DELAY,
      ],
    });
    // A queue between SNS and the function: SNS's own retries to Lambda end by dropping the event;
    // a queue keeps it, redelivers a failed message and parks it in the dead-letter queue after 5 tries.
    this.deadLetterQueue = new Queue(this, 'DeadLetters', {
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    this.queue = new Queue(this, 'Queue', {
      // Six times the function's timeout, as Lambda's guide advises for SQS event sources.
      visibilityTimeout: Duration.seconds(180),
      retentionPeriod: Duration.days(4),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: 5 },
    });
    topic.addSubscription(new SqsSubscription(this.queue, { rawMessageDelivery: true }));

    this.function = ServiceFunction.ofEntry(this, functionNamed('sesEvents'), props.resources, {
      description: 'Records SES bounces, complaints, rejects, rendering failures and delivery delays in the request history',
      ...props.logs,
    });
    this.function.addEventSourceMapping('EmailEventsSource', {
      eventSourceArn: this.queue.queueArn,
      batchSize: 10,
      maxBatchingWindow: Duration.seconds(5),
      reportBatchItemFailures: true,
      maxConcurrency: 2,
    });
    // What Lambda's poller calls for this function (instead of grantConsumeMessages' extra actions).
    this.function.addToRolePolicy(new PolicyStatement({ actions: SQS_POLLER_ACTIONS, resources: [this.queue.queueArn] }));
  }
}
