/**
 * Logs and metrics with Powertools for AWS Lambda, built once per process and put on every function
 * through its middy middlewares:
 * - structured JSON logs with the Lambda request id (and, once known, the approval request id) on
 *   every line; the event is never logged (signed links and task tokens travel in events);
 * - CloudWatch metrics in the embedded metric format, namespace `Approvals`, dimension `service`.
 * With `POWERTOOLS_DEV=true` (npm start sets it) the logs are pretty-printed and metrics are off.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type middy from '@middy/core';
import type { Meter } from '../usecases/ports';

export const SERVICE_NAME = 'approvals';
export const METRICS_NAMESPACE = 'Approvals';

/** The metric names dashboards and alarms rely on. */
export const METRIC = {
  requestsCreated: 'RequestsCreated',
  decisions: 'Decisions',
  timeToDecision: 'TimeToDecision',
  emailsFailed: 'EmailsFailed',
  callbacksFailed: 'CallbacksFailed',
  callbacksAbandoned: 'CallbacksAbandoned',
  remindersSent: 'RemindersSent',
} as const;

export const logger = new Logger({ serviceName: SERVICE_NAME });

/** Most invocations emit no metric: that is no warning here. */
const metricsLog = {
  debug: (...content: unknown[]) => logger.debug(String(content[0]), ...content.slice(1).map((extra) => ({ extra }))),
  info: (...content: unknown[]) => logger.info(String(content[0])),
  warn: (...content: unknown[]) => {
    const message = String(content[0]);
    if (message.startsWith('No application metrics to publish')) logger.debug(message);
    else logger.warn(message);
  },
  error: (...content: unknown[]) => logger.error(String(content[0])),
};

export const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME, logger: metricsLog });

/**
 * The use cases' Meter on Powertools metrics. Metrics with an extra dimension go out as single
 * metrics, through one single-metric emitter made at first use: each addMetric publishes at once
 * and clears the dimension it was given (a new emitter per count cost about 0.16 ms of CPU).
 */
export function powertoolsMeter(target: Metrics = metrics): Meter {
  const count = (name: string) => target.addMetric(name, MetricUnit.Count, 1);
  let single: Metrics | undefined;
  const countBy = (name: string, dimension: string, value: string) => {
    single ??= target.singleMetric();
    single.addDimension(dimension, value);
    single.addMetric(name, MetricUnit.Count, 1);
  };
  return {
    requestCreated: (kind) => countBy(METRIC.requestsCreated, 'kind', kind),
    decided: (decision) => countBy(METRIC.decisions, 'outcome', decision),
    timeToDecision: (seconds) => target.addMetric(METRIC.timeToDecision, MetricUnit.Seconds, Math.max(0, seconds)),
    emailFailed: () => count(METRIC.emailsFailed),
    callbackFailed: () => count(METRIC.callbacksFailed),
    callbackAbandoned: () => count(METRIC.callbacksAbandoned),
    reminderSent: () => count(METRIC.remindersSent),
  };
}

export const meter = powertoolsMeter();

/** Every later log line of this invocation carries the approval request's id. */
export function logApprovalRequest(approvalRequestId: string): void {
  logger.appendKeys({ approvalRequestId });
}

/**
 * The middlewares every function starts with: Lambda context on every log line (keys reset after
 * each invocation, event never logged) and metrics flushed at the end of each invocation.
 */
export function observe<E, R>(handler: middy.MiddyfiedHandler<E, R>): middy.MiddyfiedHandler<E, R> {
  return handler.use(injectLambdaContext(logger, { logEvent: false, resetKeys: true })).use(logMetrics(metrics));
}

/** Name and message only: never a stack, a token or a body in the logs. */
export function describeError(error: unknown) {
  return error instanceof Error ? { name: error.name, message: error.message } : { message: String(error) };
}
