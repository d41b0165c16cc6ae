/**
 * Each calling system's own callback signing key, derived from the service's callback key and the
 * system's client id with HKDF-SHA256 (RFC 5869), so no per-client key is stored anywhere and one
 * calling system cannot forge another's events. The key is 64 hex characters; a receiver uses it
 * as it is printed (as text) for the HMAC-SHA256 of "<t>.<body>".
 *
 * The service's key is the base64 value of the current key id in the callback-keys secret
 * (`{"currentKeyId":"k1","keys":{"k1":"<base64>"}}`); rotating it changes every client's key.
 */
import { hkdfSync } from 'node:crypto';

export const CALLBACK_KEY_SALT = 'approvals/callback-signing/v1';

export function clientCallbackKey(serviceKeyBase64: string, clientId: string): string {
  if (!clientId) throw new Error('a calling system needs a client id to have a callback key');
  const derived = hkdfSync('sha256', Buffer.from(serviceKeyBase64, 'base64'), CALLBACK_KEY_SALT, `client:${clientId}`, 32);
  return Buffer.from(derived).toString('hex');
}
