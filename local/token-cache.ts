/**
 * The local gateway's memory of tokens it verified. In the cloud the HTTP API's JWT authorizer
 * checks tokens outside the functions; here the gateway does it in the same process, and an ES256
 * signature check on every request was about a third of its time. A token seen before is not
 * verified again. Keyed by the raw token, so only the very same bytes hit; only
 * tokens that verified are kept; a hit is checked against the token's `exp` (and `nbf`) each time,
 * so an expired token is refused as the verifier would refuse it. Bounded: past `maxEntries` the
 * oldest entry goes.
 */
import type { JWTPayload } from 'jose';

export type TokenVerifier = (token: string) => Promise<JWTPayload | undefined>;

export function cachingVerifier(
  verify: TokenVerifier,
  options: { maxEntries?: number; nowMs?: () => number } = {},
): TokenVerifier & { readonly size: number } {
  const maxEntries = options.maxEntries ?? 1000;
  const nowMs = options.nowMs ?? Date.now;
  const verified = new Map<string, JWTPayload>();
  const current = (payload: JWTPayload) => {
    const now = nowMs() / 1000;
    return typeof payload.exp === 'number' && now < payload.exp && (typeof payload.nbf !== 'number' || now >= payload.nbf);
  };
  const cached = async (token: string): Promise<JWTPayload | undefined> => {
    const hit = verified.get(token);
    if (hit) {
      if (current(hit)) return hit;
      verified.delete(token);
      return undefined;
    }
    const payload = await verify(token);
    // A token without exp is never kept: nothing would end its validity here.
    if (payload && current(payload)) {
      if (verified.size >= maxEntries) verified.delete(verified.keys().next().value as string);
      verified.set(token, payload);
    }
    return payload;
  };
  return Object.defineProperty(cached, 'size', { get: () => verified.size }) as TokenVerifier & { readonly size: number };
}
