import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { clearSigningKeysCache, SIGNING_KEYS_TTL_MS, secretsClient, signingKeys } from '../../../functions/adapters/secrets-manager';
import { KEYS } from '../../helpers/links/fixtures';

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

  it('reads the secret once and serves the keys from memory within the TTL', async () => {
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

  it('reads the secret again once the keys are older than the TTL, so a revoked key stops working', async () => {
    const revoked = { currentKeyId: 'k2', keys: { k2: KEYS.keys[KEYS.currentKeyId] } };
    send.mockResolvedValueOnce({ SecretString: JSON.stringify(KEYS) });
    send.mockResolvedValueOnce({ SecretString: JSON.stringify(revoked) });
    const start = Date.parse('2026-11-20T10:00:00.000Z');
    const now = jest.spyOn(Date, 'now').mockReturnValue(start);
    try {
      await expect(signingKeys('link-keys')).resolves.toEqual(KEYS);
      now.mockReturnValue(start + SIGNING_KEYS_TTL_MS - 1);
      await expect(signingKeys('link-keys')).resolves.toEqual(KEYS);
      expect(send).toHaveBeenCalledTimes(1);
      now.mockReturnValue(start + SIGNING_KEYS_TTL_MS);
      await expect(signingKeys('link-keys')).resolves.toEqual(revoked);
      expect(send).toHaveBeenCalledTimes(2);
    } finally {
      now.mockRestore();
    }
  });

  it('keeps the TTL short: minutes, not the life of the process', () => {
    expect(SIGNING_KEYS_TTL_MS).toBeGreaterThanOrEqual(60_000);
    expect(SIGNING_KEYS_TTL_MS).toBeLessThanOrEqual(5 * 60_000);
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
    expect(error?.message).toMatch(
      /configuration error: secret link-keys is not a set of signing keys: keys\.k1 must decode to at least 32 bytes/,
    );
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
