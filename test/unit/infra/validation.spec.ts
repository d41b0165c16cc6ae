/**
 * CloudFormation's own validation of the templates (aws-cdk-lib's built-in check; cdk.json's
 * `validateAgainstDefaultRules` makes its findings fail the synth). The shared stacks of
 * test/helpers/infra.ts (`fixture()`, `stacksWith()`) are synthesized with it on, once per
 * configuration; the configurations the topics use are named here so that each is checked even
 * when its topic is filtered out.
 */
import { Annotations, App, CfnResource, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import {
  assemblyDir,
  buildApp,
  CERTIFICATE_ARN,
  cdkContext,
  fixture,
  type Pinned,
  PRODUCTION_CONTEXT,
  PRODUCTION_PIN,
  stacksWith,
} from '../../helpers/infra';

// Three entries each: Jest reads a test function with more parameters than its row as one awaiting `done`.
const CONFIGURATIONS: Array<[string, Record<string, unknown>, Pinned | undefined]> = [
  ['cdk.json as it is', {}, undefined],
  ['no reserved concurrency (link functions, reconciler)', { linkConcurrency: 0, reconcilerConcurrency: 0 }, undefined],
  ['a custom API domain', { apiDomain: 'approvals.pki.corp-a.net', apiCertificateArn: CERTIFICATE_ARN }, undefined],
  ['an existing sender identity in the SES sandbox', { senderIdentity: 'existing', sandboxRecipients: 'a@example.com' }, undefined],
  ['production, pinned to an account, with a custom domain', PRODUCTION_CONTEXT, PRODUCTION_PIN],
  ['a second receipt key generation (receiptKeys 1,2)', { receiptKeys: '1,2' }, undefined],
];

test('the check is on and fails the synth on an invalid property', () => {
  const app = buildApp({}, { validate: true });
  new CfnResource(new Stack(app, 'Invalid'), 'Queue', { type: 'AWS::SQS::Queue', properties: { VisibilityTimeout: 'not a number' } });
  expect(() => app.synth()).toThrow(/VisibilityTimeout/);
});

/** The topics' stacks of this configuration (synthesized and validated once, or now). */
const shared = (context: Record<string, unknown>, pinned?: Pinned) =>
  Object.keys(context).length === 0 && !pinned ? fixture() : stacksWith(context, pinned);

test.each(CONFIGURATIONS)('the templates pass it with %s', (_name, context, pinned) => {
  expect(() => shared(context, pinned)).not.toThrow();
});

test('the shared stacks are synthesized with the check on', () => {
  const checked = (app: App) => (app as unknown as { _builtinCloudFormationValidation: boolean })._builtinCloudFormationValidation;
  for (const [, context, pinned] of CONFIGURATIONS) expect(checked(shared(context, pinned).app)).toBe(true);
});

/** A construct tree's construct creation stacks, and its annotations that carry a stack trace. */
const traces = (root: IConstruct) =>
  root.node
    .findAll()
    .flatMap((construct) => construct.node.metadata)
    .filter(
      (entry) => entry.type === 'aws:cdk:creationStack' || (entry.type.startsWith('aws:cdk:warning') && (entry.trace?.length ?? 0) > 0),
    );

/** An app with one resource and one warning on it. */
function annotated(app: App): Stack {
  const stack = new Stack(app, 'Plain');
  Annotations.of(new CfnResource(stack, 'Queue', { type: 'AWS::SQS::Queue' })).addWarningV2('test:warning', 'a warning');
  return stack;
}

test('the test apps record no stack traces (with cdk.json alone they would: they cost seconds here and are not in the templates)', () => {
  expect(traces(annotated(new App({ context: cdkContext(), outdir: assemblyDir() }))).map((entry) => entry.type)).toEqual(
    expect.arrayContaining(['aws:cdk:creationStack', 'aws:cdk:warning']),
  );
  expect(traces(annotated(buildApp()))).toEqual([]);
  for (const [, context, pinned] of CONFIGURATIONS) expect(traces(shared(context, pinned).app)).toEqual([]);
});
