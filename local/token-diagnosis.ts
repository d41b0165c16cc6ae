/**
 * Why the local gateway refused a bearer token, in words a newcomer can act on. The commonest
 * case: a token minted by the token command with another DATA_DIR than the stack's, so signed by
 * another issuer key. Says only what the token itself shows (its key id, issuer, audience, expiry)
 * and where the stack keeps its key: never a key, a claim value or the token.
 */
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { LOCAL_AUDIENCE, LOCAL_ISSUER } from './identity';

export const GENERIC_REFUSAL = 'a valid bearer token is required';

export function refusedTokenMessage(token: string, stack: { kid: string; dataDir: string }): string {
  let kid: unknown;
  let claims: ReturnType<typeof decodeJwt>;
  try {
    kid = decodeProtectedHeader(token).kid;
    claims = decodeJwt(token);
  } catch {
    return `${GENERIC_REFUSAL} (this one is not a JWT)`;
  }
  if (claims.iss !== LOCAL_ISSUER) return `${GENERIC_REFUSAL} (this one's issuer is not the local issuer ${LOCAL_ISSUER})`;
  if (kid !== stack.kid) {
    return (
      `${GENERIC_REFUSAL}: this token's issuer key (kid ${typeof kid === 'string' ? kid : 'none'}) is not this stack's ` +
      `(kid ${stack.kid}); the stack uses DATA_DIR=${stack.dataDir}: mint tokens with the same DATA_DIR`
    );
  }
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audiences.includes(LOCAL_AUDIENCE)) return `${GENERIC_REFUSAL} (this one's audience is not ${LOCAL_AUDIENCE})`;
  if (typeof claims.exp === 'number' && claims.exp * 1000 <= Date.now()) return `${GENERIC_REFUSAL} (this one has expired)`;
  return `${GENERIC_REFUSAL} (this one's signature does not verify)`;
}
