/**
 * The data and identities: the table of functions/adapters/dynamodb/keys.ts, the user pool with
 * its groups, clients and scope, the generated signing keys and the SES identity, all retained.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { INDEX_BY_REQUESTER, INDEX_BY_STATE } from '../../../functions/adapters/dynamodb/keys';
import { isKeySet, newKeySet } from '../../../infra/custom-resources/signing-keys';
import { ON_BEHALF_SCOPE_NAME, RESOURCE_SERVER_ID } from '../../../functions/domain/bodies';
import { SEARCH_INDEX_ATTRIBUTES } from '../../../functions/adapters/dynamodb/schema';
import { defined, fixture, logicalId, PRODUCTION_CONTEXT, PRODUCTION_PIN, resources, stacksWith } from '../../helpers/infra';

const { stateful, statefulTemplate, statelessTemplate } = fixture();
const table = defined(resources(statefulTemplate, 'AWS::DynamoDB::GlobalTable')[logicalId(stateful.table)], 'the table');

describe('the table', () => {
  test('has the key schema of keys.ts: PK/SK strings', () => {
    expect(table.Properties?.KeySchema).toEqual([
      { AttributeName: 'PK', KeyType: 'HASH' },
      { AttributeName: 'SK', KeyType: 'RANGE' },
    ]);
  });

  test('has exactly the indexes of keys.ts: two search indexes projecting the keys, the request document and its state only, and the sparse byDue index with keys only', () => {
    expect(table.Properties?.GlobalSecondaryIndexes).toEqual([
      {
        IndexName: INDEX_BY_STATE,
        KeySchema: [
          { AttributeName: 'GSI1PK', KeyType: 'HASH' },
          { AttributeName: 'GSI1SK', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['doc', 'state'] },
      },
      {
        IndexName: INDEX_BY_REQUESTER,
        KeySchema: [
          { AttributeName: 'GSI2PK', KeyType: 'HASH' },
          { AttributeName: 'GSI2SK', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['doc', 'state'] },
      },
      {
        IndexName: 'byDue',
        KeySchema: [
          { AttributeName: 'GSI3PK', KeyType: 'HASH' },
          { AttributeName: 'GSI3SK', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'KEYS_ONLY' },
      },
    ]);
    const attributes = table.Properties?.AttributeDefinitions as Array<{ AttributeName: string; AttributeType: string }>;
    expect(attributes.map((a) => a.AttributeType)).toEqual(attributes.map(() => 'S'));
  });

  test('is on demand, encrypted, with PITR, deletion protection and the idempotency TTL', () => {
    expect(table.Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      SSESpecification: { SSEEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'expiresAtEpoch', Enabled: true },
    });
    const replicas = table.Properties?.Replicas as Array<Record<string, unknown>>;
    expect(replicas.length).toBeGreaterThan(0);
    for (const replica of replicas) {
      expect(replica).toMatchObject({
        DeletionProtectionEnabled: true,
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      });
    }
  });
});

describe('the search indexes', () => {
  test('never copy the task token or any other workflow bookkeeping', () => {
    const indexes = (
      (table.Properties?.GlobalSecondaryIndexes ?? []) as Array<{
        IndexName: string;
        Projection: { ProjectionType: string; NonKeyAttributes?: string[] };
      }>
    ).filter((index) => index.IndexName !== 'byDue');
    expect(indexes).toHaveLength(2);
    for (const index of indexes) {
      expect(index.Projection.ProjectionType).toBe('INCLUDE');
      for (const field of [
        'taskToken',
        'notifiedAt',
        'nextReminderAt',
        'reminders',
        'outcomeNotifiedAt',
        'callbackDeliveredAt',
        'approvalEmails',
        'execution',
      ]) {
        expect(index.Projection.NonKeyAttributes).not.toContain(field);
      }
    }
    expect([...SEARCH_INDEX_ATTRIBUTES]).toEqual(['doc', 'state']);
  });
});

describe('destroy and deploy again', () => {
  test('retained secrets have generated names (a new stack can create new ones beside them)', () => {
    const secrets = Object.values(resources(statefulTemplate, 'AWS::SecretsManager::Secret'));
    expect(secrets).toHaveLength(2);
    for (const secret of secrets) expect(secret.Properties?.Name).toBeUndefined();
  });

  test("the table and the user pool have no fixed names either; the secrets' ARNs are outputs", () => {
    expect(table.Properties?.TableName).toBeUndefined();
    expect(Object.keys(statefulTemplate.toJSON().Outputs)).toEqual(expect.arrayContaining(['LinkKeysSecretArn', 'CallbackKeysSecretArn']));
  });

  test('with senderIdentity=existing no SES identity is created (the retained one is used), and sending is still granted on it', () => {
    const { statefulTemplate: existing, stateful } = stacksWith({ senderIdentity: 'existing', sandboxRecipients: 'a@example.com' });
    existing.resourceCountIs('AWS::SES::EmailIdentity', 0);
    expect(stateful.sender.identityArn).toContain('identity/approvals@example.com');
    expect(stateful.sender.sandboxRecipientArns).toHaveLength(1);
  });
});

describe('retention', () => {
  test.each([
    'AWS::DynamoDB::GlobalTable',
    'AWS::Cognito::UserPool',
    // Without them a retained pool would lose every group membership and the calling systems' client ids and secrets.
    'AWS::Cognito::UserPoolGroup',
    'AWS::Cognito::UserPoolClient',
    'AWS::Cognito::UserPoolResourceServer',
    'AWS::SecretsManager::Secret',
    'AWS::SES::EmailIdentity',
  ])('every %s is retained on delete and on replacement', (type) => {
    const found = Object.values(resources(statefulTemplate, type));
    expect(found.length).toBeGreaterThan(0);
    for (const resource of found) expect([resource.DeletionPolicy, resource.UpdateReplacePolicy]).toEqual(['Retain', 'Retain']);
  });

  test('the stateless stack holds no data: no table, user pool, secret or email identity', () => {
    for (const type of [
      'AWS::DynamoDB::GlobalTable',
      'AWS::DynamoDB::Table',
      'AWS::Cognito::UserPool',
      'AWS::SecretsManager::Secret',
      'AWS::SES::EmailIdentity',
    ]) {
      statelessTemplate.resourceCountIs(type, 0);
    }
  });
});

describe('sign-in', () => {
  test('the user pool is admin-only sign-up, email sign-in, strong passwords and required TOTP', () => {
    statefulTemplate.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      UsernameAttributes: ['email'],
      MfaConfiguration: 'ON',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      Policies: {
        PasswordPolicy: Match.objectLike({ MinimumLength: 12, RequireSymbols: true, RequireNumbers: true, RequireUppercase: true }),
      },
      DeletionProtection: 'ACTIVE',
    });
  });

  test('has the groups approvers and admins', () => {
    const groups = Object.values(resources(statefulTemplate, 'AWS::Cognito::UserPoolGroup')).map((group) => group.Properties?.GroupName);
    expect(groups.sort()).toEqual(['admins', 'approvers']);
  });

  test('calling systems get a secret client limited to client credentials and the on-behalf scope', () => {
    const servers = Object.entries(resources(statefulTemplate, 'AWS::Cognito::UserPoolResourceServer'));
    expect(servers).toHaveLength(1);
    const [serverId, server] = defined(servers[0], 'the resource server');
    expect(server.Properties).toMatchObject({
      Identifier: RESOURCE_SERVER_ID,
      Scopes: [expect.objectContaining({ ScopeName: ON_BEHALF_SCOPE_NAME })],
    });
    const client = resources(statefulTemplate, 'AWS::Cognito::UserPoolClient')[logicalId(stateful.machineClient)];
    expect(client?.Properties).toMatchObject({
      GenerateSecret: true,
      AllowedOAuthFlows: ['client_credentials'],
      AllowedOAuthFlowsUserPoolClient: true,
      // The resource server's Ref is its identifier: "approvals/requests.create-on-behalf".
      AllowedOAuthScopes: [{ 'Fn::Join': ['', [{ Ref: serverId }, `/${ON_BEHALF_SCOPE_NAME}`]] }],
    });
    expect(client?.Properties?.ExplicitAuthFlows).toEqual(expect.not.arrayContaining(['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH']));
    statefulTemplate.resourceCountIs('AWS::Cognito::UserPoolDomain', 1);
  });

  test("outside prod, the people's client allows USER_PASSWORD_AUTH (CLI tokens); in prod only SRP", () => {
    const client = resources(statefulTemplate, 'AWS::Cognito::UserPoolClient')[logicalId(stateful.userClient)];
    expect(client?.Properties?.ExplicitAuthFlows).toEqual(expect.arrayContaining(['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH']));
    const prod = stacksWith(PRODUCTION_CONTEXT, PRODUCTION_PIN);
    const prodClient = resources(prod.statefulTemplate, 'AWS::Cognito::UserPoolClient')[logicalId(prod.stateful.userClient)];
    expect(prodClient?.Properties?.ExplicitAuthFlows).toEqual(expect.arrayContaining(['ALLOW_USER_SRP_AUTH']));
    expect(prodClient?.Properties?.ExplicitAuthFlows).not.toContain('ALLOW_USER_PASSWORD_AUTH');
  });

  test('Cognito sends its emails through SES with the sender identity once it exists (always in prod)', () => {
    const prod = stacksWith(PRODUCTION_CONTEXT, PRODUCTION_PIN);
    prod.statefulTemplate.hasResourceProperties('AWS::Cognito::UserPool', {
      EmailConfiguration: Match.objectLike({
        EmailSendingAccount: 'DEVELOPER',
        From: 'Approvals <approvals@pki.corp-a.net>',
        // Pinned account and region: the ARN is concrete.
        SourceArn: 'arn:aws:ses:eu-west-1:111122223333:identity/approvals@pki.corp-a.net',
      }),
    });
    // A new identity is not verified yet at the first deploy, and Cognito refuses it: Cognito's sender until then.
    statefulTemplate.hasResourceProperties('AWS::Cognito::UserPool', { EmailConfiguration: { EmailSendingAccount: 'COGNITO_DEFAULT' } });
  });

  test('people sign in through a client without a secret and without the client-credentials flow', () => {
    const client = resources(statefulTemplate, 'AWS::Cognito::UserPoolClient')[logicalId(stateful.userClient)];
    expect(client?.Properties?.GenerateSecret).toBe(false);
    expect(client?.Properties?.AllowedOAuthFlows).toEqual(['code']);
  });

  test('people cannot change their own email: the app client may not write email or email_verified, and reads both', () => {
    const client = resources(statefulTemplate, 'AWS::Cognito::UserPoolClient')[logicalId(stateful.userClient)];
    const writable = client?.Properties?.WriteAttributes as string[] | undefined;
    expect(Array.isArray(writable) && writable.length > 0).toBe(true);
    expect(writable).not.toContain('email');
    expect(writable).not.toContain('email_verified');
    expect(client?.Properties?.ReadAttributes).toEqual(expect.arrayContaining(['email', 'email_verified']));
  });

  test('user pool id, client id and machine client id are outputs', () => {
    expect(Object.keys(statefulTemplate.toJSON().Outputs)).toEqual(
      expect.arrayContaining(['UserPoolId', 'UserPoolClientId', 'MachineClientId', 'TokenEndpoint']),
    );
  });
});

describe('signing keys', () => {
  test('each secret gets its first key set from the generator', () => {
    const generated = Object.values(resources(statefulTemplate, 'Custom::SigningKeySet')).map((resource) => resource.Properties?.SecretId);
    expect(generated).toEqual(expect.arrayContaining([{ Ref: logicalId(stateful.linkKeys) }, { Ref: logicalId(stateful.callbackKeys) }]));
    expect(generated).toHaveLength(2);
  });

  test('a new key set names a current key of 32 random bytes in base64', () => {
    const first = JSON.parse(newKeySet()) as { currentKeyId: string; keys: Record<string, string> };
    expect(first.currentKeyId).toBe('k1');
    expect(Buffer.from(first.keys.k1 ?? '', 'base64')).toHaveLength(32);
    expect(newKeySet()).not.toBe(newKeySet());
  });

  test.each([
    { name: 'a generated key set', value: newKeySet(), expected: true },
    { name: 'a rotated key set', value: JSON.stringify({ currentKeyId: 'k2', keys: { k1: 'a', k2: 'b' } }), expected: true },
    { name: 'the random placeholder the secret starts with', value: 'Xy7pQ2abc', expected: false },
    { name: 'a current id without its key', value: JSON.stringify({ currentKeyId: 'k2', keys: { k1: 'a' } }), expected: false },
    { name: 'no value', value: undefined, expected: false },
  ])('the generator takes $name for a key set to keep: $expected', ({ value, expected }) => {
    expect(isKeySet(value)).toBe(expected);
  });
});
