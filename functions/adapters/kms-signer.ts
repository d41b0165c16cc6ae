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
import { ECDSASigValue } from '@peculiar/asn1-ecc';
import { AsnConvert } from '@peculiar/asn1-schema';
import type { PublicJwk, ReceiptKeys, Signer } from '../usecases/signer';

const KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/([A-Za-z0-9-]+)$/;

/** The key id (the `kid`) of a KMS key ARN; anything but a key ARN is a configuration error. */
export function keyIdOf(keyArn: string): string {
  const id = KEY_ARN.exec(keyArn)?.[1];
  if (!id) throw new Error(`configuration error: ${keyArn} is not a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)`);
  return id;
}

/** An ECDSA signature from ASN.1 DER (what KMS returns) to the JWS form: r and s, each `size` bytes, big-endian. */
export function derToJose(der: Uint8Array, size = 32): Uint8Array {
  const { r, s } = AsnConvert.parse(der, ECDSASigValue);
  const fixed = (value: ArrayBuffer) => {
    let bytes = new Uint8Array(value);
    while (bytes.length > size && bytes[0] === 0) bytes = bytes.subarray(1);
    if (bytes.length > size) throw new Error(`signature integer longer than ${size} bytes`);
    const out = new Uint8Array(size);
    out.set(bytes, size - bytes.length);
    return out;
  };
  const out = new Uint8Array(size * 2);
  out.set(fixed(r), 0);
  out.set(fixed(s), size);
  return out;
}

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
