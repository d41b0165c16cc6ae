/**
 * The local stack as a newcomer first meets it: `$DATA_DIR/endpoints.env` takes the AWS CLI or an SDK
 * to every emulator, a token of another DATA_DIR is refused with a 401 that says so, and the token
 * command warns when no stack runs with its DATA_DIR.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetPublicKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetAccountCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { DescribeStateMachineCommand, ListStateMachinesCommand, SFNClient } from '@aws-sdk/client-sfn';
import { localIssuer } from '../../local/identity';
import { LINK_SECRET } from '../../local/signing-secrets';
import { type Api, startApi, users } from '../helpers/stack';

let api: Api;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api?.stop();
});

/** What a shell would have after `. endpoints.env`: the exported variables. */
function sourced(file: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const match = /^export ([A-Z0-9_]+)='([^']*)'$/.exec(line);
    if (match?.[1]) vars[match[1]] = match[2] ?? '';
  }
  return vars;
}

test('endpoints.env exports every emulator of the stack, and the SDK reaches each through it', async () => {
  const vars = sourced(join(api.dataDir, 'endpoints.env'));
  expect(Object.keys(vars)).toEqual(
    expect.arrayContaining([
      'AWS_ENDPOINT_URL_DYNAMODB',
      'AWS_ENDPOINT_URL_SFN',
      'AWS_ENDPOINT_URL_SESV2',
      'AWS_ENDPOINT_URL_SECRETS_MANAGER',
      'AWS_REGION',
      'AWS_DEFAULT_REGION',
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
      'TABLE_NAME',
      'STATE_MACHINE_ARN',
    ]),
  );
  // The one list: every endpoint with a variable is in the file, with its URL.
  for (const endpoint of api.stack.endpoints.filter((e) => e.env)) expect(vars[endpoint.env ?? '']).toBe(endpoint.url);
  expect(vars.STATE_MACHINE_ARN).toBe(api.stack.stateMachineArn);

  const config = {
    region: vars.AWS_REGION,
    credentials: { accessKeyId: vars.AWS_ACCESS_KEY_ID ?? '', secretAccessKey: vars.AWS_SECRET_ACCESS_KEY ?? '' },
  };
  const dynamo = new DynamoDBClient({ ...config, endpoint: vars.AWS_ENDPOINT_URL_DYNAMODB });
  const sfn = new SFNClient({ ...config, endpoint: vars.AWS_ENDPOINT_URL_SFN });
  const ses = new SESv2Client({ ...config, endpoint: vars.AWS_ENDPOINT_URL_SESV2 });
  const secrets = new SecretsManagerClient({ ...config, endpoint: vars.AWS_ENDPOINT_URL_SECRETS_MANAGER });
  try {
    expect((await dynamo.send(new DescribeTableCommand({ TableName: vars.TABLE_NAME }))).Table?.TableStatus).toBe('ACTIVE');
    expect((await sfn.send(new ListStateMachinesCommand({}))).stateMachines?.map((m) => m.stateMachineArn)).toEqual([
      vars.STATE_MACHINE_ARN,
    ]);
    const described = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: vars.STATE_MACHINE_ARN }));
    expect(JSON.parse(described.definition ?? '{}').StartAt).toEqual(expect.any(String));
    expect((await ses.send(new GetAccountCommand({}))).SendingEnabled).toBe(true);
    expect((await secrets.send(new GetSecretValueCommand({ SecretId: LINK_SECRET }))).SecretString).toEqual(expect.any(String));
  } finally {
    for (const client of [dynamo, sfn, ses, secrets]) client.destroy();
  }
});

