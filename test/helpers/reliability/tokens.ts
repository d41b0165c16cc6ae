/**
 * Tokens with exactly the claims a test names, signed with the local issuer's key under DATA_DIR
 * (the key local/identity.ts keeps), so a test can present claims the token command never
 * produces: `email_verified` false or missing, look-alike letters in `email`, a calling system's
 * client-credentials token. As the token command does, a person's token also puts that person in
 * the user directory (verified, enabled, exactly their groups), so that a refusal a test expects
 * comes from the rule it names and not from an unknown user; `extra` claims change the token only.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importJWK, type JWK, SignJWT } from 'jose';
import { LOCAL_AUDIENCE, LOCAL_ISSUER, localIssuer } from '../../../local/identity';
import { type LocalPerson, putLocalUser, userPoolFile } from '../../../local/user-pool';
import { filePoolStore } from '../../../local/user-pool-store';

export const ON_BEHALF_SCOPE = 'approvals/requests.create-on-behalf';

export interface Person {
  sub: string;
  email: string;
  groups?: string[];
}

export interface Minter {
  /** A person's ID token; `email_verified` is true unless `extra` says otherwise. */
  person(user: Person, extra?: Record<string, unknown>): Promise<string>;
  /** A calling system's client-credentials access token with the on-behalf scope. */
  client(clientId: string, scopes?: string[]): Promise<string>;
  /** Any claims at all. */
  raw(claims: Record<string, unknown>): Promise<string>;
  /** Puts a person in the user directory without a token: a listed approver who has not signed in yet. */
  enter(user: Person): void;
}

/**
 * `putUser` writes a person into the directory of the stack that checks the tokens: by default
 * DATA_DIR's user pool file, which a stack started with `npm start` reads (an in-process stack
 * passes its own store's writer).
 */
export async function minter(
  dataDir: string,
  putUser: (person: LocalPerson) => void = (person) => putLocalUser(filePoolStore(userPoolFile(dataDir)), person),
): Promise<Minter> {
  await localIssuer(dataDir); // makes the key when the stack has not yet
  const stored = JSON.parse(readFileSync(join(dataDir, 'issuer', 'signing-key.json'), 'utf8')) as { kid: string; privateJwk: JWK };
  const key = await importJWK(stored.privateJwk, 'ES256');
  const raw = async (claims: Record<string, unknown>) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: stored.kid, typ: 'JWT' })
      .setIssuer(LOCAL_ISSUER)
      .setAudience(LOCAL_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + 3600)
      .sign(key);
  const cache = new Map<string, string>();
  const cached = async (cacheKey: string, make: () => Promise<string>) => {
    let token = cache.get(cacheKey);
    if (!token) {
      token = await make();
      cache.set(cacheKey, token);
    }
    return token;
  };
  // What was last written of each sub, so a person is written again only when their email or groups change.
  const written = new Map<string, string>();
  const enter = (user: Person) => {
    const shape = JSON.stringify([user.email, [...(user.groups ?? [])].sort()]);
    if (written.get(user.sub) === shape) return;
    putUser({ sub: user.sub, email: user.email, groups: user.groups ?? [] });
    written.set(user.sub, shape);
  };
  return {
    raw,
    enter,
    person: (user, extra = {}) => {
      enter(user);
      // Entries, not the object: JSON.stringify drops a claim set to undefined, and `{ email_verified: undefined }`
      // (a token without the claim) must not share its cache entry with a plain, verified token.
      return cached(JSON.stringify(['p', user, Object.entries(extra)]), () =>
        raw({ sub: user.sub, email: user.email, email_verified: true, 'cognito:groups': user.groups ?? [], token_use: 'id', ...extra }),
      );
    },
    client: (clientId, scopes = [ON_BEHALF_SCOPE]) =>
      cached(JSON.stringify(['c', clientId, scopes]), () =>
        raw({ sub: clientId, client_id: clientId, scope: scopes.join(' '), token_use: 'access' }),
      ),
  };
}
