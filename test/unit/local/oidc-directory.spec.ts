/**
 * The local OpenID sign-in writes who signs in to the user directory, as the token command does.
 * oidc-provider is ESM only, which Jest's CommonJS registry cannot load: the provider runs in a
 * child process (as in `npm start`) with the user pool's file in a temporary DATA_DIR.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../../../local/net';
import { putLocalUser, userPoolFile } from '../../../local/user-pool';
import { filePoolStore } from '../../../local/user-pool-store';

const CONSOLE = 'http://127.0.0.1:9/console/';
const dataDir = mkdtempSync(join(tmpdir(), 'approvals-oidc-'));
let child: ChildProcess | undefined;
let url = '';

beforeAll(async () => {
  const script = `
    const { startLocalOidc } = require('./local/oidc');
    const { putLocalUser, userPoolFile } = require('./local/user-pool');
    const { filePoolStore } = require('./local/user-pool-store');
    const store = filePoolStore(userPoolFile(process.argv[1]));
    startLocalOidc({ dataDir: process.argv[1], consoleUrl: '${CONSOLE}', onSignIn: (person) => putLocalUser(store, person) })
      .then((oidc) => console.log('URL ' + oidc.url));
  `;
  child = spawn('sh', ['scripts/node.sh', '--import', 'tsx', '-e', script, dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  url = await waitFor(async () => /URL (\S+)/.exec(output)?.[1], { timeoutMs: 30_000, what: 'the local OpenID provider' });
}, 40_000);
afterAll(() => {
  child?.kill();
  rmSync(dataDir, { recursive: true, force: true });
});

const users = () => filePoolStore(userPoolFile(dataDir)).read((state) => state.users);

/** Starts a sign-in as the console does (code flow with PKCE) and posts the form. */
async function signIn(fields: Record<string, string>) {
  const verifier = randomBytes(32).toString('base64url');
  const query = new URLSearchParams({
    client_id: 'approvals-api',
    redirect_uri: `${CONSOLE}callback`,
    response_type: 'code',
    scope: 'openid email',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    state: 'state',
    nonce: 'nonce',
  });
  const start = await fetch(`${url}/auth?${query}`, { redirect: 'manual' });
  const location = start.headers.get('location') ?? '';
  expect(location).toMatch(/^\/interaction\/[\w-]+$/);
  const cookie = start.headers
    .getSetCookie()
    .map((line) => line.split(';')[0])
    .join('; ');
  return fetch(new URL(location, url), {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields),
  });
}

test('who signs in is created in the directory: that email, verified, exactly those groups, enabled', async () => {
  const answer = await signIn({ sub: 'carol', email: 'Carol@Example.com', groups: 'approvers, admins' });
  expect(answer.status).toBe(303);
  expect(users().carol).toMatchObject({
    username: 'carol',
    attributes: { sub: 'carol', email: 'carol@example.com', email_verified: 'true' },
    enabled: true,
    groups: ['approvers', 'admins'],
  });
});

test('signing in again updates the user: other groups, and enabled again after a removal', async () => {
  putLocalUser(filePoolStore(userPoolFile(dataDir)), { sub: 'dave', email: 'dave@example.com', groups: ['approvers'], enabled: false });
  expect((await signIn({ sub: 'dave', email: 'dave@example.com', groups: '' })).status).toBe(303);
  expect(users().dave).toMatchObject({ enabled: true, groups: [] });
});

test('the optional name is the directory name attribute; a blank one keeps the name the user has', async () => {
  expect((await signIn({ sub: 'erin', email: 'erin@example.com', name: '  Erin Example ', groups: '' })).status).toBe(303);
  expect(users().erin?.attributes.name).toBe('Erin Example');
  expect((await signIn({ sub: 'erin', email: 'erin@example.com', name: '', groups: 'approvers' })).status).toBe(303);
  expect(users().erin).toMatchObject({ attributes: { name: 'Erin Example' }, groups: ['approvers'] });
});

test('a refused form writes nothing', async () => {
  expect((await signIn({ sub: 'mallory', email: 'not an address', groups: 'admins' })).status).toBe(400);
  expect(users().mallory).toBeUndefined();
});
