/**
 * The receipt keys: AWS KMS asymmetric keys (ECC_NIST_P256, SIGN_VERIFY) whose private halves never
 * leave KMS. One key per generation (config `receiptKeys`, oldest first): the last one signs, every
 * one listed stays in the JWKS until its receipts have expired (rotation: infra/README.md).
 *
 * Key policy: the account (through IAM policies) administers the key; nothing else is granted in
 * the key policy. The functions get kms:Sign (the signing step) or kms:GetPublicKey (the JWKS) on
 * their own roles, from their needs (service-function.ts).
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { AccountRootPrincipal, PolicyDocument, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Key, KeySpec, KeyUsage } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

export interface ReceiptKeysProps {
  /** Key generations, oldest first; the last one signs. */
  readonly generations: readonly number[];
  /** Names the deployment in the aliases and descriptions, e.g. `approvals-dev`. */
  readonly namePrefix: string;
}

export class ReceiptKeys extends Construct {
  /** Every listed key, oldest first. */
  readonly keys: readonly Key[];
  /** The key that signs new receipts. */
  readonly current: Key;

  constructor(scope: Construct, id: string, props: ReceiptKeysProps) {
    super(scope, id);
    if (props.generations.length === 0) throw new Error('receipt keys: at least one generation is needed');
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
            ],
          }),
        }),
    );
    const current = this.keys[this.keys.length - 1];
    if (!current) throw new Error('internal: no receipt key');
    this.current = current;
  }
}
