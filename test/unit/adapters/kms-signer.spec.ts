/**
 * The KMS adapter against the local KMS endpoint (local/kms.ts), over the SDK's real client: the
 * receipts it signs verify with jose against the JWKS built from GetPublicKey, as a CA verifies them.
 */
import { createHash, generateKeyPairSync, sign, verify } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetPublicKeyCommand, KMSClient, SignCommand } from '@aws-sdk/client-kms';
import fc from 'fast-check';
import { compactVerify, createLocalJWKSet } from 'jose';
import { derToJose, keyIdOf, kmsReceiptKeys, kmsSigner } from '../../../functions/adapters/kms-signer';
import { signCompactJws } from '../../../functions/usecases/receipts';
import { type KmsServer, localKeyArn, localKmsKeys, startKmsServer } from '../../../local/kms';

let dir: string;
let server: KmsServer;
let client: KMSClient;
let arn: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kms-'));
  const keys = localKmsKeys(dir);
  server = await startKmsServer({ port: 0, keys });
  client = new KMSClient({ endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  arn = localKeyArn(keys[0]?.keyId ?? '');
});
afterAll(async () => {
  client.destroy();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

it('signs a compact JWS that jose verifies against the JWKS of the same key (kid = the key id)', async () => {
  const signer = kmsSigner(client, arn);
  const jws = await signCompactJws(signer, { sub: 'r-1', exp: 2_000_000_000 });
  const { keys } = { keys: await kmsReceiptKeys(client, [arn]).publicKeys() };
  expect(keys).toEqual([expect.objectContaining({ kty: 'EC', crv: 'P-256', kid: keyIdOf(arn), alg: 'ES256', use: 'sig' })]);
  const { payload, protectedHeader } = await compactVerify(jws, createLocalJWKSet({ keys }));
  expect(protectedHeader).toEqual({ alg: 'ES256', kid: keyIdOf(arn), typ: 'JWT' });
  expect(JSON.parse(new TextDecoder().decode(payload))).toEqual({ sub: 'r-1', exp: 2_000_000_000 });
});

it('a receipt of one key does not verify against another key of the same id', async () => {
  const other = mkdtempSync(join(tmpdir(), 'kms-'));
  const otherServer = await startKmsServer({ port: 0, keys: localKmsKeys(other).map((key) => ({ ...key, keyId: keyIdOf(arn) })) });
  const otherClient = new KMSClient({
    endpoint: otherServer.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
  });
  try {
    const jws = await signCompactJws(kmsSigner(otherClient, arn), { sub: 'r-1' });
    const keys = await kmsReceiptKeys(client, [arn]).publicKeys();
    await expect(compactVerify(jws, createLocalJWKSet({ keys }))).rejects.toThrow(/signature verification failed/);
  } finally {
    otherClient.destroy();
    await otherServer.close();
    rmSync(other, { recursive: true, force: true });
  }
});

it('keeps the keys of DATA_DIR: a second start signs with the same key', () => {
  expect(localKmsKeys(dir)).toEqual(localKmsKeys(dir));
  expect(localKmsKeys(dir)).toHaveLength(1);
});

it('answers as KMS does: RAW above 4,096 bytes and a DIGEST that is not 32 bytes are ValidationExceptions, an unknown key NotFound', async () => {
  const send = (input: Partial<ConstructorParameters<typeof SignCommand>[0]>) =>
    client.send(new SignCommand({ KeyId: arn, Message: new Uint8Array(1), SigningAlgorithm: 'ECDSA_SHA_256', ...input }));
  await expect(send({ Message: new Uint8Array(4097), MessageType: 'RAW' })).rejects.toMatchObject({ name: 'ValidationException' });
  await expect(send({ Message: new Uint8Array(31), MessageType: 'DIGEST' })).rejects.toMatchObject({ name: 'ValidationException' });
  await expect(send({ KeyId: localKeyArn('00000000-0000-4000-8000-000000000000') })).rejects.toMatchObject({ name: 'NotFoundException' });
  // RAW and DIGEST of the same message give signatures over the same SHA-256.
  const message = Buffer.from('to be signed');
  const { PublicKey } = await client.send(new GetPublicKeyCommand({ KeyId: arn }));
  const publicKey = { key: Buffer.from(PublicKey as Uint8Array), format: 'der', type: 'spki' } as const;
  for (const input of [
    { Message: message, MessageType: 'RAW' as const },
    { Message: createHash('sha256').update(message).digest(), MessageType: 'DIGEST' as const },
  ]) {
    const { Signature } = await send(input);
    expect(verify('sha256', message, publicKey, Buffer.from(Signature as Uint8Array))).toBe(true);
  }
});

it('derToJose turns any DER ECDSA signature into the r||s that verifies', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 0, maxLength: 200 }), (message) => {
      const der = sign('sha256', message, privateKey);
      const jose = derToJose(der);
      expect(jose).toHaveLength(64);
      expect(verify('sha256', message, { key: publicKey, dsaEncoding: 'ieee-p1363' }, jose)).toBe(true);
    }),
    { numRuns: 50 },
  );
});

it('keyIdOf refuses what is not a KMS key ARN (an alias, a bare id)', () => {
  expect(keyIdOf('arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab')).toBe(
    '1234abcd-12ab-34cd-56ef-1234567890ab',
  );
  expect(() => keyIdOf('arn:aws:kms:eu-west-1:123456789012:alias/receipts')).toThrow(/not a KMS key ARN/);
  expect(() => keyIdOf('1234abcd')).toThrow(/not a KMS key ARN/);
});
