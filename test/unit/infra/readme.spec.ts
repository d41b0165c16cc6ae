/**
 * docs/deploy-and-operations.md states the number of alarms, the metrics they read and what they cost; those
 * figures must be the template's, so the page cannot drift from the stacks.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../../../infra/constructs/service-function';
import { fixture, resources } from '../../helpers/infra';

const { statelessTemplate } = fixture();
const readme = readFileSync(path.join(PROJECT_ROOT, 'docs', 'deploy-and-operations.md'), 'utf8');
const alarms = Object.values(resources(statelessTemplate, 'AWS::CloudWatch::Alarm')).map((alarm) => alarm.Properties ?? {});
const metricCount = alarms.reduce(
  (total, alarm) =>
    total + (alarm.MetricName ? 1 : (alarm.Metrics as Array<{ MetricStat?: unknown }>).filter((query) => query.MetricStat).length),
  0,
);
const number = (pattern: RegExp) => Number(pattern.exec(readme)?.[1]);

test("the alarm count and the metrics they read are the template's", () => {
  expect(number(/\*\*(\d+) alarms\*\*/)).toBe(alarms.length);
  expect(number(/\*\*(\d+) alarm metrics\*\*/)).toBe(metricCount);
});

test('the fixed monthly cost of the alarms is $0.10 per alarm metric of the template', () => {
  const line = readme.split('\n').find((candidate) => /^\| \d+ alarms reading \d+ metrics \|/.test(candidate)) ?? '';
  expect(line).toContain(`| ${alarms.length} alarms reading ${metricCount} metrics |`);
  expect(line).toContain(`$${(metricCount * 0.1).toFixed(2)}`);
});

test('every alarm of the template is listed in the alarm table of docs/deploy-and-operations.md', () => {
  const prefix = 'approvals-dev-';
  for (const alarm of alarms) {
    const name = String(alarm.AlarmName).slice(prefix.length);
    const listed = name.endsWith('-error-rate') ? readme.includes('`<function>-error-rate`') : readme.includes(`\`${name}\``);
    expect([name, listed]).toEqual([name, true]);
  }
  const errorRates = alarms.filter((alarm) => String(alarm.AlarmName).endsWith('-error-rate')).length;
  expect(readme).toContain(`\`<function>-error-rate\` (${errorRates}:`);
});
