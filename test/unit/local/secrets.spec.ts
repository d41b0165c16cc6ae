import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type SecretsServer, startSecretsServer } from '../../../local/secrets';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
let server: SecretsServer;
let client: SecretsManagerClient;

beforeAll(async () => {
  server = await startSecretsServer({
    port: 0,
    host: '127.0.0.1',
    secrets: {
      'approvals/signing-key': 'k3y',
      'arn:aws:secretsmanager:us-east-1:000000000000:secret:approvals/callback-AbCdEf': '{"secret":"s"}',
    },
  });
  client = new SecretsManagerClient({ endpoint: server.url, region: 'us-east-1', credentials });
});

afterAll(async () => {
  client.destroy();
  await server.close();
});

describe('local Secrets Manager', () => {
  it('returns a secret by name, ARN and partial ARN', async () => {
    const byName = await client.send(new GetSecretValueCommand({ SecretId: 'approvals/signing-key' }));
    expect(byName.SecretString).toBe('k3y');
    expect(byName.Name).toBe('approvals/signing-key');
    expect(byName.ARN).toMatch(/^arn:aws:secretsmanager:us-east-1:000000000000:secret:approvals\/signing-key-[A-Za-z0-9]{6}$/);
    expect(byName.VersionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(byName.VersionStages).toEqual(['AWSCURRENT']);

    const byArn = await client.send(new GetSecretValueCommand({ SecretId: byName.ARN }));
    expect(byArn.SecretString).toBe('k3y');
    expect(byArn.VersionId).toBe(byName.VersionId);
    const byPartialArn = await client.send(new GetSecretValueCommand({ SecretId: byName.ARN?.slice(0, -7) }));
    expect(byPartialArn.SecretString).toBe('k3y');

    const givenByArn = await client.send(new GetSecretValueCommand({ SecretId: 'approvals/callback' }));
    expect(givenByArn).toMatchObject({
      SecretString: '{"secret":"s"}',
      Name: 'approvals/callback',
      ARN: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:approvals/callback-AbCdEf',
    });
    const current = await client.send(new GetSecretValueCommand({ SecretId: 'approvals/callback', VersionStage: 'AWSCURRENT' }));
    expect(current.SecretString).toBe('{"secret":"s"}');
  });

  it('answers ResourceNotFoundException for an unknown secret or version', async () => {
    await expect(client.send(new GetSecretValueCommand({ SecretId: 'nope' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      $metadata: { httpStatusCode: 400 },
    });
    await expect(
      client.send(new GetSecretValueCommand({ SecretId: 'approvals/signing-key', VersionStage: 'AWSPREVIOUS' })),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });

  it('is reachable through AWS_ENDPOINT_URL_SECRETS_MANAGER', async () => {
    const previous = process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER;
    process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = server.url;
    const viaEnv = new SecretsManagerClient({ region: 'us-east-1', credentials });
    try {
      expect((await viaEnv.send(new GetSecretValueCommand({ SecretId: 'approvals/signing-key' }))).SecretString).toBe('k3y');
    } finally {
      viaEnv.destroy();
      if (previous === undefined) delete process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER;
      else process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = previous;
    }
  });

  it('answers unknown operations with an AWS-shaped error', async () => {
    const response = await fetch(`${server.url}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'secretsmanager.DeleteSecret' },
      body: '{"SecretId":"approvals/signing-key"}',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ __type: 'UnknownOperationException' });
  });
});
