/**
 * CloudFormation's own validation of the templates (aws-cdk-lib's built-in check; cdk.json's
 * `validateAgainstDefaultRules` makes its findings fail the synth), once for each configuration
 * the infra tests synthesize. The other test files skip it (see test/helpers/infra.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CfnResource, Stack } from 'aws-cdk-lib';
import { createStacks } from '../../../infra/stacks';
import { buildApp, CERTIFICATE_ARN, type Pinned, PRODUCTION_CONTEXT, PRODUCTION_PIN } from '../../helpers/infra';

// Three entries each: Jest reads a test function with more parameters than its row as one awaiting `done`.
const CONFIGURATIONS: Array<[string, Record<string, unknown>, Pinned | undefined]> = [
  ['cdk.json as it is', {}, undefined],
  ['no reserved concurrency (link functions, reconciler)', { linkConcurrency: 0, reconcilerConcurrency: 0 }, undefined],
  ['a custom API domain', { apiDomain: 'approvals.pki.corp-a.net', apiCertificateArn: CERTIFICATE_ARN }, undefined],
  ['an existing sender identity in the SES sandbox', { senderIdentity: 'existing', sandboxRecipients: 'a@example.com' }, undefined],
  ['production, pinned to an account, with a custom domain', PRODUCTION_CONTEXT, PRODUCTION_PIN],
];

let outdir: string;
beforeAll(() => {
  outdir = mkdtempSync(path.join(tmpdir(), 'cfn-validate-'));
});
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

test('the check is on and fails the synth on an invalid property', () => {
  const app = buildApp({}, { validate: true, outdir: path.join(outdir, 'invalid') });
  new CfnResource(new Stack(app, 'Invalid'), 'Queue', { type: 'AWS::SQS::Queue', properties: { VisibilityTimeout: 'not a number' } });
  expect(() => app.synth()).toThrow(/VisibilityTimeout/);
});

test.each(CONFIGURATIONS)('the templates pass it with %s', (name, context, pinned) => {
  const app = buildApp(context, { validate: true, outdir: path.join(outdir, name.replace(/\W+/g, '-')) });
  createStacks(app, { pinned });
  expect(() => app.synth()).not.toThrow();
});
