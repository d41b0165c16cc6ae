/**
 * The receipt keys: KMS asymmetric P-256 signing keys, retained, administered only through the
 * account's IAM (no other principal in the key policy), used by exactly the functions that sign
 * (kms:Sign on the current key) and publish (kms:GetPublicKey on every listed key); rotation adds
 * a generation that signs while the old one stays published.
 */
import type { Key } from 'aws-cdk-lib/aws-kms';
import { fixture, logicalId, props, resources, stacksWith } from '../../helpers/infra';

const { stateful, statefulTemplate, statelessTemplate } = fixture();

const kmsStatements = (template: typeof statelessTemplate) =>
  Object.entries(resources(template, 'AWS::IAM::Policy')).flatMap(([id, policy]) =>
    ((props(policy).PolicyDocument as { Statement: Array<{ Action: string | string[]; Resource: unknown }> }).Statement ?? [])
      .filter((statement) => [statement.Action].flat().some((action) => action.startsWith('kms:')))
      .map((statement) => ({ policy: id, actions: [statement.Action].flat(), resource: JSON.stringify(statement.Resource) })),
  );

test('one ECC_NIST_P256 SIGN_VERIFY key, retained, whose policy names only the account', () => {
  const keys = Object.values(resources(statefulTemplate, 'AWS::KMS::Key'));
  expect(keys).toHaveLength(1);
  const key = keys[0];
  expect(props(key)).toMatchObject({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
  expect(key?.DeletionPolicy).toBe('Retain');
  const statements = (props(key).KeyPolicy as { Statement: Array<{ Principal: unknown; Action: unknown }> }).Statement;
  expect(statements).toHaveLength(1);
  expect(JSON.stringify(statements[0]?.Principal)).toMatch(/:root/);
});

test('only the signing steps may sign, only the JWKS function may read public keys, and nothing else touches the key', () => {
  const statements = kmsStatements(statelessTemplate);
  const byActions = statements.map((statement) => statement.actions.join(',')).sort();
  expect(byActions).toEqual(['kms:GetPublicKey', 'kms:Sign', 'kms:Sign']);
  const key = logicalId(stateful.node.findChild('ReceiptKeys').node.findChild('Key1') as Key);
  for (const statement of statements) expect(statement.resource).toContain(key);
  expect(
    statements
      .filter((statement) => statement.actions.includes('kms:Sign'))
      .map((statement) => statement.policy)
      .sort(),
  ).toEqual([expect.stringMatching(/DeliverCallbackFunctionRole/), expect.stringMatching(/NotifyOutcomeFunctionRole/)]);
});

test('rotation: with receiptKeys 1,2 key 2 signs and both are published', () => {
  const rotated = stacksWith({ receiptKeys: '1,2' });
  const key1 = logicalId(rotated.stateful.node.findChild('ReceiptKeys').node.findChild('Key1') as Key);
  const key2 = logicalId(rotated.stateful.node.findChild('ReceiptKeys').node.findChild('Key2') as Key);
  const statements = kmsStatements(rotated.statelessTemplate);
  for (const statement of statements.filter((s) => s.actions.includes('kms:Sign'))) {
    expect(statement.resource).toContain(key2);
    expect(statement.resource).not.toContain(key1);
  }
  const publish = statements.find((statement) => statement.actions.includes('kms:GetPublicKey'));
  expect(publish?.resource).toContain(key1);
  expect(publish?.resource).toContain(key2);
  expect(() => stacksWith({ receiptKeys: '2,1' })).toThrow(/receiptKeys/);
});
