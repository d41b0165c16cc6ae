/**
 * A local Secrets Manager endpoint answering GetSecretValue (awsJson1_1,
 * `X-Amz-Target: secretsmanager.GetSecretValue`), so that
 * `new SecretsManagerClient({ endpoint: url })` (or AWS_ENDPOINT_URL_SECRETS_MANAGER)
 * works unchanged. Secrets are given by name or by ARN; a secret is found by its
 * name, its full ARN, or its ARN without the 6-character suffix, as in AWS.
 */
import { createHash } from 'node:crypto';
import { AwsServiceError, epochSeconds, optionalString, requireString, startAwsJsonServer } from './aws-json-server';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './net';

export interface SecretsServerOptions {
  /** 0 picks a free port. */
  port: number;
  /** Defaults to 127.0.0.1. */
  host?: string;
  /** SecretString by SecretId (a name, or an `arn:aws:secretsmanager:...:secret:<name>-XXXXXX`). */
  secrets: Record<string, string>;
  region?: string;
  accountId?: string;
  log?: (line: string) => void;
}

export interface SecretsServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

interface LocalSecret {
  name: string;
  arn: string;
  value: string;
  versionId: string;
  createdDate: Date;
}

const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:(.+)-[A-Za-z0-9]{6}$/;

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** A stable, uuid-shaped version id derived from the value. */
function versionIdOf(name: string, value: string): string {
  const hex = digest(`${name}\u0000${value}`).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export async function startSecretsServer(options: SecretsServerOptions): Promise<SecretsServer> {
  const region = options.region ?? LOCAL_REGION;
  const accountId = options.accountId ?? LOCAL_ACCOUNT;
  const createdDate = new Date();
  const secrets: LocalSecret[] = Object.entries(options.secrets).map(([id, value]) => {
    const fromArn = SECRET_ARN.exec(id);
    const name = fromArn?.[1] ?? id;
    const suffix = digest(name)
      .toString('base64url')
      .replace(/[^A-Za-z0-9]/g, 'x')
      .slice(0, 6);
    const arn = fromArn ? id : `arn:aws:secretsmanager:${region}:${accountId}:secret:${name}-${suffix}`;
    return { name, arn, value, versionId: versionIdOf(name, value), createdDate };
  });
  const find = (secretId: string): LocalSecret | undefined =>
    secrets.find((secret) => secret.name === secretId || secret.arn === secretId || secret.arn.slice(0, -7) === secretId);

  const http = await startAwsJsonServer({
    port: options.port,
    host: options.host ?? '127.0.0.1',
    targetPrefix: 'secretsmanager',
    jsonVersion: '1.1',
    log: options.log,
    actions: {
      GetSecretValue: (body) => {
        const secretId = requireString(body, 'SecretId');
        const versionId = optionalString(body, 'VersionId');
        const versionStage = optionalString(body, 'VersionStage');
        const secret = find(secretId);
        if (!secret) throw new AwsServiceError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
        if ((versionId !== undefined && versionId !== secret.versionId) || (versionStage !== undefined && versionStage !== 'AWSCURRENT')) {
          throw new AwsServiceError(
            'ResourceNotFoundException',
            "Secrets Manager can't find the specified secret value for the given version.",
          );
        }
        return {
          ARN: secret.arn,
          Name: secret.name,
          VersionId: secret.versionId,
          SecretString: secret.value,
          VersionStages: ['AWSCURRENT'],
          CreatedDate: epochSeconds(secret.createdDate),
        };
      },
    },
  });
  return { url: http.url, port: http.port, close: () => http.close() };
}
