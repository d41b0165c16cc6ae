/**
 * Destroy and deploy again: nothing retained carries a fixed name that the next deploy would
 * create again, production logs outlive a destroy, and what each stack keeps is what infra/README.md says.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { fixture, logicalId, PRODUCTION_CONTEXT, PRODUCTION_PIN, props, resources, stacksWith } from '../../helpers/infra';

const { stateless, statelessTemplate, statefulTemplate } = fixture();
const PROD = stacksWith(PRODUCTION_CONTEXT, PRODUCTION_PIN);

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

  test('production stacks cannot be deleted by accident', () => {
    expect(PROD.stateful.terminationProtection).toBe(true);
    expect(PROD.stateless.terminationProtection).toBe(true);
    expect(stateless.terminationProtection).toBe(false);
  });
});

describe('what a destroy keeps', () => {
  test('the stateful stack retains exactly the table, the user pool, the two secrets, the SES identity and the receipt key (old receipts must still verify)', () => {
    const retained = Object.values(statefulTemplate.toJSON().Resources as Record<string, { Type: string; DeletionPolicy?: string }>)
      .filter((resource) => resource.DeletionPolicy === 'Retain')
      .map((resource) => resource.Type)
      .sort();
    expect(retained).toEqual([
      'AWS::Cognito::UserPool',
      'AWS::DynamoDB::GlobalTable',
      'AWS::KMS::Key',
      'AWS::SES::EmailIdentity',
      'AWS::SecretsManager::Secret',
      'AWS::SecretsManager::Secret',
    ]);
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
