/**
 * The service's dashboard: its alarms' status, the service's own metrics (requests, decisions,
 * emails, callbacks), the API, the workflow, DynamoDB and every function. Monitoring (monitoring.ts)
 * builds the metrics its alarms watch and hands them here, so a graph and its alarm read the same one.
 */
import { Duration } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  type Alarm,
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';

const FIVE_MINUTES = Duration.minutes(5);
const ONE_HOUR = Duration.hours(1);

export interface DashboardProps {
  /** The dashboard's name, e.g. `approvals-dev`. */
  readonly prefix: string;
  readonly alarms: Alarm[];
  /** Every function, by name. */
  readonly functions: Record<string, IFunction>;
  /** The namespace of the service's own metrics (SERVICE_METRICS in monitoring.ts). */
  readonly serviceNamespace: string;
  /** A metric of the service's own by name, statistic and period. */
  readonly service: (metricName: string, statistic?: string, period?: Duration) => IMetric;
  readonly api: IHttpApi;
  readonly apiCount: IMetric;
  readonly api5xx: IMetric;
  readonly link4xx: IMetric;
  readonly bounceRate: IMetric;
  readonly complaintRate: IMetric;
  readonly stateMachine: IStateMachine;
  readonly workflow: { readonly failed: IMetric; readonly timedOut: IMetric; readonly aborted: IMetric; readonly throttled: IMetric };
  readonly dynamoThrottles: IMetric;
  readonly deadLetterQueue: IQueue;
}

/** The dashboard, as a child `Dashboard` of `scope`. */
export function serviceDashboard(scope: Construct, props: DashboardProps): Dashboard {
  const dashboard = new Dashboard(scope, 'Dashboard', { dashboardName: props.prefix, defaultInterval: Duration.days(1) });
  const functionMetrics = (make: (fn: IFunction, label: string) => IMetric) =>
    Object.entries(props.functions).map(([name, fn]) => make(fn, name));
  const byDimension = (metricName: string, dimension: string, statistic: string, label: string) =>
    new MathExpression({
      expression: `SEARCH('{${props.serviceNamespace},service,${dimension}} MetricName="${metricName}"', '${statistic}', 300)`,
      label,
      period: FIVE_MINUTES,
    });
  dashboard.addWidgets(
    new TextWidget({
      markdown: `# ${props.prefix}\nApproval service: HTTP API → functions → DynamoDB; Step Functions workflow; SES. See docs/deploy-and-operations.md.`,
      width: 24,
      height: 2,
    }),
    new AlarmStatusWidget({ title: 'Alarms', alarms: props.alarms, width: 24, height: 6 }),
  );
  dashboard.addWidgets(
    new GraphWidget({ title: 'Requests created (by kind)', left: [byDimension('RequestsCreated', 'kind', 'Sum', '')], width: 8 }),
    new GraphWidget({ title: 'Decisions (by outcome)', left: [byDimension('Decisions', 'outcome', 'Sum', '')], width: 8 }),
    new GraphWidget({
      title: 'Time to decision (s)',
      left: [props.service('TimeToDecision', 'p50', ONE_HOUR), props.service('TimeToDecision', 'p90', ONE_HOUR)],
      width: 8,
    }),
  );
  dashboard.addWidgets(
    new GraphWidget({ title: 'Emails and reminders', left: [props.service('RemindersSent'), props.service('EmailsFailed')], width: 8 }),
    new GraphWidget({ title: 'Callbacks', left: [props.service('CallbacksFailed'), props.service('CallbacksAbandoned')], width: 8 }),
    new GraphWidget({ title: 'SES reputation', left: [props.bounceRate, props.complaintRate], width: 8 }),
  );
  dashboard.addWidgets(
    new GraphWidget({
      title: 'API requests and errors',
      left: [props.apiCount, props.api.metricClientError({ period: FIVE_MINUTES }), props.api5xx, props.link4xx],
      width: 12,
    }),
    new GraphWidget({
      title: 'API latency (p99)',
      left: [props.api.metricLatency({ period: FIVE_MINUTES, statistic: 'p99' })],
      width: 12,
    }),
  );
  dashboard.addWidgets(
    new GraphWidget({
      title: 'Workflow executions',
      left: [
        props.stateMachine.metricStarted({ period: FIVE_MINUTES }),
        props.stateMachine.metricSucceeded({ period: FIVE_MINUTES }),
        props.workflow.failed,
        props.workflow.timedOut,
        props.workflow.aborted,
        props.workflow.throttled,
      ],
      width: 12,
    }),
    new GraphWidget({
      title: 'DynamoDB throttles and SES events dead letters',
      left: [
        props.dynamoThrottles,
        props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: 'Maximum' }),
      ],
      width: 12,
    }),
  );
  dashboard.addWidgets(
    new GraphWidget({
      title: 'Function errors',
      left: functionMetrics((fn, label) => fn.metricErrors({ period: FIVE_MINUTES, label })),
      width: 8,
    }),
    new GraphWidget({
      title: 'Function duration (p99)',
      left: functionMetrics((fn, label) => fn.metricDuration({ period: FIVE_MINUTES, statistic: 'p99', label })),
      width: 8,
    }),
    new GraphWidget({
      title: 'Function throttles',
      left: functionMetrics((fn, label) => fn.metricThrottles({ period: FIVE_MINUTES, label })),
      width: 8,
    }),
  );
  return dashboard;
}
