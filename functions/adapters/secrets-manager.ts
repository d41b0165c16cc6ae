/**
 * The signing keys (links, callbacks), read from Secrets Manager and kept for at most
 * SIGNING_KEYS_TTL_MS, so a key removed from the secret (a revocation after a leak) stops
 * being accepted by warm instances within that time. The endpoint comes from the SDK's own
 * settings (`AWS_ENDPOINT_URL_SECRETS_MANAGER` locally), as for every client.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type SigningKeys, signingKeysSchema } from '../links/signing';
import { CLIENT_CONFIG } from './clients';

/** How long a process uses keys it read before reading the secret again (docs/deploy-and-operations.md: Rotating a signing key). */
export const SIGNING_KEYS_TTL_MS = 5 * 60 * 1000;

let client: SecretsManagerClient | undefined;
const cache = new Map<string, { keys: Promise<SigningKeys>; readAt: number }>();

export const secretsClient = () => (client ??= new SecretsManagerClient(CLIENT_CONFIG));

/**
 * The signing keys stored under `secretId`: one read per SIGNING_KEYS_TTL_MS and process. The
 * promise is cached, so concurrent calls share one read; a failed read is not cached, so the next
 * call tries again. Past the TTL the keys are read again and never served stale: a revoked key
 * must stop working even if Secrets Manager cannot be reached.
 */
export function signingKeys(secretId: string): Promise<SigningKeys> {
  const now = Date.now();
  const cached = cache.get(secretId);
  if (cached && now - cached.readAt < SIGNING_KEYS_TTL_MS) return cached.keys;
  const loading = readSigningKeys(secretId);
  const entry = { keys: loading, readAt: now };
  cache.set(secretId, entry);
  loading.catch(() => {
    if (cache.get(secretId) === entry) cache.delete(secretId);
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
