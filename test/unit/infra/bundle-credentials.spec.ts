/**
 * A function's bundle, built with the deployed options (infra/bundling.ts), signs its AWS calls with
 * the credentials of the environment (what Lambda sets for the function's role), and carries none of
 * the SDK's default credential chain. The bundle is getProfile's of the one esbuild run the infra
 * topics share (test/helpers/infra.ts, without a source map: stack traces here would be minified).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defined, functionBundles } from '../../helpers/infra';

/** Modules of the default chain (and the STS, SSO and sign-in clients it brings). */
const CHAIN =
  /node_modules\/@aws-sdk\/(credential-provider-(node|ini|sso|process|web-identity|http|login)|nested-clients|token-providers)\/|credential-provider-imds/;

let dir: string;
let bundle: string;
/** The modules the bundle holds. */
let inputs: string[];
let server: Server;
let endpoint: string;
const seen: IncomingHttpHeaders[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'approvals-credentials-'));
  bundle = join(dir, 'getProfile.js');
  const getProfile = defined((await functionBundles()).get('getProfile'), 'the getProfile bundle');
  writeFileSync(bundle, getProfile.code.contents);
  inputs = getProfile.inputs;
  // A DynamoDB endpoint that keeps each call's headers and finds no item.
  server = createServer((request, response) => {
    seen.push(request.headers);
    request.resume().on('end', () => response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end('{}'));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  await new Promise((done) => server.close(done));
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the bundle's handler on GET /profiles/{id} in a fresh `node` with `env` only; its answer or its error output. */
function invoke(env: Record<string, string>): Promise<{ answer?: { statusCode: number }; stderr: string }> {
  const event = {
    rawPath: '/profiles/p10',
    headers: {},
    pathParameters: { id: 'p10' },
    requestContext: { http: { method: 'GET', path: '/profiles/p10' }, authorizer: { jwt: { claims: { sub: 'someone' } } } },
  };
  const script = `require(${JSON.stringify(bundle)}).handler(${JSON.stringify(event)}, {}).then((answer) => process.stdout.write(JSON.stringify(answer)))`;
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--enable-source-maps', '-e', script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', fail);
    child.on('close', () => done({ answer: stdout ? JSON.parse(stdout) : undefined, stderr }));
  });
}

const FUNCTION_ENV = {
  PATH: process.env.PATH ?? '',
  HOME: tmpdir(),
  AWS_REGION: 'eu-west-1',
  TABLE_NAME: 'approvals',
  USER_POOL_ID: 'eu-west-1_test',
  POWERTOOLS_LOG_LEVEL: 'ERROR',
};

test('the bundle carries none of the default credential chain', () => {
  expect(inputs.some((path) => path.includes('@aws-sdk/credential-provider-env/'))).toBe(true);
  expect(inputs.filter((path) => CHAIN.test(path))).toEqual([]);
});

test('the bundled handler signs its calls with the environment credentials, session token included', async () => {
  seen.length = 0;
  const { answer, stderr } = await invoke({
    ...FUNCTION_ENV,
    AWS_ENDPOINT_URL_DYNAMODB: endpoint,
    AWS_ACCESS_KEY_ID: 'AKIDFROMTHEENV',
    AWS_SECRET_ACCESS_KEY: 'secret',
    AWS_SESSION_TOKEN: 'session-of-the-role',
  });
  expect({ answer, stderr }).toMatchObject({ answer: { statusCode: 404 } });
  expect(seen).toHaveLength(1);
  expect(seen[0]?.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDFROMTHEENV\/\d{8}\/eu-west-1\/dynamodb\/aws4_request, /);
  expect(seen[0]?.['x-amz-security-token']).toBe('session-of-the-role');
}, 30_000);

test('without credentials in the environment the call fails and nothing is sent', async () => {
  seen.length = 0;
  const { answer } = await invoke({ ...FUNCTION_ENV, AWS_ENDPOINT_URL_DYNAMODB: endpoint });
  expect(answer?.statusCode).toBe(500);
  expect(seen).toHaveLength(0);
}, 30_000);
