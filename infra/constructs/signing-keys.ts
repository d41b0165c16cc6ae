/**
 * The secrets that hold HMAC keys by key id (email links, callbacks), with their
 * first key generated at deploy time. See infra/custom-resources/signing-keys.ts.
 */
import { CustomResource, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ServiceFunction } from './service-function';

export interface SigningKeysProps {
  /** One secret per entry: construct id → description. */
  readonly secrets: Record<string, string>;
  /** Names the deployment in the secrets' descriptions, e.g. `approvals-dev` (the names themselves are generated). */
  readonly namePrefix: string;
}

export class SigningKeys extends Construct {
  readonly secrets: Record<string, Secret> = {};

  constructor(scope: Construct, id: string, props: SigningKeysProps) {
    super(scope, id);
    const generator = new ServiceFunction(this, 'Generator', {
      entry: 'infra/custom-resources/signing-keys.ts',
      description: 'Writes the first key set into a signing-key secret (never overwrites one)',
      timeout: Duration.seconds(30),
    });

    for (const [secretId, description] of Object.entries(props.secrets)) {
      // No fixed name: the secret is retained, and a deploy after a destroy must be able to create
      // a new one. Functions get the ARN; operators read it from the stack outputs.
      const secret = new Secret(this, secretId, {
        description: `${props.namePrefix}: ${description}. JSON {"currentKeyId","keys":{"<id>":"<base64 key>"}}; rotate by key id (docs/deploy-and-operations.md).`,
        removalPolicy: RemovalPolicy.RETAIN,
        // Placeholder until the custom resource writes the key set (it replaces any value that is not one).
        generateSecretString: { passwordLength: 64, excludePunctuation: true },
      });
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'HMAC keys are rotated by key id, by hand (docs/deploy-and-operations.md: add k2, make it current, drop k1 after the longest link lifetime). A Secrets Manager rotation function would replace the value on a schedule and invalidate every signed link and callback signature still in flight.',
      });
      generator.addToRolePolicy(
        new PolicyStatement({ actions: ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue'], resources: [secret.secretArn] }),
      );
      const keys = new CustomResource(this, `${secretId}FirstKey`, {
        serviceToken: generator.functionArn,
        resourceType: 'Custom::SigningKeySet',
        properties: { SecretId: secret.secretArn },
        serviceTimeout: Duration.minutes(5),
      });
      keys.node.addDependency(generator);
      this.secrets[secretId] = secret;
    }
  }
}
