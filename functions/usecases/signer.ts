/**
 * The receipt keys, as ports: the Signer signs with the current key (never handing it out), the
 * ReceiptKeys list the public halves of every key whose receipts may still be valid. In the cloud
 * both are AWS KMS (adapters/kms-signer.ts); locally the same adapter talks to the local KMS endpoint.
 */

/** A public key as a JSON Web Key (RFC 7517), with its `kid`. */
export interface PublicJwk {
  kty: string;
  crv?: string;
  x?: string;
  y?: string;
  kid: string;
  alg: string;
  use: 'sig';
}

export interface Signer {
  /** The JWS `alg` of the signatures (ES256). */
  readonly alg: 'ES256';
  /** The `kid` of the current key (known without a call). */
  readonly kid: string;
  /** The JWS signature of `signingInput` (for ES256, the 64-byte `r||s`). */
  sign(signingInput: Uint8Array): Promise<Uint8Array>;
}

export interface ReceiptKeys {
  /** The public halves of the current key and the older keys still listed, current first. */
  publicKeys(): Promise<PublicJwk[]>;
}
