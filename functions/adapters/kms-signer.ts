/**
 * The receipt keys on AWS KMS: an asymmetric ECC_NIST_P256 key (SIGN_VERIFY) that never leaves
 * KMS. Signing sends only the SHA-256 digest of the JWS signing input (`MessageType: DIGEST`, so a
 * long receipt fits) and turns KMS's ASN.1 DER signature into the JWS `r||s` form; the JWKS is
 * built from GetPublicKey. A key's `kid` is its KMS key id (the ARN's last part), so the signer
 * knows it without a call and needs nothing but kms:Sign. Locally the same code talks to the local
 * KMS endpoint (AWS_ENDPOINT_URL_KMS).
 */
import { createHash, createPublicKey } from 'node:crypto';
import { GetPublicKeyCommand, type KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { derToJose as derToJoseBase64 } from 'ecdsa-sig-formatter';
import type { PublicJwk, ReceiptKeys, Signer } from '../usecases/signer';

const KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/([A-Za-z0-9-]+)$/;

/** The key id (the `kid`) of a KMS key ARN; anything but a key ARN is a configuration error. */
export function keyIdOf(keyArn: string): string {
  const id = KEY_ARN.exec(keyArn)?.[1];
  if (!id) throw new Error(`configuration error: ${keyArn} is not a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)`);
  return id;
}

/**
 * An ECDSA P-256 signature from ASN.1 DER (what KMS returns) to the JWS form: r and s, 32 bytes
 * each, big-endian (ecdsa-sig-formatter: a few KB, where an ASN.1 schema library took about 110 KB
 * of each signing step's bundle).
 */
export const derToJose = (der: Uint8Array): Uint8Array => Buffer.from(derToJoseBase64(Buffer.from(der), 'ES256'), 'base64url');

/** Signs with the KMS key `keyArn` (ECDSA_SHA_256 over the SHA-256 digest of the input). */
export function kmsSigner(client: KMSClient, keyArn: string): Signer {
  return {
    alg: 'ES256',
    kid: keyIdOf(keyArn),
    async sign(signingInput) {
      const digest = createHash('sha256').update(signingInput).digest();
      const { Signature } = await client.send(
        new SignCommand({ KeyId: keyArn, Message: digest, MessageType: 'DIGEST', SigningAlgorithm: 'ECDSA_SHA_256' }),
      );
      if (!Signature) throw new Error('KMS answered Sign without a signature');
      return derToJose(Signature);
    },
  };
}

/**
 * The public halves of the keys `keyArns` (current first), read once per process: a key's public
 * half never changes, and the list changes only with a deploy.
 */
export function kmsReceiptKeys(client: KMSClient, keyArns: readonly string[]): ReceiptKeys {
  let cached: Promise<PublicJwk[]> | undefined;
  const read = async (keyArn: string): Promise<PublicJwk> => {
    const { PublicKey } = await client.send(new GetPublicKeyCommand({ KeyId: keyArn }));
    if (!PublicKey) throw new Error('KMS answered GetPublicKey without a key');
    const jwk = createPublicKey({ key: Buffer.from(PublicKey), format: 'der', type: 'spki' }).export({ format: 'jwk' });
    if (jwk.kty !== 'EC' || jwk.crv !== 'P-256') throw new Error(`configuration error: KMS key ${keyArn} is not an ECC_NIST_P256 key`);
    return { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y, kid: keyIdOf(keyArn), alg: 'ES256', use: 'sig' };
  };
  return {
    publicKeys() {
      cached ??= Promise.all(keyArns.map(read)).catch((error: unknown) => {
        cached = undefined;
        throw error;
      });
      return cached;
    },
  };
}

/** The key ARNs of the comma-separated setting RECEIPT_KEY_ARNS (current first). */
export const keyArnsOf = (setting: string): string[] =>
  setting
    .split(',')
    .map((arn) => arn.trim())
    .filter(Boolean);
