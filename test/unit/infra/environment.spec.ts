/**
 * The environment contract, checked from both sides for every function: the CDK stack gives it
 * exactly the variables its needs bring (commons/settings.ts), the function's module loads with
 * exactly those, and it fails to load, naming the variable, when any required one is missing.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { z } from 'zod';
import { environmentSchema } from '../../../functions/commons/settings';
import { FUNCTIONS, type ServiceFunctionEntry } from '../../../functions/registry';
import { PROJECT_ROOT, ServiceFunction } from '../../../infra/constructs/service-function';
import { defined, fixture, logicalId, props, resources } from '../../helpers/infra';

const { stateless, statelessTemplate, config } = fixture();

const SAMPLE: Record<string, string> = {
  TABLE_NAME: 'approvals-test-table',
  STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:123456789012:stateMachine:approvals-test-approval',
  LINK_KEYS_SECRET_ID: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:approvals-test/link-keys-AbCdEf',
  CALLBACK_KEYS_SECRET_ID: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:approvals-test/callback-keys-AbCdEf',
  SENDER_EMAIL: config.senderEmail,
  PUBLIC_BASE_URL: 'https://abc123defg.execute-api.eu-west-1.amazonaws.com',
  SES_CONFIGURATION_SET: 'approvals-test',
  CALLBACK_URL_PREFIXES: 'https://hooks.example.com/approvals/',
  USER_POOL_ID: 'eu-west-1_AbCdEf123',
  RECEIPT_SIGNING_KEY_ARN: 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  RECEIPT_KEY_ARNS:
    'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab,arn:aws:kms:eu-west-1:123456789012:key/0000abcd-12ab-34cd-56ef-1234567890ab',
};

/** Variables every function gets that are no setting of the service. */
const RUNTIME_VARIABLES = new Set(['NODE_OPTIONS']);

type Entry = ServiceFunctionEntry;
const functions: Array<[string, Entry, ServiceFunction]> = FUNCTIONS.map((entry): [string, Entry, ServiceFunction] => [
  entry.name,
  entry,
  defined(stateless.functions[entry.name], `the function of ${entry.name}`),
]);

function stackVariables(fn: ServiceFunction): string[] {
  const lambda = props(resources(statelessTemplate, 'AWS::Lambda::Function')[logicalId(fn)]);
  const variables = Object.keys((lambda.Environment as { Variables: Record<string, unknown> }).Variables);
  return variables.filter((name) => !RUNTIME_VARIABLES.has(name)).sort();
}

/** The packages the functions' code imports (`import type` aside): '@middy/core', 'zod', … */
function libraryImports(): string[] {
  const sources = readdirSync(path.join(PROJECT_ROOT, 'functions'), { recursive: true, encoding: 'utf8' }).filter((file) =>
    file.endsWith('.ts'),
  );
  const names = sources.flatMap((file) =>
    [
      ...readFileSync(path.join(PROJECT_ROOT, 'functions', file), 'utf8').matchAll(/^import\s+(?!type\s)[^;]*?\sfrom\s+'([^'.][^']*)'/gms),
    ].map((match) => match[1] as string),
  );
  return [...new Set(names)].filter((name) => !name.startsWith('node:')).sort();
}

/**
 * Each load below runs the service's own modules afresh (where the settings are read and checked)
 * in an isolated registry, but takes the libraries from this one, loaded once: evaluating the AWS
 * SDK, Powertools and middy again for each of the ~70 loads was nearly all of this file's time.
 */
const LIBRARIES = libraryImports();
for (const name of LIBRARIES) {
  const shared: unknown = jest.requireActual(name);
  jest.doMock(name, () => shared);
}

test('the stack has one function per registry entry, and every service function is one of them', () => {
  expect(Object.keys(stateless.functions).sort()).toEqual(FUNCTIONS.map((entry) => entry.name).sort());
  const built = stateless.node.findAll().filter((construct): construct is ServiceFunction => construct instanceof ServiceFunction);
  expect(built.map((fn) => fn.registryName).sort()).toEqual(FUNCTIONS.map((entry) => entry.name).sort());
  for (const entry of FUNCTIONS) {
    expect([...defined(stateless.functions[entry.name]).needs].sort()).toEqual([...entry.needs].sort());
  }
});

test("the libraries shared between loads are the functions' imports", () => {
  expect(LIBRARIES).toEqual(expect.arrayContaining(['@aws-sdk/client-dynamodb', '@middy/core', 'zod']));
});

function load(entry: string, variables: string[]): { handler?: unknown } {
  const saved = { ...process.env };
  for (const name of Object.keys(SAMPLE)) delete process.env[name];
  for (const name of variables) process.env[name] = defined(SAMPLE[name], `a sample value for ${name}`);
  try {
    let loaded: { handler?: unknown } = {};
    jest.isolateModules(() => {
      loaded = require(path.join(PROJECT_ROOT, entry));
    });
    return loaded;
  } finally {
    for (const name of Object.keys(SAMPLE)) delete process.env[name];
    Object.assign(process.env, saved);
  }
}

describe.each(functions)('%s', (_name, fn, construct) => {
  const schema = environmentSchema(fn.needs);
  const variables = Object.keys(schema.shape).sort();
  const required = variables.filter((name) => !(schema.shape[name] as z.ZodType | undefined)?.safeParse(undefined).success);

  test('the stack gives it exactly the variables its needs bring', () => {
    expect(stackVariables(construct)).toEqual(variables);
  });

  test('it loads with exactly that environment', () => {
    expect(typeof load(fn.entry, variables).handler).toBe('function');
  });

  if (required.length > 0) {
    test.each(required)('without %s it fails to load, naming the variable', (missing) => {
      const others = variables.filter((name) => name !== missing);
      expect(() => load(fn.entry, others)).toThrow(new RegExp(`configuration error: .*\\b${missing}\\b`));
    });
  }
});
