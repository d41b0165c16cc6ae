/**
 * The environment contract, checked from both sides: each function's module is loaded with
 * exactly the variables the stack gives it (plausible values), and must start without a
 * configuration error. Modules that read their configuration at load (the workflow tasks)
 * fail here when a variable they read is not among their needs.
 */
import { OPERATIONS } from '../../../functions/operations';
import { APPROVAL_STEPS } from '../../../functions/approval-steps';
import type { ServiceFunction } from '../../../infra/constructs/service-function';
import { PROJECT_ROOT } from '../../../infra/constructs/service-function';
import { defined, fixture, logicalId, props, resources } from '../../infra/fixture';
import * as path from 'node:path';

const { stateless, statelessTemplate, config } = fixture();

const SAMPLE: Record<string, string> = {
  TABLE_NAME: 'approvals-test-table',
  STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:123456789012:stateMachine:approvals-test-approval',
  LINK_KEYS_SECRET_ID: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:approvals-test/link-keys-AbCdEf',
  CALLBACK_KEYS_SECRET_ID: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:approvals-test/callback-keys-AbCdEf',
  SENDER_EMAIL: config.senderEmail,
  PUBLIC_BASE_URL: 'https://abc123defg.execute-api.eu-west-1.amazonaws.com',
  SES_CONFIGURATION_SET: 'approvals-test',
};

const entries: Array<[string, string, ServiceFunction]> = [
  ...OPERATIONS.map((operation) => [operation.name, operation.entry, defined(stateless.apiFunctions[operation.name])] as [string, string, ServiceFunction]),
  ...APPROVAL_STEPS.map((task) => [task.name, task.entry, defined(stateless.workflowFunctions[task.name])] as [string, string, ServiceFunction]),
  ['sesEvents', 'functions/ses-events/handler.ts', stateless.sesEventsFunction],
];

describe('each function starts with exactly the environment the stack gives it', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const name of Object.keys(SAMPLE)) delete process.env[name];
    Object.assign(process.env, saved);
  });

  test.each(entries)('%s (%s)', (_name, entry, fn) => {
    const variables = Object.keys((props(resources(statelessTemplate, 'AWS::Lambda::Function')[logicalId(fn)]).Environment as { Variables: Record<string, unknown> }).Variables);
    for (const name of Object.keys(SAMPLE)) delete process.env[name];
    for (const name of variables) {
      if (name === 'NODE_OPTIONS') continue;
      process.env[name] = defined(SAMPLE[name], `a sample value for ${name}`);
    }
    let loaded: { handler?: unknown } | undefined;
    jest.isolateModules(() => {
      loaded = require(path.join(PROJECT_ROOT, entry));
    });
    expect(typeof loaded?.handler).toBe('function');
  });
});
