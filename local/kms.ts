/**
 * A local AWS KMS endpoint for the receipt keys (awsJson1_1, `X-Amz-Target: TrentService.<Action>`):
 * Sign, GetPublicKey and DescribeKey on ECC_NIST_P256 SIGN_VERIFY keys, answering as KMS does, so
 * the functions' KMS adapter (functions/adapters/kms-signer.ts) runs unchanged with
 * AWS_ENDPOINT_URL_KMS pointing here. What AWS does and this matches: `Sign` with
 * `ECDSA_SHA_256` returns an ASN.1 DER signature; `MessageType: RAW` takes at most 4,096 bytes,
 * `DIGEST` a 32-byte SHA-256 (signed as it is, not hashed again); `GetPublicKey` returns the
 * SubjectPublicKeyInfo DER. The keys are kept in `$DATA_DIR/kms-keys.json` (made on first use), so
 * receipts signed before a restart still verify.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { p256 } from '@noble/curves/nist';
import { AwsServiceError, epochSeconds, optionalString, requireString, startAwsJsonServer } from './aws-json-server';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './net';

export interface LocalKmsKey {
  keyId: string;
  /** PKCS#8 PEM of the private key. */
  privateKeyPem: string;
  createdAt: string;
}

const KEYS_FILE = 'kms-keys.json';

export const localKeyArn = (keyId: string) => `arn:aws:kms:${LOCAL_REGION}:${LOCAL_ACCOUNT}:key/${keyId}`;

/**
 * The local receipt keys of DATA_DIR, current last; one is made when there is none yet (whoever
 * comes first, npm start or a test, makes it).
 */
export function localKmsKeys(dataDir: string): LocalKmsKey[] {
  const file = join(dataDir, KEYS_FILE);
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { keys: LocalKmsKey[] }).keys;
  } catch {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const keys = [
      {
        keyId: randomUUID(),
        privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
        createdAt: new Date().toISOString(),
      },
    ];
    mkdirSync(dataDir, { recursive: true });
    try {
      writeFileSync(file, JSON.stringify({ keys }, null, 2), { mode: 0o600, flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return localKmsKeys(dataDir);
      throw error;
    }
    return keys;
  }
}

export interface KmsServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

const MAX_RAW_MESSAGE = 4096;

interface LoadedKey {
  keyId: string;
  arn: string;
  /** The private scalar, for signing a digest as it is. */
  d: Uint8Array;
  spki: Buffer;
  createdAt: Date;
}

function load(key: LocalKmsKey): LoadedKey {
  const privateKey = createPrivateKey(key.privateKeyPem);
  const jwk = privateKey.export({ format: 'jwk' });
  return {
    keyId: key.keyId,
    arn: localKeyArn(key.keyId),
    d: Buffer.from(String(jwk.d), 'base64url'),
    spki: createPublicKey(privateKey).export({ format: 'der', type: 'spki' }),
    createdAt: new Date(key.createdAt),
  };
}

function blob(body: Record<string, unknown>, field: string): Buffer {
  const value = requireString(body, field);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value)) throw new AwsServiceError('SerializationException', `${field} is not base64`);
  return Buffer.from(value, 'base64');
}

export async function startKmsServer(options: {
  port: number;
  host?: string;
  keys: LocalKmsKey[];
  log?: (line: string) => void;
}): Promise<KmsServer> {
  const keys = options.keys.map(load);
  const find = (body: Record<string, unknown>): LoadedKey => {
    const id = requireString(body, 'KeyId');
    const key = keys.find((candidate) => candidate.keyId === id || candidate.arn === id);
    if (!key) throw new AwsServiceError('NotFoundException', `Key '${id}' does not exist`);
    return key;
  };
  const metadata = (key: LoadedKey) => ({
    KeyId: key.keyId,
    Arn: key.arn,
    AWSAccountId: LOCAL_ACCOUNT,
    CreationDate: epochSeconds(key.createdAt),
    Enabled: true,
    KeyState: 'Enabled',
    KeyUsage: 'SIGN_VERIFY',
    KeySpec: 'ECC_NIST_P256',
    CustomerMasterKeySpec: 'ECC_NIST_P256',
    SigningAlgorithms: ['ECDSA_SHA_256'],
    KeyManager: 'CUSTOMER',
    Origin: 'AWS_KMS',
  });
  const http = await startAwsJsonServer({
    port: options.port,
    host: options.host ?? '127.0.0.1',
    targetPrefix: 'TrentService',
    jsonVersion: '1.1',
    log: options.log,
    actions: {
      DescribeKey: (body) => ({ KeyMetadata: metadata(find(body)) }),
      GetPublicKey: (body) => {
        const key = find(body);
        return {
          KeyId: key.arn,
          PublicKey: key.spki.toString('base64'),
          KeySpec: 'ECC_NIST_P256',
          CustomerMasterKeySpec: 'ECC_NIST_P256',
          KeyUsage: 'SIGN_VERIFY',
          SigningAlgorithms: ['ECDSA_SHA_256'],
        };
      },
      Sign: (body) => {
        const key = find(body);
        const message = blob(body, 'Message');
        const algorithm = requireString(body, 'SigningAlgorithm');
        const type = optionalString(body, 'MessageType') ?? 'RAW';
        if (algorithm !== 'ECDSA_SHA_256')
          throw new AwsServiceError('InvalidKeyUsageException', `Signing algorithm ${algorithm} is not supported by key ${key.arn}`);
        let digest: Uint8Array;
        if (type === 'RAW') {
          if (message.length < 1 || message.length > MAX_RAW_MESSAGE)
            throw new AwsServiceError('ValidationException', `Message must be 1 to ${MAX_RAW_MESSAGE} bytes for MessageType RAW`);
          digest = createHash('sha256').update(message).digest();
        } else if (type === 'DIGEST') {
          if (message.length !== 32)
            throw new AwsServiceError('ValidationException', 'Digest is invalid length for algorithm ECDSA_SHA_256.');
          digest = message;
        } else {
          throw new AwsServiceError('ValidationException', `MessageType ${type} is not RAW or DIGEST`);
        }
        const signature = p256.sign(digest, key.d, { prehash: false }).toDERRawBytes();
        return { KeyId: key.arn, Signature: Buffer.from(signature).toString('base64'), SigningAlgorithm: 'ECDSA_SHA_256' };
      },
    },
  });
  return { url: http.url, port: http.port, close: () => http.close() };
}
