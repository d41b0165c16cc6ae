/**
 * The local OpenID provider for the operator console: panva's oidc-provider (a certified
 * implementation) with the authorization code flow and PKCE, as Cognito's managed login offers it
 * in the cloud. Its sign-in page asks for `sub`, `email`, an optional `name` and `groups` (comma-separated) and has a
 * `Sign in` button; nobody is checked, since this is a stand-in for Cognito's managed login. The
 * person who signs in is created or updated in the local user directory (`onSignIn`), as the token
 * command does: that email, verified, that name when given, exactly those groups, enabled.
 *
 * Its ID tokens carry `sub`, `email`, `email_verified: true` and `cognito:groups` (an array), the
 * claims Cognito puts in its ID tokens, and are signed with the local issuer's key under the same
 * issuer and audience as the token command's, so the gateway accepts both.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AccountClaims, AdapterPayload, KoaContextWithOIDC } from 'oidc-provider';
import { requireOwnHost } from './host-check';
import { LOCAL_AUDIENCE, LOCAL_ISSUER, loadOrCreateKey } from './identity';
import { autoLogoutSource } from './oidc-logout';
import type { LocalPerson } from './user-pool';

export interface LocalOidcOptions {
  dataDir: string;
  /** The console's address, ending in `/` (its callback is `<consoleUrl>callback`). */
  consoleUrl: string;
  port?: number;
  log?: (line: string) => void;
  /** Writes the person who signs in to the user directory (the stack's `userPool.put`). */
  onSignIn?: (person: LocalPerson) => void;
}

export interface LocalOidc {
  /** Where the provider answers; its discovery document is at `<url>/.well-known/openid-configuration`. */
  url: string;
  issuer: string;
  clientId: string;
  close(): Promise<void>;
}

interface Person {
  sub: string;
  email: string;
  groups: string[];
}

/**
 * The provider's short-lived state (interactions, sessions, codes, grants) in this process's memory:
 * a restart signs everyone out, which is what a local stand-in should do.
 */
class MemoryStore {
  private static readonly items = new Map<string, { payload: AdapterPayload; expiresAt: number }>();
  constructor(private readonly model: string) {}
  private key = (id: string) => `${this.model}:${id}`;
  private live(key: string) {
    const item = MemoryStore.items.get(key);
    if (item && item.expiresAt <= Date.now()) MemoryStore.items.delete(key);
    return item && item.expiresAt > Date.now() ? item.payload : undefined;
  }
  async upsert(id: string, payload: AdapterPayload, expiresIn: number) {
    MemoryStore.items.set(this.key(id), { payload, expiresAt: Date.now() + expiresIn * 1000 });
  }
  async find(id: string) {
    return this.live(this.key(id));
  }
  async findByUid(uid: string) {
    for (const [key, item] of MemoryStore.items) if (key.startsWith(`${this.model}:`) && item.payload.uid === uid) return this.live(key);
    return undefined;
  }
  async findByUserCode(userCode: string) {
    for (const [key, item] of MemoryStore.items)
      if (key.startsWith(`${this.model}:`) && item.payload.userCode === userCode) return this.live(key);
    return undefined;
  }
  async consume(id: string) {
    const payload = this.live(this.key(id));
    if (payload) payload.consumed = Math.floor(Date.now() / 1000);
  }
  async destroy(id: string) {
    MemoryStore.items.delete(this.key(id));
  }
  async revokeByGrantId(grantId: string) {
    for (const [key, item] of MemoryStore.items) if (item.payload.grantId === grantId) MemoryStore.items.delete(key);
  }
}

const FORM_LIMIT_BYTES = 16 * 1024;
const ASCII_EMAIL = /^[\x21-\x7e]+@[\x21-\x7e]+\.[\x21-\x7e]+$/;

function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
      if (body.length > FORM_LIMIT_BYTES) req.destroy(new Error('form too large'));
    });
    req.on('end', () => resolve(new URLSearchParams(body)));
    req.on('error', reject);
  });
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

