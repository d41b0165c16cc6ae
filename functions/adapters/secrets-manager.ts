/**
 * The link-signing keys, read from Secrets Manager once per process. The endpoint comes
 * from the SDK's own settings (`AWS_ENDPOINT_URL_SECRETS_MANAGER` locally), as for every client.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type SigningKeys, signingKeysSchema } from '../links/signing';

let client: SecretsManagerClient | undefined;
const cache = new Map<string, Promise<SigningKeys>>();

export const secretsClient = () => (client ??= new SecretsManagerClient({ maxAttempts: 5 }));

/**
 * The signing keys stored under `secretId`: one read per cold start. The promise is cached, so
 * concurrent first calls share one read; a failed read is not cached, so the next call tries again.
 */
export function signingKeys(secretId: string): Promise<SigningKeys> {
  const cached = cache.get(secretId);
  if (cached) return cached;
  const loading = readSigningKeys(secretId);
  cache.set(secretId, loading);
  loading.catch(() => {
    if (cache.get(secretId) === loading) cache.delete(secretId);
  });
  return loading;
}

/** Forgets the cached keys (tests; or after a rotation, to pick up the new key at once). */
export function clearSigningKeysCache(): void {
  cache.clear();
}

async function readSigningKeys(secretId: string): Promise<SigningKeys> {
  const { SecretString } = await secretsClient().send(new GetSecretValueCommand({ SecretId: secretId }));
  if (!SecretString) throw new Error(`configuration error: secret ${secretId} has no string value`);
  let json: unknown;
  try {
    json = JSON.parse(SecretString);
  } catch {
    throw new Error(`configuration error: secret ${secretId} is not JSON`);
  }
  const result = signingKeysSchema.safeParse(json);
  if (!result.success) {
    // Paths and messages only: never the secret's content.
    const problems = result.error.issues.map((issue) => `${issue.path.map(String).join('.') || '(secret)'} ${issue.message}`).join('; ');
    throw new Error(`configuration error: secret ${secretId} is not a set of signing keys: ${problems}`);
  }
  return result.data;
}
