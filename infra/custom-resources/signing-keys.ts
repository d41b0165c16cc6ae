/**
 * CloudFormation custom resource: gives a signing-key secret its first key set,
 * `{"currentKeyId":"k1","keys":{"k1":"<base64 of 32 random bytes>"}}`.
 *
 * It writes only when the secret does not hold a key set yet, so an update, a
 * replacement of this resource or a redeploy never overwrites keys that an operator
 * added or rotated (docs/deploy-and-operations.md: Rotating a signing key). Delete does nothing: the secret
 * itself is retained. It always answers CloudFormation, also on errors.
 */
import { randomBytes } from 'node:crypto';
import { GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';

const secrets = new SecretsManagerClient({ maxAttempts: 5 });

/** True when the value is a usable key set: a current key id that names a non-empty key. */
export function isKeySet(value: string | undefined): boolean {
  if (!value) return false;
  try {
    const parsed = JSON.parse(value) as { currentKeyId?: unknown; keys?: Record<string, unknown> };
    const id = parsed.currentKeyId;
    return (
      typeof id === 'string' &&
      typeof parsed.keys === 'object' &&
      parsed.keys !== null &&
      typeof parsed.keys[id] === 'string' &&
      parsed.keys[id] !== ''
    );
  } catch {
    return false;
  }
}

export function newKeySet(): string {
  return JSON.stringify({ currentKeyId: 'k1', keys: { k1: randomBytes(32).toString('base64') } });
}

async function ensureKeySet(secretId: string): Promise<'created' | 'kept'> {
  const current = await secrets.send(new GetSecretValueCommand({ SecretId: secretId }));
  if (isKeySet(current.SecretString)) return 'kept';
  await secrets.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: newKeySet() }));
  return 'created';
}

export async function handler(event: CloudFormationCustomResourceEvent): Promise<void> {
  const secretId = String(event.ResourceProperties.SecretId ?? '');
  const physicalResourceId = event.RequestType === 'Create' ? `signing-keys:${secretId}` : event.PhysicalResourceId;
  let status: 'SUCCESS' | 'FAILED' = 'SUCCESS';
  let reason = 'ok';
  try {
    if (event.RequestType !== 'Delete') {
      if (!secretId) throw new Error('property SecretId is required');
      reason = await ensureKeySet(secretId);
    }
  } catch (error) {
    status = 'FAILED';
    reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  }
  console.log(JSON.stringify({ level: status === 'SUCCESS' ? 'info' : 'error', requestType: event.RequestType, secretId, status, reason }));
  const response = await fetch(event.ResponseURL, {
    method: 'PUT',
    headers: { 'content-type': '' },
    body: JSON.stringify({
      Status: status,
      Reason: reason,
      PhysicalResourceId: physicalResourceId,
      StackId: event.StackId,
      RequestId: event.RequestId,
      LogicalResourceId: event.LogicalResourceId,
      NoEcho: true,
    }),
  });
  if (!response.ok) throw new Error(`CloudFormation response was refused: ${response.status}`);
}
