import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { clearSigningKeysCache, secretsClient, signingKeys } from '../../../functions/adapters/secrets-manager';
import { KEYS } from './fixtures';

type Send = (command: GetSecretValueCommand) => Promise<{ SecretString?: string }>;

describe('signingKeys', () => {
  let send: jest.SpyInstance<ReturnType<Send>, Parameters<Send>>;

  beforeEach(() => {
    clearSigningKeysCache();
    send = jest.spyOn(SecretsManagerClient.prototype, 'send') as unknown as typeof send;
  });

  afterEach(() => {
    send.mockRestore();
  });

  it('reads the secret once per process and serves the keys from memory after', async () => {
    send.mockResolvedValue({ SecretString: JSON.stringify(KEYS) });
    const [first, second] = await Promise.all([signingKeys('link-keys'), signingKeys('link-keys')]);
    const third = await signingKeys('link-keys');
    expect(first).toEqual(KEYS);
    expect(second).toEqual(KEYS);
    expect(third).toEqual(KEYS);
    expect(send).toHaveBeenCalledTimes(1);
    const command = send.mock.calls[0]?.[0];
    expect(command).toBeInstanceOf(GetSecretValueCommand);
    expect(command?.input).toEqual({ SecretId: 'link-keys' });
  });

  it('tries again after a failed read instead of keeping the failure', async () => {
    send.mockRejectedValueOnce(Object.assign(new Error('throttled'), { name: 'ThrottlingException' }));
    send.mockResolvedValueOnce({ SecretString: JSON.stringify(KEYS) });
    await expect(signingKeys('link-keys')).rejects.toThrow('throttled');
    await expect(signingKeys('link-keys')).resolves.toEqual(KEYS);
    expect(send).toHaveBeenCalledTimes(2);
  });

  it('refuses a secret that is not a set of signing keys, without echoing its content', async () => {
    const weak = { currentKeyId: 'k1', keys: { k1: Buffer.from('short-secret-value').toString('base64') } };
    send.mockResolvedValue({ SecretString: JSON.stringify(weak) });
    const error = await signingKeys('link-keys').then(
      () => undefined,
      (caught: Error) => caught,
    );
    expect(error?.message).toMatch(/configuration error: secret link-keys is not a set of signing keys: keys\.k1 must decode to at least 32 bytes/);
    expect(error?.message).not.toContain(weak.keys.k1);
  });

  it('refuses a secret that is not JSON', async () => {
    send.mockResolvedValue({ SecretString: 'not json' });
    await expect(signingKeys('link-keys')).rejects.toThrow('configuration error: secret link-keys is not JSON');
  });

  it('refuses a binary secret', async () => {
    send.mockResolvedValue({});
    await expect(signingKeys('link-keys')).rejects.toThrow('has no string value');
  });

  it('creates the Secrets Manager client once per process', () => {
    expect(secretsClient()).toBe(secretsClient());
  });
});