type FormField = 'sub' | 'email' | 'name' | 'groups';

function signInPage(action: string, values: Partial<Record<FormField, string>>, error?: string): string {
  const field = (name: FormField, label: string, hint: string, attributes = '') => `
      <label for="${name}">${label}</label>
      <input id="${name}" name="${name}" value="${escapeHtml(values[name] ?? '')}" aria-describedby="${name}-hint" ${attributes}>
      <p class="hint" id="${name}-hint">${hint}</p>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in - local OpenID provider</title>
<style>
  body { font-family: system-ui, sans-serif; background: #f2f3f3; margin: 0; color: #16191f; }
  main { max-width: 420px; margin: 64px auto; background: #fff; padding: 24px 32px; border-radius: 8px; box-shadow: 0 1px 4px rgba(0,0,0,.2); }
  h1 { font-size: 1.5rem; margin-top: 0; }
  label { display: block; font-weight: 600; margin-top: 16px; }
  input { width: 100%; box-sizing: border-box; padding: 8px; margin-top: 4px; border: 1px solid #7d8998; border-radius: 4px; font-size: 1rem; }
  .hint { color: #545b64; font-size: .875rem; margin: 4px 0 0; }
  .error { color: #b3261e; border: 1px solid #b3261e; padding: 8px; border-radius: 4px; }
  button { margin-top: 24px; background: #0972d3; color: #fff; border: 0; border-radius: 20px; padding: 8px 20px; font-weight: 700; font-size: 1rem; cursor: pointer; }
</style>
</head>
<body>
<main>
  <h1>Sign in to the approval service</h1>
  <p>Local OpenID provider: type who you are. In the cloud, Cognito's sign-in page takes its place.</p>
  ${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
  <form method="post" action="${escapeHtml(action)}" autocomplete="off">
    ${field('sub', 'Subject (sub)', 'Your user id, such as carol.', 'required')}
    ${field('email', 'Email', 'Your address, such as carol@example.com.', 'type="email" required')}
    ${field('name', 'Name (optional)', 'Your full name, such as Carol Smith; empty keeps the one you have.', 'autocomplete="name"')}
    ${field('groups', 'Groups', 'Comma-separated, such as approvers,admins. Empty for a requester.')}
    <button type="submit" name="signin" value="1">Sign in</button>
  </form>
</main>
</body>
</html>`;
}

/** `formTarget`: where the form's redirects end (the console's callback); CSP's form-action covers them. */
function sendHtml(res: ServerResponse, status: number, html: string, formTarget = '') {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
    'content-security-policy': `default-src 'none'; style-src 'unsafe-inline'; form-action 'self' ${formTarget}; frame-ancestors 'none'`,
    'x-content-type-options': 'nosniff',
  });
  res.end(html);
}

