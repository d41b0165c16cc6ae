/**
 * Where the local stack must behave as the cloud does, or close a hole the cloud does not have:
 * a calling system's token is accepted on the routes of CALLING_SYSTEM_OPERATIONS only (401
 * elsewhere, as the cloud's authorizers answer); every local port answers only its own
 * `Host: 127.0.0.1:<port>` (no DNS rebinding); the mailbox takes no change from another site's page.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { apiOperations, CALLING_SYSTEM_OPERATIONS } from '../../functions/registry';
import { ON_BEHALF_SCOPE } from '../../functions/domain/bodies';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/net';
import { type Api, startApi, users } from '../helpers/stack';

let api: Api;
let oidc: { url: string; child: ChildProcess };

/** The local OpenID provider (ESM only, which Jest's module loader cannot import) in a process of its own. */
function startOidcProcess(dataDir: string, consoleUrl: string): Promise<{ url: string; child: ChildProcess }> {
  const script = `require('./local/oidc.ts').startLocalOidc(${JSON.stringify({ dataDir, consoleUrl })}).then((oidc) => console.log(oidc.url))`;
  const child = spawn('sh', ['scripts/node.sh', '--import', 'tsx', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stderr?.on('data', (chunk) => (output += chunk));
    child.stdout?.on('data', (chunk) => {
      output += chunk;
      const url = /http:\/\/127\.0\.0\.1:\d+/.exec(output)?.[0];
      if (url) resolve({ url, child });
    });
    child.once('exit', (code) => reject(new Error(`the OpenID provider exited (${code}):\n${output}`)));
  });
}

beforeAll(async () => {
  api = await startApi();
  oidc = await startOidcProcess(api.dataDir, `${api.stack.apiUrl}/console/`);
}, 120_000);

afterAll(async () => {
  if (oidc && oidc.child.exitCode === null) {
    const exited = new Promise((resolve) => oidc.child.once('exit', resolve));
    oidc.child.kill('SIGTERM');
    await exited;
  }
  await api?.stop();
});

/** One HTTP request with exactly the headers given (fetch would not let a test set Host). */
function send(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; body: string }> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path: `${target.pathname}${target.search}`,
        method: options.method ?? 'GET',
        headers: options.headers,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

const samplePath = (path: string) => path.replace('{id}', '9b2f3c1e-1111-4222-8333-444455556666').replace('{action}', 'approve');

describe("a calling system's token", () => {
  const refused = apiOperations()
    .filter((operation) => operation.auth === 'jwt' && !CALLING_SYSTEM_OPERATIONS.includes(operation.name))
    .flatMap((operation) => operation.methods.map((method) => [method, operation.path] as const));

  test('the routes it is refused on are every JWT route but POST /requests', () => {
    expect(refused.length).toBeGreaterThan(5);
    expect(refused).not.toContainEqual(['POST', '/requests']);
  });

  test.each(refused)('is refused with 401 on %s %s, where a person is let through', async (method, path) => {
    const system = await api.issuer.sign({ sub: 'billing-system', scopes: [ON_BEHALF_SCOPE] });
    const body = ['POST', 'PUT'].includes(method) ? {} : undefined;
    const asSystem = await api.call(method, samplePath(path), { body, headers: { authorization: `Bearer ${system}` } });
    expect(asSystem.status).toBe(401);
    expect(asSystem.body.error.code).toBe('unauthorized');
    const asPerson = await api.call(method, samplePath(path), { body, as: users.admin });
    expect(asPerson.status).not.toBe(401);
  });

  test('passes the gateway on POST /requests (the create function then judges the body)', async () => {
    const system = await api.issuer.sign({ sub: 'billing-system', scopes: [ON_BEHALF_SCOPE] });
    const created = await api.call('POST', '/requests', { body: { kind: 'card.request' }, headers: { authorization: `Bearer ${system}` } });
    expect(created.status).toBe(400);
  });
});

