/**
 * The local token issuer: an ES256 key pair kept under DATA_DIR, so the token
 * command and the gateway started with the same DATA_DIR agree. The gateway checks
 * tokens the way the HTTP API's JWT authorizer does: signature, issuer, audience, expiry.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, type JWK, type JWTPayload, jwtVerify, SignJWT } from 'jose';

export const LOCAL_ISSUER = 'https://issuer.approvals.local';
export const LOCAL_AUDIENCE = 'approvals-api';
const ALG = 'ES256';

export interface StoredKey {
  kid: string;
  privateJwk: JWK;
  publicJwk: JWK;
}

/** The issuer's key pair; the local OpenID provider signs with the same key. */
export async function loadOrCreateKey(dataDir: string): Promise<StoredKey> {
  const dir = join(dataDir, 'issuer');
  const file = join(dir, 'signing-key.json');
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as StoredKey;
  } catch {
    const { privateKey, publicKey } = await generateKeyPair(ALG, { extractable: true });
    const key: StoredKey = {
      kid: `local-${Date.now().toString(36)}`,
      privateJwk: await exportJWK(privateKey),
      publicJwk: await exportJWK(publicKey),
    };
    mkdirSync(dir, { recursive: true });
    try {
      writeFileSync(file, JSON.stringify(key), { mode: 0o600, flag: 'wx' });
    } catch (error) {
      // Another process (npm start, or the token command) made the key first: use theirs.
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return JSON.parse(readFileSync(file, 'utf8')) as StoredKey;
      throw error;
    }
    return key;
  }
}

export interface TokenClaims {
  sub: string;
  /** A user's address; absent for a calling system's client-credentials token. */
  email?: string;
  groups?: string[];
  /** OAuth scopes, as a client-credentials access token carries them. */
  scopes?: string[];
  /** The `email_verified` claim of a user's token, as Cognito sets it once an address is verified. @default true */
  emailVerified?: boolean;
}

export async function localIssuer(dataDir: string) {
  const key = await loadOrCreateKey(dataDir);
  const privateKey = await importJWK(key.privateJwk, ALG);
  const publicKey = await importJWK(key.publicJwk, ALG);
  return {
    /** The key id its tokens carry, and where the key is kept (for the gateway's 401 on another key's token). */
    kid: key.kid,
    dataDir,
    async sign(claims: TokenClaims, ttlSeconds = 12 * 3600): Promise<string> {
      const body = claims.scopes?.length
        ? { scope: claims.scopes.join(' '), client_id: claims.sub, token_use: 'access' }
        : { email: claims.email, email_verified: claims.emailVerified ?? true, 'cognito:groups': claims.groups ?? [], token_use: 'id' };
      return new SignJWT(body)
        .setProtectedHeader({ alg: ALG, kid: key.kid, typ: 'JWT' })
        .setSubject(claims.sub)
        .setIssuer(LOCAL_ISSUER)
        .setAudience(LOCAL_AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
        .sign(privateKey);
    },
    /** The verified claims, or undefined for any bad token. */
    async verify(token: string): Promise<JWTPayload | undefined> {
      try {
        const { payload } = await jwtVerify(token, publicKey, { issuer: LOCAL_ISSUER, audience: LOCAL_AUDIENCE, algorithms: [ALG] });
        return payload;
      } catch {
        return undefined;
      }
    },
  };
}
export type LocalIssuer = Awaited<ReturnType<typeof localIssuer>>;
