/**
 * Alarms (to one SNS topic) and one dashboard (dashboard.ts). Alarms watch rates and sustained problems, never a
 * single retry: a workflow task that fails once and succeeds on its retry pages nobody, a request
 * whose workflow gave up or whose callback was abandoned does. The service's own metrics come from
 * the functions (Powertools EMF, namespace `Approvals`, dimension `service`=`approvals`).
 */
import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  ComparisonOperator,
  type Dashboard,
  type IMetric,
  MathExpression,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { serviceDashboard } from './dashboard';

/** The functions' own metrics (emitted with Powertools; names shared with functions/). */
export const SERVICE_METRICS = {
  namespace: 'Approvals',
  dimensions: { service: 'approvals' },
  names: ['RequestsCreated', 'Decisions', 'TimeToDecision', 'EmailsFailed', 'CallbacksFailed', 'CallbacksAbandoned', 'RemindersSent'],
} as const;

export interface MonitoringThresholds {
  /** Share of a function's invocations that failed (0..1), in 2 of 3 five-minute periods. @default 0.05 */
  readonly functionErrorRate?: number;
  /** Share of API answers that were 5xx (0..1), in 2 of 3 five-minute periods. @default 0.05 */
  readonly api5xxRate?: number;
  /** Throttled invocations of one group of functions in five minutes. @default 10 */
  readonly lambdaThrottles?: number;
  /** Throttled DynamoDB reads and writes (table and indexes) in five minutes. @default 10 */
  readonly dynamoDbThrottles?: number;
  /** Throttled executions, state transitions and Step Functions API calls in five minutes. @default 10 */
  readonly workflowThrottles?: number;
  /** 4xx answers on the signed-link routes in five minutes. @default 50 */
  readonly link4xx?: number;
  /** Failed callback attempts in an hour (each attempt counts; retries follow). @default 20 */
  readonly callbacksFailedPerHour?: number;
  /** Emails that could not be sent, in an hour. @default 5 */
  readonly emailsFailedPerHour?: number;
  /**
   * SES bounce rate (0..1). AWS reviews an account at 5% and may pause sending at 10%; alarm well before.
   * @default 0.02
   */
  readonly bounceRate?: number;
  /**
   * SES complaint rate (0..1). AWS reviews an account at 0.1% and may pause sending at 0.5%; alarm well before.
   * @default 0.0005
   */
  readonly complaintRate?: number;
}

export interface MonitoringProps {
  /** Name prefix of the alarms and the dashboard, e.g. `approvals-dev`. */
  readonly prefix: string;
  /** The API's functions behind authenticated routes, by logical name. */
  readonly apiFunctions: Record<string, IFunction>;
  /** The signed-link functions (public, with reserved concurrency), by logical name. */
  readonly linkFunctions: Record<string, IFunction>;
  /** The workflow's task functions, the SES events handler and the stream consumer, by logical name. */
  readonly workflowFunctions: Record<string, IFunction>;
  /**
   * The task function whose errors are failed callback attempts (watched through CallbacksFailed
   * and CallbacksAbandoned instead of its error rate: a calling system that is down is not our fault).
   */
  readonly callbackFunctionName: string;
  /** The reconciler (one run every few minutes): its error rate alarms like every function's (`reconciler-error-rate`). */
  readonly reconcilerFunction: IFunction;
  /**
   * Alarms other constructs made without actions (stream-consumer-failures, reconciler-not-running):
   * they notify the alarm topic and show on the dashboard like the others.
   */
  readonly alarms?: readonly Alarm[];
  readonly stateMachine: IStateMachine;
  readonly api: IHttpApi;
  readonly table: ITableV2;
  readonly indexNames: readonly string[];
  readonly deadLetterQueue: IQueue;
  /** The access-log metric of 4xx answers on the link routes. */
  readonly link4xx: { readonly namespace: string; readonly metricName: string };
  /**
   * Subscribed to the alarm topic when set.
   * @default - no subscription (subscribe a chat or pager integration to the topic yourself)
   */
  readonly alarmEmail?: string;
  /** @default - the defaults of MonitoringThresholds */
  readonly thresholds?: MonitoringThresholds;
}

const FIVE_MINUTES = Duration.minutes(5);
const ONE_HOUR = Duration.hours(1);

/** CloudWatch's limit of metrics in one metric math alarm. */
const MAX_ALARM_METRICS = 10;