export async function startLocalOidc(options: LocalOidcOptions): Promise<LocalOidc> {
  // oidc-provider is published as ESM only.
  const { default: Provider } = await import('oidc-provider');
  const key = await loadOrCreateKey(options.dataDir);
  const people = new Map<string, Person>();
  const redirectUri = new URL('callback', options.consoleUrl).href;

  const provider = new Provider(LOCAL_ISSUER, {
    adapter: MemoryStore,
    clients: [
      {
        client_id: LOCAL_AUDIENCE,
        token_endpoint_auth_method: 'none',
        application_type: 'web',
        grant_types: ['authorization_code'],
        response_types: ['code'],
        redirect_uris: [redirectUri],
        // The console's Sign out comes back to its signed-out page (RP-initiated logout).
        post_logout_redirect_uris: [new URL('signed-out', options.consoleUrl).href],
        id_token_signed_response_alg: 'ES256',
      },
    ],
    jwks: { keys: [{ ...key.privateJwk, kid: key.kid, alg: 'ES256', use: 'sig' }] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    claims: { openid: ['sub', 'cognito:groups'], email: ['email', 'email_verified'], profile: [] },
    // Cognito's ID tokens carry the user's claims; so do these (not only the userinfo endpoint).
    conformIdTokenClaims: false,
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: { enabled: true, logoutSource: autoLogoutSource(new URL(options.consoleUrl).origin) },
    },
    pkce: { required: () => true },
    ttl: { IdToken: 3600, AccessToken: 3600, Session: 8 * 3600, Grant: 8 * 3600, Interaction: 3600, AuthorizationCode: 60 },
    interactions: { url: (_ctx: KoaContextWithOIDC, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    // The console is the provider's own first-party client: no consent screen.
    async loadExistingGrant(ctx: KoaContextWithOIDC) {
      const oidc = ctx.oidc;
      const clientId = oidc.client?.clientId;
      const accountId = oidc.session?.accountId;
      if (!clientId || !accountId) return undefined;
      const grantId = oidc.result?.consent?.grantId || oidc.session?.grantIdFor(clientId);
      const existing = grantId ? await oidc.provider.Grant.find(grantId) : undefined;
      if (existing) return existing;
      const grant = new oidc.provider.Grant({ clientId, accountId });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
    async findAccount(_ctx: KoaContextWithOIDC, sub: string) {
      const person = people.get(sub);
      if (!person) return undefined;
      return {
        accountId: sub,
        claims: async (): Promise<AccountClaims> => ({ sub, email: person.email, email_verified: true, 'cognito:groups': person.groups }),
      };
    },
  });
  provider.on('server_error', (_ctx: unknown, error: Error) => options.log?.(`oidc: ${error.message}`));
  const callback = provider.callback();

  const consoleOrigin = new URL(options.consoleUrl).origin;
  const page = (res: ServerResponse, status: number, html: string) => sendHtml(res, status, html, consoleOrigin);
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const match = /^\/interaction\/([\w-]+)$/.exec(url.pathname);
    if (!match) return callback(req, res);
    try {
      const details = await provider.interactionDetails(req, res);
      if (req.method === 'GET') return page(res, 200, signInPage(url.pathname, {}));
      if (req.method !== 'POST') return sendHtml(res, 405, 'method not allowed');
      const form = await readForm(req);
      const values = {
        sub: form.get('sub')?.trim() ?? '',
        email: form.get('email')?.trim().toLowerCase() ?? '',
        name: form.get('name')?.trim() ?? '',
        groups: form.get('groups') ?? '',
      };
      const groups = values.groups
        .split(',')
        .map((group) => group.trim())
        .filter(Boolean);
      if (!values.sub) return page(res, 400, signInPage(url.pathname, values, 'Subject (sub) is required.'));
      if (!ASCII_EMAIL.test(values.email))
        return page(res, 400, signInPage(url.pathname, values, 'Email must be an email address in plain ASCII.'));
      try {
        options.onSignIn?.({
          sub: values.sub,
          email: values.email,
          ...(values.name ? { name: values.name } : {}),
          emailVerified: true,
          groups,
          enabled: true,
        });
      } catch (error) {
        options.log?.(`oidc: the user directory refused ${values.sub}: ${(error as Error).message}`);
        return page(res, 500, signInPage(url.pathname, values, 'The local user directory could not be written; see the terminal.'));
      }
      people.set(values.sub, { sub: values.sub, email: values.email, groups });
      options.log?.(`oidc: ${values.sub} signed in (${details.params.client_id})`);
      await provider.interactionFinished(req, res, { login: { accountId: values.sub } }, { mergeWithLastSubmission: false });
    } catch (error) {
      // An expired or unknown interaction: start again from the console.
      sendHtml(
        res,
        400,
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign-in expired</title></head><body><main><h1>This sign-in has expired</h1><p>${escapeHtml((error as Error).message)}</p><p><a href="${escapeHtml(options.consoleUrl)}">Back to the console</a></p></main></body></html>`,
      );
    }
  });
  requireOwnHost(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    issuer: LOCAL_ISSUER,
    clientId: LOCAL_AUDIENCE,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
