/**
 * docs/deploy-and-operations.md states the number of alarms, the metrics they read and what they cost,
 * which functions may delete items or query an index, and each authorizer's audiences; those must be
 * the template's, so the page cannot drift from the stacks.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { PROJECT_ROOT, type ServiceFunction } from '../../../infra/constructs/service-function';
import { defined, fixture, logicalId, props, resources } from '../../helpers/infra';

const { stateful, stateless, statelessTemplate } = fixture();
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

/** A function's policy statements, by the registry names of the stack's functions. */
const statementsOf = (fn: ServiceFunction) => {
  const role = JSON.stringify({ Ref: logicalId(defined(fn.role, 'role')) });
  return Object.values(resources(statelessTemplate, 'AWS::IAM::Policy'))
    .filter((policy) => JSON.stringify(props(policy).Roles).includes(role))
    .flatMap((policy) => (props(policy).PolicyDocument as { Statement: Array<{ Action: unknown; Resource: unknown }> }).Statement);
};
const functionsWhose = (granted: (statement: { Action: unknown; Resource: unknown }) => boolean) =>
  Object.entries(stateless.functions)
    .filter(([, fn]) => statementsOf(fn).some(granted))
    .map(([name]) => name)
    .sort();
/** The function names in backticks in the docs' sentence that starts with `start`. */
const namedAfter = (start: string) => {
  const sentence = defined(readme.split(start)[1], start).split('.')[0] ?? '';
  return [...sentence.matchAll(/`(\w+)`/g)]
    .map((match) => match[1] ?? '')
    .filter((name) => name in stateless.functions)
    .sort();
};

test("the functions the least-privilege section names for DeleteItem and for index ARNs are the template's", () => {
  expect(namedAfter('`DeleteItem`: only')).toEqual(functionsWhose((s) => JSON.stringify(s.Action).includes('dynamodb:DeleteItem')));
  expect(namedAfter('Index ARNs: only')).toEqual(functionsWhose((s) => JSON.stringify(s.Resource).includes('/index/')));
});

test("each JWT authorizer's audiences are the app clients the docs name", () => {
  const clients = {
    "people's": logicalId(stateful.userClient),
    "console's": logicalId(stateless.console.client),
    "calling systems'": logicalId(stateful.machineClient),
  };
  const authorizers = Object.values(resources(statelessTemplate, 'AWS::ApiGatewayV2::Authorizer')).map(props);
  expect(authorizers).toHaveLength(2);
  for (const authorizer of authorizers) {
    const audience = JSON.stringify((authorizer.JwtConfiguration as { Audience: unknown }).Audience);
    const named = defined(new RegExp(`\`${authorizer.Name}\` \\(audiences: ([^)]*)\\)`).exec(readme)?.[1], String(authorizer.Name));
    for (const [words, id] of Object.entries(clients))
      expect([authorizer.Name, words, named.includes(words)]).toEqual([authorizer.Name, words, audience.includes(id)]);
  }
});