export class Monitoring extends Construct {
  readonly alarmTopic: Topic;
  readonly alarms: Alarm[] = [];
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const limits = props.thresholds ?? {};
    this.alarmTopic = new Topic(this, 'AlarmTopic', { displayName: `${props.prefix} alarms`, enforceSSL: true });
    // The topic policy that enforceSSL creates replaces SNS's default one: allow this account's alarms explicitly.
    const stack = Stack.of(this);
    this.alarmTopic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowThisAccountsAlarms',
        actions: ['sns:Publish'],
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        resources: [this.alarmTopic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: {
            'aws:SourceArn': stack.formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: `${props.prefix}-*`,
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    if (props.alarmEmail) this.alarmTopic.addSubscription(new EmailSubscription(props.alarmEmail));

    const action = new SnsAction(this.alarmTopic);
    for (const made of props.alarms ?? []) {
      made.addAlarmAction(action);
      made.addOkAction(action);
      this.alarms.push(made);
    }
    const alarm = (
      name: string,
      metric: IMetric,
      threshold: number,
      description: string,
      periods: { evaluate: number; breaching: number } = { evaluate: 1, breaching: 1 },
    ) => {
      const created = new Alarm(this, name, {
        alarmName: `${props.prefix}-${name}`,
        alarmDescription: description,
        metric,
        threshold,
        evaluationPeriods: periods.evaluate,
        datapointsToAlarm: periods.breaching,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      created.addAlarmAction(action);
      created.addOkAction(action);
      this.alarms.push(created);
      return created;
    };
    const sustained = { evaluate: 3, breaching: 2 };
    const sum = (metrics: Record<string, IMetric>, label: string, period = FIVE_MINUTES) =>
      new MathExpression({ expression: Object.keys(metrics).join(' + '), usingMetrics: metrics, label, period });
    const service = (metricName: string, statistic = 'Sum', period = FIVE_MINUTES) =>
      new Metric({ namespace: SERVICE_METRICS.namespace, metricName, dimensionsMap: { ...SERVICE_METRICS.dimensions }, statistic, period });

    // ---- Functions: error rates, and throttles per group ----------------------------------------
    const allFunctions = {
      ...props.apiFunctions,
      ...props.linkFunctions,
      ...props.workflowFunctions,
      reconciler: props.reconcilerFunction,
    };
    for (const [name, fn] of Object.entries(allFunctions)) {
      if (name === props.callbackFunctionName) continue;
      const rate = new MathExpression({
        expression: 'errors / invocations',
        usingMetrics: {
          errors: fn.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }),
          invocations: fn.metricInvocations({ period: FIVE_MINUTES, statistic: 'Sum' }),
        },
        label: `${name} error rate`,
        period: FIVE_MINUTES,
      });
      alarm(
        `${name}-error-rate`,
        rate,
        limits.functionErrorRate ?? 0.05,
        `Function ${name}: at least 5% of invocations failed in 2 of 3 five-minute periods (see its log group)`,
        sustained,
      );
    }
    // One math alarm reads at most 10 metrics: a group of more functions gets one alarm per 10 (`<name>`, `<name>-2`, ...).
    const throttleAlarms = (name: string, functions: Record<string, IFunction>, description: string) => {
      const all = Object.values(functions);
      for (let start = 0; start < all.length; start += MAX_ALARM_METRICS) {
        const chunk = all.slice(start, start + MAX_ALARM_METRICS);
        const metrics = Object.fromEntries(
          chunk.map((fn, index) => [`t${index}`, fn.metricThrottles({ period: FIVE_MINUTES, statistic: 'Sum' })]),
        );
        alarm(
          start === 0 ? name : `${name}-${start / MAX_ALARM_METRICS + 1}`,
          sum(metrics, 'throttles'),
          limits.lambdaThrottles ?? 10,
          description,
        );
      }
    };
    throttleAlarms('api-throttles', props.apiFunctions, 'API functions were throttled (account concurrency exhausted?): callers got 5xx');
    throttleAlarms(
      'link-throttles',
      props.linkFunctions,
      'Signed-link functions hit their reserved concurrency: a flood of link requests (abuse, or a mail scanner storm)',
    );
    throttleAlarms(
      'workflow-throttles',
      props.workflowFunctions,
      'Workflow, SES-event or stream-consumer functions were throttled (retried, but the account is short of concurrency)',
    );

    // ---- API ------------------------------------------------------------------------------------
    const api5xx = props.api.metricServerError({ period: FIVE_MINUTES, statistic: 'Sum' });
    const apiCount = props.api.metricCount({ period: FIVE_MINUTES, statistic: 'Sum' });
    alarm(
      'api-5xx-rate',
      new MathExpression({
        expression: 'errors / requests',
        usingMetrics: { errors: api5xx, requests: apiCount },
        label: '5xx rate',
        period: FIVE_MINUTES,
      }),
      limits.api5xxRate ?? 0.05,
      'At least 5% of API answers were 5xx in 2 of 3 five-minute periods (a function failed, timed out or was throttled)',
      sustained,
    );
    const link4xx = new Metric({
      namespace: props.link4xx.namespace,
      metricName: props.link4xx.metricName,
      statistic: 'Sum',
      period: FIVE_MINUTES,
    });
    alarm(
      'link-4xx',
      link4xx,
      limits.link4xx ?? 50,
      'A spike of 4xx on the signed-link routes (altered or guessed links, or a client gone wrong)',
    );

    // ---- DynamoDB ------------------------------------------------------------------------------
    const tableName = props.table.tableName;
    const dynamoMetric = (metricName: string, index?: string) =>
      new Metric({
        namespace: 'AWS/DynamoDB',
        metricName,
        dimensionsMap: index ? { TableName: tableName, GlobalSecondaryIndexName: index } : { TableName: tableName },
        statistic: 'Sum',
        period: FIVE_MINUTES,
      });
    const dynamoThrottles: Record<string, IMetric> = { r0: dynamoMetric('ReadThrottleEvents'), w0: dynamoMetric('WriteThrottleEvents') };
    props.indexNames.forEach((index, position) => {
      dynamoThrottles[`r${position + 1}`] = dynamoMetric('ReadThrottleEvents', index);
      dynamoThrottles[`w${position + 1}`] = dynamoMetric('WriteThrottleEvents', index);
    });
    const dynamoSum = sum(dynamoThrottles, 'DynamoDB throttle events');
    alarm(
      'dynamodb-throttles',
      dynamoSum,
      limits.dynamoDbThrottles ?? 10,
      'DynamoDB throttled reads or writes on the table or an index (a hot partition, or on-demand scaling behind a burst)',
    );

    // ---- Workflow ------------------------------------------------------------------------------
    const workflow = {
      failed: props.stateMachine.metricFailed({ period: FIVE_MINUTES, statistic: 'Sum' }),
      timedOut: props.stateMachine.metricTimedOut({ period: FIVE_MINUTES, statistic: 'Sum' }),
      aborted: props.stateMachine.metricAborted({ period: FIVE_MINUTES, statistic: 'Sum' }),
      throttled: props.stateMachine.metricThrottled({ period: FIVE_MINUTES, statistic: 'Sum' }),
    };
    alarm(
      'workflow-failed',
      workflow.failed,
      1,
      'An approval workflow execution failed (e.g. Gave up after repeated errors): its request needs the reconciler or a redrive (docs/deploy-and-operations.md: Runbook)',
    );
    alarm('workflow-timed-out', workflow.timedOut, 1, 'An approval workflow execution hit its overall time-out');
    alarm('workflow-aborted', workflow.aborted, 1, 'An approval workflow execution was stopped by hand');
    const statesThrottle = (dimensionsMap: Record<string, string>) =>
      new Metric({ namespace: 'AWS/States', metricName: 'ThrottledEvents', dimensionsMap, statistic: 'Sum', period: FIVE_MINUTES });
    alarm(
      'workflow-throttled',
      sum(
        {
          executions: workflow.throttled,
          transitions: statesThrottle({ ServiceMetric: 'StateTransition' }),
          starts: statesThrottle({ APIName: 'StartExecution' }),
          successes: statesThrottle({ APIName: 'SendTaskSuccess' }),
          failures: statesThrottle({ APIName: 'SendTaskFailure' }),
        },
        'Step Functions throttling',
      ),
      limits.workflowThrottles ?? 10,
      'Step Functions throttled executions, state transitions or the API calls the service makes (StartExecution, SendTaskSuccess/Failure)',
    );

    // ---- Email and callbacks -------------------------------------------------------------------
    alarm(
      'ses-events-dead-letters',
      props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: 'Maximum' }),
      1,
      'SES delivery events could not be recorded after 5 attempts and wait in the dead-letter queue: redrive them (docs/deploy-and-operations.md: Runbook)',
    );
    // Account-level reputation metrics that SES publishes when sending; no dimensions.
    const bounceRate = new Metric({
      namespace: 'AWS/SES',
      metricName: 'Reputation.BounceRate',
      statistic: 'Maximum',
      period: Duration.minutes(15),
    });
    const complaintRate = new Metric({
      namespace: 'AWS/SES',
      metricName: 'Reputation.ComplaintRate',
      statistic: 'Maximum',
      period: Duration.minutes(15),
    });
    alarm(
      'ses-bounce-rate',
      bounceRate,
      limits.bounceRate ?? 0.02,
      'SES bounce rate reached 2%: AWS reviews the account at 5%; clean the approver lists before it gets there',
    );
    alarm(
      'ses-complaint-rate',
      complaintRate,
      limits.complaintRate ?? 0.0005,
      'SES complaint rate reached 0.05%: AWS reviews the account at 0.1%',
    );
    alarm(
      'emails-failed',
      service('EmailsFailed', 'Sum', ONE_HOUR),
      limits.emailsFailedPerHour ?? 5,
      'Emails could not be sent (SES refused or throttled them after the retries)',
    );
    alarm(
      'callbacks-failing',
      service('CallbacksFailed', 'Sum', ONE_HOUR),
      limits.callbacksFailedPerHour ?? 20,
      'Callback attempts keep failing: a calling system is down or refuses our signature (retries continue)',
    );
    alarm(
      'callbacks-abandoned',
      service('CallbacksAbandoned'),
      1,
      'A workflow gave up delivering a callback: the calling system never learned the outcome (see the request history)',
    );

    // ---- Dashboard -----------------------------------------------------------------------------
    this.dashboard = serviceDashboard(this, {
      prefix: props.prefix,
      alarms: this.alarms,
      functions: allFunctions,
      serviceNamespace: SERVICE_METRICS.namespace,
      service,
      api: props.api,
      apiCount,
      api5xx,
      link4xx,
      bounceRate,
      complaintRate,
      stateMachine: props.stateMachine,
      workflow,
      dynamoThrottles: dynamoSum,
      deadLetterQueue: props.deadLetterQueue,
    });
  }
}
