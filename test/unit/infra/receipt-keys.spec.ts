/**
 * The receipt keys: KMS asymmetric P-256 signing keys, retained, administered only through the
 * account's IAM (no other principal in the key policy), used by exactly the functions that sign
 * (kms:Sign on the current key) and publish (kms:GetPublicKey on every listed key); rotation adds
 * a generation that signs while the old one stays published. The key policy denies kms:Sign to
 * every principal but the roles named `<prefix>-receipt-signer-*`, which only the signing functions have.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import type { Key } from 'aws-cdk-lib/aws-kms';
import { FUNCTIONS, type FunctionName, type Need } from '../../../functions/registry';
import { defined, fixture, logicalId, props, resources, stacksWith } from '../../helpers/infra';

const { stateful, stateless, statefulTemplate, statelessTemplate, config } = fixture();

type KeyStatement = { Sid?: string; Effect: string; Principal: unknown; Action: unknown; Resource: unknown; Condition?: unknown };
const keyStatements = (template: Template) =>
  Object.values(resources(template, 'AWS::KMS::Key')).map((key) => (props(key).KeyPolicy as { Statement: KeyStatement[] }).Statement);

/** An ARN expression as text: `{ Ref: X }` becomes `${X}`; anything else than Ref and Fn::Join fails. */
function text(value: unknown): string {
  if (typeof value === 'string') return value;
  const node = value as Record<string, unknown>;
  if (typeof node.Ref === 'string') return `\${${node.Ref}}`;
  if (Array.isArray(node['Fn::Join'])) {
    const [separator, parts] = node['Fn::Join'] as [string, unknown[]];
    return parts.map(text).join(separator);
  }
  throw new Error(`cannot read ${JSON.stringify(value)}`);
}

const SIGNER_ROLES = `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/${config.prefix}-receipt-signer-*`;
/** ArnLike's wildcards (`*`, `?`) as a regular expression over a role name. */
const signerNamePattern = new RegExp(
  `^${`${config.prefix}-receipt-signer-*`
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.')}$`,
);
const SIGNERS = FUNCTIONS.filter((entry) => (entry.needs as readonly Need[]).includes('receipts:sign'))
  .map((entry) => entry.name)
  .sort();

function expectSignBoundary(statements: KeyStatement[]) {
  const admin = statements.find((statement) => statement.Effect === 'Allow');
  expect(admin?.Action).toBe('kms:*');
  expect(JSON.stringify(admin?.Principal)).toMatch(/:root/);
  const denies = statements.filter((statement) => statement.Effect === 'Deny');
  expect(denies).toHaveLength(1);
  const deny = defined(denies[0]);
  // kms:Sign only (the account keeps administering the key), for every principal but the signer roles.
  expect(deny.Action).toBe('kms:Sign');
  expect(deny.Principal).toEqual({ AWS: '*' });
  expect(deny.Resource).toBe('*');
  const condition = deny.Condition as Record<string, Record<string, unknown>>;
  expect(Object.keys(condition)).toEqual(['ArnNotLike']);
  expect(Object.keys(condition.ArnNotLike ?? {})).toEqual(['aws:PrincipalArn']);
  // Only pseudo parameters: no reference to the stateless stack's roles (a cross-stack cycle).
  expect(text(condition.ArnNotLike?.['aws:PrincipalArn'])).toBe(SIGNER_ROLES);
}

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
  const statements = (props(key).KeyPolicy as { Statement: Array<{ Effect: string; Principal: unknown; Action: unknown }> }).Statement;
  const allows = statements.filter((statement) => statement.Effect === 'Allow');
  expect(allows).toHaveLength(1);
  expect(JSON.stringify(allows[0]?.Principal)).toMatch(/:root/);
});

test('the key policy denies kms:Sign to every principal whose ARN is not a receipt signer role', () => {
  const policies = keyStatements(statefulTemplate);
  expect(policies).toHaveLength(1);
  expectSignBoundary(defined(policies[0]));
});

test("the signing functions, and only they, have roles named under the key policy's signer pattern", () => {
  expect(SIGNERS).toEqual(['deliverCallback', 'notifyOutcome']);
  const roleNames = Object.fromEntries(
    [statefulTemplate, statelessTemplate].flatMap((template) =>
      Object.entries(resources(template, 'AWS::IAM::Role')).map(([id, role]) => [id, props(role).RoleName]),
    ),
  );
  for (const name of SIGNERS) {
    const roleName = roleNames[logicalId(defined(stateless.functions[name as FunctionName].role, 'role'))];
    expect(typeof roleName).toBe('string');
    expect([name, signerNamePattern.test(String(roleName))]).toEqual([name, true]);
  }
  const matching = Object.entries(roleNames)
    .filter(([, roleName]) => typeof roleName === 'string' && signerNamePattern.test(roleName))
    .map(([id]) => id)
    .sort();
  expect(matching).toEqual(SIGNERS.map((name) => logicalId(defined(stateless.functions[name as FunctionName].role, 'role'))).sort());
  // Generated names (`<stack name>-<logical id>-<suffix>`) cannot match the pattern either.
  for (const id of Object.keys(roleNames)) expect(signerNamePattern.test(`Approvals-dev-Stateless-${id}-ABC123`)).toBe(false);
  // Every role the key lets sign fits IAM's 64 characters.
  for (const id of matching) expect(String(roleNames[id]).length).toBeLessThanOrEqual(64);
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
  // Every generation keeps the boundary: only the signer roles may sign with it.
  const policies = keyStatements(rotated.statefulTemplate);
  expect(policies).toHaveLength(2);
  for (const statements of policies) expectSignBoundary(statements);
  expect(() => stacksWith({ receiptKeys: '2,1' })).toThrow(/receiptKeys/);
});