describe('every local port checks Host', () => {
  const ports = (): Array<[string, string]> => {
    const fromEnvironment = Object.entries(process.env)
      .filter(([name, value]) => name.startsWith('AWS_ENDPOINT_URL_') && value?.startsWith('http://127.0.0.1:'))
      .map(([name, value]) => [name, value as string] as [string, string]);
    return [
      ['gateway (API and console)', api.stack.apiUrl],
      ['mailbox', api.stack.mailUrl],
      ['workflow engine', api.stack.sfnUrl],
      ['DynamoDB Local', api.stack.dynamoEndpoint],
      ['OpenID provider', oidc.url],
      ...fromEnvironment,
    ];
  };

  test('the ports checked include the secrets endpoint and every endpoint the functions are given', () => {
    const names = ports().map(([name]) => name);
    expect(names).toEqual(
      expect.arrayContaining([
        'AWS_ENDPOINT_URL_SECRETS_MANAGER',
        'AWS_ENDPOINT_URL_SESV2',
        'AWS_ENDPOINT_URL_SFN',
        'AWS_ENDPOINT_URL_DYNAMODB',
      ]),
    );
  });

  test('a request for another Host (DNS rebinding) gets 421 from each, its own Host an answer', async () => {
    for (const [name, url] of ports()) {
      const path =
        name === 'gateway (API and console)' ? '/health' : name === 'OpenID provider' ? '/.well-known/openid-configuration' : '/';
      const foreign = await send(`${url}${path}`, { headers: { host: 'evil.example' } });
      expect({ name, status: foreign.status }).toEqual({ name, status: 421 });
      expect(foreign.body).not.toContain('evil.example');
      const withPort = await send(`${url}${path}`, { headers: { host: `evil.example:${new URL(url).port}` } });
      expect({ name, status: withPort.status }).toEqual({ name, status: 421 });
      const own = await send(`${url}${path}`, { headers: { host: new URL(url).host } });
      expect({ name, refused: own.status === 421 }).toEqual({ name, refused: false });
    }
  });

  test('the API answers its own Host as before, and a token does not get past a foreign Host', async () => {
    const token = await api.token(users.admin);
    const url = `${api.stack.apiUrl}/profiles`;
    expect((await send(url, { headers: { host: new URL(url).host, authorization: `Bearer ${token}` } })).status).toBe(200);
    expect((await send(url, { headers: { host: 'localhost.evil.example', authorization: `Bearer ${token}` } })).status).toBe(421);
  });
});

describe("the mailbox's fault switch and store", () => {
  const faults = async () =>
    JSON.parse((await send(`${api.stack.mailUrl}/faults`, { headers: { host: new URL(api.stack.mailUrl).host } })).body);
  const emails = async () =>
    (
      JSON.parse((await send(`${api.stack.mailUrl}/store`, { headers: { host: new URL(api.stack.mailUrl).host } })).body) as {
        emails: unknown[];
      }
    ).emails.length;
  const host = () => new URL(api.stack.mailUrl).host;
  const ses = () => new SESv2Client({ endpoint: api.stack.mailUrl, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });

  test.each([
    ['a form post from another site (Origin)', { origin: 'https://evil.example', 'content-type': 'text/plain' }],
    ['a fetch whose Sec-Fetch-Site says cross-site', { 'sec-fetch-site': 'cross-site', 'content-type': 'text/plain' }],
    ['a page of the same site on another port', { origin: 'http://127.0.0.1:1', 'sec-fetch-site': 'same-site' }],
    ['a sandboxed page (Origin: null)', { origin: 'null', 'content-type': 'application/x-www-form-urlencoded' }],
  ])('%s changes nothing: 403 on /faults and /clear-store', async (_name, headers) => {
    await ses().send(
      new SendEmailCommand({
        FromEmailAddress: 'approvals@example.com',
        Destination: { ToAddresses: ['carol@example.com'] },
        Content: { Simple: { Subject: { Data: 'kept' }, Body: { Text: { Data: 'kept' } } } },
      }),
    );
    const before = await emails();
    expect(before).toBeGreaterThan(0);
    const armed = await send(`${api.stack.mailUrl}/faults`, {
      method: 'POST',
      headers: { host: host(), ...headers },
      body: JSON.stringify({ failNext: 5, error: 'fail' }),
    });
    expect(armed.status).toBe(403);
    expect(await faults()).toEqual({ failNext: 0, error: 'fail' });
    const cleared = await send(`${api.stack.mailUrl}/clear-store`, { method: 'POST', headers: { host: host(), ...headers } });
    expect(cleared.status).toBe(403);
    expect(await emails()).toBe(before);
    const reset = await send(`${api.stack.mailUrl}/faults`, { method: 'DELETE', headers: { host: host(), ...headers } });
    expect(reset.status).toBe(403);
  });

  test('curl (no Origin) and the mailbox page itself (its own Origin) still set and clear the switch', async () => {
    const viaCurl = await send(`${api.stack.mailUrl}/faults`, {
      method: 'POST',
      headers: { host: host(), 'content-type': 'application/x-www-form-urlencoded' },
      body: '{"failNext": 2, "error": "throttle"}',
    });
    expect(viaCurl.status).toBe(200);
    expect(await faults()).toEqual({ failNext: 2, error: 'throttle' });
    const fromPage = await send(`${api.stack.mailUrl}/faults`, {
      method: 'DELETE',
      headers: { host: host(), origin: api.stack.mailUrl, 'sec-fetch-site': 'same-origin' },
    });
    expect(fromPage.status).toBe(200);
    expect(await faults()).toEqual({ failNext: 0, error: 'fail' });
  });
});
