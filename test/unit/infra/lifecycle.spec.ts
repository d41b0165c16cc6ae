/**
 * Destroy and deploy again: nothing retained carries a fixed name that the next deploy would
 * create again, production logs outlive a destroy, and what each stack keeps is what infra/README.md says.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { RemovalPolicy } from 'aws-cdk-lib';
import { PROJECT_ROOT } from '../../../infra/constructs/service-function';
import { defined, fixture, logicalId, PRODUCTION_CONTEXT, PRODUCTION_PIN, props, resources, stacksWith } from '../../helpers/infra';

const { stateless, statelessTemplate, statefulTemplate } = fixture();
const PROD = stacksWith(PRODUCTION_CONTEXT, PRODUCTION_PIN);
const read = (...parts: string[]) => readFileSync(path.join(PROJECT_ROOT, ...parts), 'utf8');
const infraReadme = read('infra', 'README.md');
const operations = read('docs', 'deploy-and-operations.md');
/** The table row of a page whose first cell starts with `start`. */
const row = (page: string, start: string) =>
  defined(
    page.split('\n').find((line) => line.startsWith(`| ${start}`)),
    start,
  );

const policies = (template: typeof statelessTemplate, type: string) =>
  Object.values(resources(template, type)).map((resource) => [
    resource.DeletionPolicy ?? 'Delete',
    resource.UpdateReplacePolicy ?? 'Delete',
  ]);

describe('logs', () => {
  test('outside prod every log group goes with the stack', () => {
    const found = policies(statelessTemplate, 'AWS::Logs::LogGroup');
    expect(found.length).toBeGreaterThan(0);
    for (const entry of found) expect(entry).toEqual(['Delete', 'Delete']);
  });

  test('in prod every log group (functions, access logs, workflow) is retained', () => {
    const found = policies(PROD.statelessTemplate, 'AWS::Logs::LogGroup');
    expect(found.length).toBe(Object.keys(resources(statelessTemplate, 'AWS::Logs::LogGroup')).length);
    for (const entry of found) expect(entry).toEqual(['Retain', 'Retain']);
    expect(RemovalPolicy.RETAIN).toBe('retain');
  });

  test("no log group has a fixed name but the workflow's, which carries the stack's own id", () => {
    for (const [id, group] of Object.entries(resources(PROD.statelessTemplate, 'AWS::Logs::LogGroup'))) {
      const name = props(group).LogGroupName;
      if (id !== logicalId(PROD.stateless.node.findChild('Workflow').node.findChild('Logs'))) {
        expect([id, name]).toEqual([id, undefined]);
        continue;
      }
      expect(JSON.stringify(name)).toContain('/aws/vendedlogs/states/approvals-prod-approval-');
      expect(JSON.stringify(name)).toContain('"Ref":"AWS::StackId"');
    }
  });

  test('production stacks cannot be deleted by accident (both, as infra/README.md says)', () => {
    expect(PROD.stateful.terminationProtection).toBe(true);
    expect(PROD.stateless.terminationProtection).toBe(true);
    expect(stateless.terminationProtection).toBe(false);
    expect(row(infraReadme, '`stage`')).toContain("both stacks' termination protection");
  });
});

describe('what a destroy keeps', () => {
  test('the stateful stack retains exactly the table, the user pool with its groups, app clients and resource server, the two secrets, the SES identity and the receipt key', () => {
    const retained = Object.values(statefulTemplate.toJSON().Resources as Record<string, { Type: string; DeletionPolicy?: string }>)
      .filter((resource) => resource.DeletionPolicy === 'Retain')
      .map((resource) => resource.Type)
      .sort();
    expect(retained).toEqual([
      'AWS::Cognito::UserPool',
      'AWS::Cognito::UserPoolClient',
      'AWS::Cognito::UserPoolClient',
      'AWS::Cognito::UserPoolGroup',
      'AWS::Cognito::UserPoolGroup',
      'AWS::Cognito::UserPoolResourceServer',
      'AWS::DynamoDB::GlobalTable',
      'AWS::KMS::Key',
      'AWS::SES::EmailIdentity',
      'AWS::SecretsManager::Secret',
      'AWS::SecretsManager::Secret',
    ]);
  });

  test('the docs name every kind of resource the stateful stack retains', () => {
    const words: Record<string, string> = {
      'AWS::DynamoDB::GlobalTable': 'table',
      'AWS::Cognito::UserPool': 'user pool',
      'AWS::Cognito::UserPoolGroup': 'groups',
      'AWS::Cognito::UserPoolClient': 'app clients',
      'AWS::Cognito::UserPoolResourceServer': 'resource server',
      'AWS::SecretsManager::Secret': 'secrets',
      'AWS::SES::EmailIdentity': 'SES identit',
      'AWS::KMS::Key': 'receipt keys',
    };
    const retained = Object.values(statefulTemplate.toJSON().Resources as Record<string, { Type: string; DeletionPolicy?: string }>)
      .filter((resource) => resource.DeletionPolicy === 'Retain')
      .map((resource) => defined(words[resource.Type], resource.Type));
    const kept = [row(operations, 'DynamoDB table'), defined(row(infraReadme, '`Approvals-<stage>-Stateful`').split(' | ')[2])];
    for (const text of kept) for (const word of retained) expect([word, text.includes(word)]).toEqual([word, true]);
  });

  test('infra/README.md promises no receipt verification across destroy --all: a new stack publishes only its own receipt keys', () => {
    expect(infraReadme).not.toMatch(/old receipts still verify/);
    const section = defined(infraReadme.split('## Receipt keys')[1]).split('\n## ')[0] ?? '';
    expect(section).toContain('destroy --all');
  });

  test('the stateless stack retains nothing outside prod', () => {
    const retained = Object.values(statelessTemplate.toJSON().Resources as Record<string, { DeletionPolicy?: string }>).filter(
      (resource) => resource.DeletionPolicy === 'Retain',
    );
    expect(retained).toEqual([]);
  });

  test('no retained resource has a fixed name that a new stack would collide with (SES identities: senderIdentity=existing)', () => {
    const resourcesOf = statefulTemplate.toJSON().Resources as Record<
      string,
      { Type: string; DeletionPolicy?: string; Properties?: Record<string, unknown> }
    >;
    for (const resource of Object.values(resourcesOf).filter((candidate) => candidate.DeletionPolicy === 'Retain')) {
      if (resource.Type === 'AWS::DynamoDB::GlobalTable') expect(resource.Properties?.TableName).toBeUndefined();
      if (resource.Type === 'AWS::SecretsManager::Secret') expect(resource.Properties?.Name).toBeUndefined();
      // Cognito allows two pools of the same name; the domain prefix is not retained with the pool.
    }
    PROD.statefulTemplate.resourceCountIs('AWS::SES::EmailIdentity', 0);
    for (const domain of Object.values(resources(statefulTemplate, 'AWS::Cognito::UserPoolDomain')))
      expect(domain.DeletionPolicy).toBeUndefined();
  });
});
