/**
 * The environment contract, checked from both sides for every function: the CDK stack gives it
 * exactly the variables its needs bring (commons/settings.ts), the function's module loads with
 * exactly those, and it fails to load, naming the variable, when any required one is missing.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type * as z from '../../../functions/domain/zod';
import { environmentSchema } from '../../../functions/commons/settings';
import { FUNCTIONS, type ServiceFunctionEntry, TIMEOUT_SECONDS } from '../../../functions/registry';
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
  EVENT_BUS_NAME: 'approvals-test-events',
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

/** The functions' own modules: every .ts file under functions/, by its path there. */
const SOURCES = readdirSync(path.join(PROJECT_ROOT, 'functions'), { recursive: true, encoding: 'utf8' }).filter((file) =>
  file.endsWith('.ts'),
);
const IMPORT = /^import\s+(?!type\s)[^;]*?\sfrom\s+'([^']+)'/gms;
/** A module's imports that stay at run time (`import type` aside), as written. */
const importsOf = (file: string): string[] =>
  [...readFileSync(path.join(PROJECT_ROOT, 'functions', file), 'utf8').matchAll(IMPORT)].map((match) => match[1] as string);

/** The packages the functions' code imports (`import type` aside): '@middy/core', 'zod/mini', … */
function libraryImports(): string[] {
  const names = SOURCES.flatMap(importsOf).filter((name) => !name.startsWith('.'));
  return [...new Set(names)].filter((name) => !name.startsWith('node:')).sort();
}

/**
 * Each load below runs afresh, in an isolated registry, every module that reads the settings or
 * keeps what it built from them: the function's entry, and every module that imports the settings
 * or the dependency builders (commons/deps.ts and approval-steps/deps.ts keep the dependencies they
 * built, by function). The libraries and the service's other modules come from this registry,
 * loaded once: evaluating the AWS SDK, Powertools and middy again for each of the ~130 loads was
 * nearly all of this file's time, and the service's own modules most of the rest. Loading those
 * here, with none of the settings set, proves that none of them reads a setting when it loads.
 */
const LIBRARIES = libraryImports();
const ENTRIES = new Set(FUNCTIONS.map((entry) => path.join(PROJECT_ROOT, entry.entry)));
const readsSettings = (file: string): boolean =>
  /(^|\/)(settings|deps)\.ts$/.test(file) || importsOf(file).some((name) => /^\..*\/(settings|deps)$/.test(name));
const FRESH = new Set(SOURCES.filter(readsSettings).map((file) => path.join(PROJECT_ROOT, 'functions', file)));
const SHARED = SOURCES.map((file) => path.join(PROJECT_ROOT, 'functions', file)).filter((file) => !ENTRIES.has(file) && !FRESH.has(file));
for (const name of [...LIBRARIES, ...SHARED]) {
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

test("each function's Lambda timeout is its kind's, as the local stack keeps it (registry TIMEOUT_SECONDS)", () => {
  for (const entry of FUNCTIONS) {
    const timeout = props(
      resources(statelessTemplate, 'AWS::Lambda::Function')[logicalId(defined(stateless.functions[entry.name]))],
    ).Timeout;
    expect([entry.name, timeout]).toEqual([entry.name, TIMEOUT_SECONDS[entry.kind]]);
  }
  expect(TIMEOUT_SECONDS).toEqual({ api: 10, 'workflow-step': 30, scheduled: 120, event: 30 });
});

test("the libraries shared between loads are the functions' imports", () => {
  expect(LIBRARIES).toEqual(expect.arrayContaining(['@aws-sdk/client-dynamodb', '@middy/core', 'zod/mini']));
});

test('the modules that read the settings or keep what they built from them are loaded afresh each time', () => {
  const fresh = [...FRESH].map((file) => path.relative(PROJECT_ROOT, file));
  expect(fresh).toEqual(
    expect.arrayContaining([
      'functions/commons/settings.ts',
      'functions/commons/deps.ts',
      'functions/approval-steps/deps.ts',
      'functions/links/http.ts',
    ]),
  );
  for (const entry of ENTRIES) expect(SHARED).not.toContain(entry);
  expect(SHARED.length).toBeGreaterThan(fresh.length);
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
  const required = variables.filter((name) => !(schema.shape[name] as z.ZodMiniType | undefined)?.safeParse(undefined).success);

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
