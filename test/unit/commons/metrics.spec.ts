/**
 * The metric names, units and dimensions that dashboards and alarms are built on, as they leave
 * the function in CloudWatch's embedded metric format.
 */
import { Metrics } from '@aws-lambda-powertools/metrics';
import { METRICS_NAMESPACE, powertoolsMeter, SERVICE_NAME } from '../../../functions/commons/observability';

type Emf = {
  _aws: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit: string }> }> };
} & Record<string, unknown>;

function emitted(run: (meter: ReturnType<typeof powertoolsMeter>, metrics: Metrics) => void): Emf[] {
  const lines: string[] = [];
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  const saved = process.env.POWERTOOLS_METRICS_DISABLED;
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  try {
    const metrics = new Metrics({
      namespace: METRICS_NAMESPACE,
      serviceName: SERVICE_NAME,
      logger: { debug() {}, info() {}, warn() {}, error() {} },
    });
    run(powertoolsMeter(metrics), metrics);
    metrics.publishStoredMetrics();
  } finally {
    process.env.POWERTOOLS_METRICS_DISABLED = saved;
    write.mockRestore();
  }
  return lines
    .flatMap((line) => line.split('\n'))
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Emf);
}

const definitions = (emf: Emf[]) =>
  emf.flatMap((blob) =>
    blob._aws.CloudWatchMetrics.flatMap((set) =>
      set.Metrics.map((metric) => ({
        namespace: set.Namespace,
        name: metric.Name,
        unit: metric.Unit,
        dimensions: set.Dimensions.flat().sort(),
        value: blob[metric.Name],
      })),
    ),
  );

test('requests created are counted by kind, decisions by outcome, each with the service dimension', () => {
  const emf = emitted((meter) => {
    meter.requestCreated('card.request');
    meter.decided('hold');
  });
  expect(definitions(emf)).toEqual([
    { namespace: 'Approvals', name: 'RequestsCreated', unit: 'Count', dimensions: ['kind', 'service'], value: 1 },
    { namespace: 'Approvals', name: 'Decisions', unit: 'Count', dimensions: ['outcome', 'service'], value: 1 },
  ]);
  expect(emf.map((blob) => [blob.service, blob.kind ?? blob.outcome])).toEqual([
    ['approvals', 'card.request'],
    ['approvals', 'hold'],
  ]);
});

test('time to decision is in seconds; email, callback and reminder counts have the service dimension only', () => {
  const emf = emitted((meter) => {
    meter.timeToDecision(42.5);
    meter.emailFailed();
    meter.callbackFailed();
    meter.callbackAbandoned();
    meter.reminderSent();
  });
  expect(definitions(emf)).toEqual([
    { namespace: 'Approvals', name: 'TimeToDecision', unit: 'Seconds', dimensions: ['service'], value: 42.5 },
    { namespace: 'Approvals', name: 'EmailsFailed', unit: 'Count', dimensions: ['service'], value: 1 },
    { namespace: 'Approvals', name: 'CallbacksFailed', unit: 'Count', dimensions: ['service'], value: 1 },
    { namespace: 'Approvals', name: 'CallbacksAbandoned', unit: 'Count', dimensions: ['service'], value: 1 },
    { namespace: 'Approvals', name: 'RemindersSent', unit: 'Count', dimensions: ['service'], value: 1 },
  ]);
});

test('single metrics reuse one emitter, and each count carries only its own dimension', () => {
  let made = 0;
  const emf = emitted((_meter, metrics) => {
    const singleMetric = metrics.singleMetric.bind(metrics);
    jest.spyOn(metrics, 'singleMetric').mockImplementation(() => {
      made++;
      return singleMetric();
    });
    const counting = powertoolsMeter(metrics);
    counting.requestCreated('card.request');
    counting.decided('approve');
    counting.requestCreated('card.lock');
  });
  expect(made).toBe(1);
  expect(definitions(emf)).toEqual([
    { namespace: 'Approvals', name: 'RequestsCreated', unit: 'Count', dimensions: ['kind', 'service'], value: 1 },
    { namespace: 'Approvals', name: 'Decisions', unit: 'Count', dimensions: ['outcome', 'service'], value: 1 },
    { namespace: 'Approvals', name: 'RequestsCreated', unit: 'Count', dimensions: ['kind', 'service'], value: 1 },
  ]);
  expect(emf.map((blob) => blob.kind ?? blob.outcome)).toEqual(['card.request', 'approve', 'card.lock']);
});
