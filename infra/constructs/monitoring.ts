/**
 * Alarms (to one SNS topic) and one dashboard: function errors, workflow failures,
 * time-outs and aborts, API 5xx, and the SES account's bounce and complaint rates.
 */
import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  Metric,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface MonitoringProps {
  /** Name prefix of the alarms and the dashboard, e.g. `approvals-dev`. */
  readonly prefix: string;
  /** Every function of the service, by logical name. */
  readonly functions: Record<string, IFunction>;
  readonly stateMachine: IStateMachine;
  readonly api: IHttpApi;
  /**
   * Subscribed to the alarm topic when set.
   * @default - no subscription (subscribe a chat or pager integration to the topic yourself)
   */
  readonly alarmEmail?: string;
  /**
   * SES bounce rate (0..1) that raises the alarm. AWS reviews an account at 5% and may pause sending at 10%.
   * @default 0.05
   */
  readonly bounceRateThreshold?: number;
  /**
   * SES complaint rate (0..1) that raises the alarm. AWS reviews an account at 0.1% and may pause sending at 0.5%.
   * @default 0.001
   */
  readonly complaintRateThreshold?: number;
}

const FIVE_MINUTES = Duration.minutes(5);

export class Monitoring extends Construct {
  readonly alarmTopic: Topic;
  readonly alarms: Alarm[] = [];
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
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
          ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: `${props.prefix}-*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME }) },
        },
      }),
    );
    if (props.alarmEmail) this.alarmTopic.addSubscription(new EmailSubscription(props.alarmEmail));

    const action = new SnsAction(this.alarmTopic);
    const alarm = (name: string, metric: IMetric, threshold: number, description: string) => {
      const created = new Alarm(this, name, {
        alarmName: `${props.prefix}-${name}`,
        alarmDescription: description,
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      created.addAlarmAction(action);
      created.addOkAction(action);
      this.alarms.push(created);
      return created;
    };

    for (const [name, fn] of Object.entries(props.functions)) {
      alarm(`${name}-errors`, fn.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }), 1, `Function ${name} failed at least once in 5 minutes (see its log group)`);
    }

    const workflow = {
      failed: props.stateMachine.metricFailed({ period: FIVE_MINUTES, statistic: 'Sum' }),
      timedOut: props.stateMachine.metricTimedOut({ period: FIVE_MINUTES, statistic: 'Sum' }),
      aborted: props.stateMachine.metricAborted({ period: FIVE_MINUTES, statistic: 'Sum' }),
    };
    alarm('workflow-failed', workflow.failed, 1, 'An approval workflow execution failed: its request may be stuck in requested');
    alarm('workflow-timed-out', workflow.timedOut, 1, 'An approval workflow execution hit its overall time-out');
    alarm('workflow-aborted', workflow.aborted, 1, 'An approval workflow execution was stopped by hand');

    const api5xx = props.api.metricServerError({ period: FIVE_MINUTES, statistic: 'Sum' });
    alarm('api-5xx', api5xx, 1, 'The HTTP API answered 5xx (a function failed, timed out or was throttled)');

    // Account-level reputation metrics that SES publishes when sending; no dimensions.
    const bounceRate = new Metric({ namespace: 'AWS/SES', metricName: 'Reputation.BounceRate', statistic: 'Maximum', period: Duration.minutes(15) });
    const complaintRate = new Metric({ namespace: 'AWS/SES', metricName: 'Reputation.ComplaintRate', statistic: 'Maximum', period: Duration.minutes(15) });
    alarm('ses-bounce-rate', bounceRate, props.bounceRateThreshold ?? 0.05, 'SES bounce rate reached the level at which AWS reviews the account');
    alarm('ses-complaint-rate', complaintRate, props.complaintRateThreshold ?? 0.001, 'SES complaint rate reached the level at which AWS reviews the account');

    this.dashboard = new Dashboard(this, 'Dashboard', { dashboardName: props.prefix, defaultInterval: Duration.days(1) });
    const functionMetrics = (make: (fn: IFunction, label: string) => IMetric) => Object.entries(props.functions).map(([name, fn]) => make(fn, name));
    this.dashboard.addWidgets(
      new TextWidget({ markdown: `# ${props.prefix}\nApproval service: HTTP API → functions → DynamoDB; Step Functions workflow; SES. See infra/README.md.`, width: 24, height: 2 }),
      new AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24, height: 4 }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'API requests and errors',
        left: [props.api.metricCount({ period: FIVE_MINUTES }), props.api.metricClientError({ period: FIVE_MINUTES }), api5xx],
        width: 12,
      }),
      new GraphWidget({ title: 'API latency (p99)', left: [props.api.metricLatency({ period: FIVE_MINUTES, statistic: 'p99' })], width: 12 }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Workflow executions',
        left: [
          props.stateMachine.metricStarted({ period: FIVE_MINUTES }),
          props.stateMachine.metricSucceeded({ period: FIVE_MINUTES }),
          workflow.failed,
          workflow.timedOut,
          workflow.aborted,
        ],
        width: 12,
      }),
      new GraphWidget({ title: 'SES reputation', left: [bounceRate, complaintRate], width: 12 }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({ title: 'Function errors', left: functionMetrics((fn, label) => fn.metricErrors({ period: FIVE_MINUTES, label })), width: 8 }),
      new GraphWidget({ title: 'Function duration (p99)', left: functionMetrics((fn, label) => fn.metricDuration({ period: FIVE_MINUTES, statistic: 'p99', label })), width: 8 }),
      new GraphWidget({ title: 'Function throttles', left: functionMetrics((fn, label) => fn.metricThrottles({ period: FIVE_MINUTES, label })), width: 8 }),
    );
  }
}
