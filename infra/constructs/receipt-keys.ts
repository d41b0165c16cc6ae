/**
 * The receipt keys: AWS KMS asymmetric keys (ECC_NIST_P256, SIGN_VERIFY) whose private halves never
 * leave KMS. One key per generation (config `receiptKeys`, oldest first): the last one signs, every
 * one listed stays in the JWKS until its receipts have expired (rotation: infra/README.md).
 *
 * Key policy: the account (through IAM policies) administers the key; nothing else is granted in
 * the key policy. The functions get kms:Sign (the signing step) or kms:GetPublicKey (the JWKS) on
 * their own roles, from their needs (service-function.ts).
 *
 * Boundary: kms:Sign is denied to every principal whose ARN is not a role named
 * `<prefix>-receipt-signer-*` (the roles of the functions with `receipts:sign`, named by
 * `receiptSignerRoleName`), so an IAM policy with kms:Sign on "*" (AdministratorAccess,
 * PowerUserAccess, a CI role) cannot sign receipts. The names are built from the stage prefix on
 * both sides: the key policy refers to no resource of the stateless stack (no cross-stack cycle).
 * The Deny covers kms:Sign only: the account keeps administering the key (no lockout).
 */
import { Aws, RemovalPolicy } from 'aws-cdk-lib';
import { AccountRootPrincipal, AnyPrincipal, Effect, PolicyDocument, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Key, KeySpec, KeyUsage } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

export interface ReceiptKeysProps {
  /** Key generations, oldest first; the last one signs. */
  readonly generations: readonly number[];
  /** Names the deployment in the aliases and descriptions, e.g. `approvals-dev`. */
  readonly namePrefix: string;
}

/** IAM role names are at most 64 characters. */
const ROLE_NAME_MAX = 64;

/** The start of every receipt signer's role name: `<prefix>-receipt-signer-`. */
export const receiptSignerRolePrefix = (namePrefix: string) => `${namePrefix}-receipt-signer-`;

/** The role name of the function `functionName` that signs receipts (kms:Sign), under `signerRolePrefix`. */
export function receiptSignerRoleName(signerRolePrefix: string, functionName: string): string {
  const name = `${signerRolePrefix}${functionName}`;
  if (name.length > ROLE_NAME_MAX || !/^[\w+=,.@-]+$/.test(name)) {
    throw new Error(`receipt signer role name "${name}" is not a valid IAM role name (at most ${ROLE_NAME_MAX} of [A-Za-z0-9+=,.@_-])`);
  }
  return name;
}

export class ReceiptKeys extends Construct {
  /** Every listed key, oldest first. */
  readonly keys: readonly Key[];
  /** The key that signs new receipts. */
  readonly current: Key;
  /** Only roles whose name starts with this may use kms:Sign on the keys (the key policy denies everyone else). */
  readonly signerRolePrefix: string;

  constructor(scope: Construct, id: string, props: ReceiptKeysProps) {
    super(scope, id);
    if (props.generations.length === 0) throw new Error('receipt keys: at least one generation is needed');
    this.signerRolePrefix = receiptSignerRolePrefix(props.namePrefix);
    const signerRoleArns = `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/${this.signerRolePrefix}*`;
    this.keys = props.generations.map(
      (generation) =>
        new Key(this, `Key${generation}`, {
          keySpec: KeySpec.ECC_NIST_P256,
          keyUsage: KeyUsage.SIGN_VERIFY,
          alias: `alias/${props.namePrefix}-receipts-${generation}`,
          description: `${props.namePrefix}: signs approval receipts (generation ${generation}); public half in GET /.well-known/jwks.json`,
          // Receipts signed with it are verified for as long as they are valid: never deleted with the stack.
          removalPolicy: RemovalPolicy.RETAIN,
          policy: new PolicyDocument({
            statements: [
              new PolicyStatement({
                sid: 'AccountAdministersThroughIam',
                principals: [new AccountRootPrincipal()],
                actions: ['kms:*'],
                resources: ['*'],
              }),
              // aws:PrincipalArn of a Lambda function's session is its role's ARN (path `/`).
              new PolicyStatement({
                sid: 'OnlyReceiptSignerRolesSign',
                effect: Effect.DENY,
                principals: [new AnyPrincipal()],
                actions: ['kms:Sign'],
                resources: ['*'],
                conditions: { ArnNotLike: { 'aws:PrincipalArn': signerRoleArns } },
              }),
            ],
          }),
        }),
    );
    const current = this.keys[this.keys.length - 1];
    if (!current) throw new Error('internal: no receipt key');
    this.current = current;
  }
}