test("a token signed by another DATA_DIR's key gets a 401 that names the key mismatch and the stack's DATA_DIR, and no secret", async () => {
  const otherDir = mkdtempSync(join(tmpdir(), 'approvals-other-issuer-'));
  try {
    const token = await (await localIssuer(otherDir)).sign(users.admin);
    const response = await fetch(`${api.stack.apiUrl}/profiles`, { headers: { authorization: `Bearer ${token}` } });
    const text = await response.text();
    expect(response.status).toBe(401);
    const { message } = (JSON.parse(text) as { error: { message: string } }).error;
    expect(message).toContain('issuer key');
    expect(message).toContain(`DATA_DIR=${api.dataDir}`);
    expect(message).toContain(api.issuer.kid);
    expect(text).not.toContain(token);
    expect(text).not.toContain(token.split('.')[2]);
    const ownKey = readFileSync(join(api.dataDir, 'issuer', 'signing-key.json'), 'utf8');
    expect(text).not.toContain((JSON.parse(ownKey) as { privateJwk: { d: string } }).privateJwk.d);
  } finally {
    rmSync(otherDir, { recursive: true, force: true });
  }
  // The stack's own tokens still pass; a token that is no JWT at all is told apart.
  expect((await api.call('GET', '/profiles', { as: users.admin })).status).toBe(200);
  const garbage = await fetch(`${api.stack.apiUrl}/profiles`, { headers: { authorization: 'Bearer nonsense' } });
  expect([garbage.status, ((await garbage.json()) as { error: { message: string } }).error.message]).toEqual([
    401,
    expect.stringContaining('not a JWT'),
  ]);
});

function tokenCommand(dataDir: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      'sh',
      ['scripts/node.sh', '--import', 'tsx', 'local/token-cli.ts', '--sub', 'alice', '--email', 'alice@example.com'],
      {
        env: { ...process.env, DATA_DIR: dataDir },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

test('the token command warns on stderr when no stack runs with its DATA_DIR, and not when one does', async () => {
  const noStack = mkdtempSync(join(tmpdir(), 'approvals-no-stack-'));
  const [running, none] = await Promise.all([tokenCommand(api.dataDir), tokenCommand(noStack)]).finally(() =>
    rmSync(noStack, { recursive: true, force: true }),
  );
  expect([running.code, running.stderr]).toEqual([0, '']);
  expect(running.stdout).toMatch(/^ey[\w-]+\.[\w-]+\.[\w-]+\n$/);
  expect(none.code).toBe(0);
  expect(none.stdout).toMatch(/^ey[\w-]+\.[\w-]+\.[\w-]+\n$/);
  expect(none.stderr).toMatch(/warning: no local stack is running with DATA_DIR=.*approvals-no-stack-.*endpoints\.env/);
}, 60_000);

test('endpoints.env names the event bus and the receipt key, and the SDK reaches both through it', async () => {
  const vars = sourced(join(api.dataDir, 'endpoints.env'));
  const config = {
    region: vars.AWS_REGION,
    credentials: { accessKeyId: vars.AWS_ACCESS_KEY_ID ?? '', secretAccessKey: vars.AWS_SECRET_ACCESS_KEY ?? '' },
  };
  const events = new EventBridgeClient({ ...config, endpoint: vars.AWS_ENDPOINT_URL_EVENTBRIDGE });
  const kms = new KMSClient({ ...config, endpoint: vars.AWS_ENDPOINT_URL_KMS });
  try {
    const put = await events.send(
      new PutEventsCommand({
        Entries: [{ EventBusName: vars.EVENT_BUS_NAME, Source: 'endpoints-test', DetailType: 'Probe', Detail: '{}' }],
      }),
    );
    expect(put.FailedEntryCount).toBe(0);
    const key = await kms.send(new GetPublicKeyCommand({ KeyId: vars.RECEIPT_KEY_ARN }));
    expect(key.KeySpec).toBe('ECC_NIST_P256');
  } finally {
    events.destroy();
    kms.destroy();
  }
});

test('endpoints.env is removed when the stack stops, so none is left to mislead', async () => {
  const other = await startApi();
  const file = join(other.dataDir, 'endpoints.env');
  expect(existsSync(file)).toBe(true);
  await other.stack.stop();
  expect(existsSync(file)).toBe(false);
  rmSync(other.dataDir, { recursive: true, force: true });
});
