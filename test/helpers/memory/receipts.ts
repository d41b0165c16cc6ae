/**
 * Receipts on in-memory fakes: a store that keeps each request's first receipt (as the table's
 * conditional write does) and counts the writes, and a signer on a real P-256 key made in process
 * (node:crypto, JWS `r||s` signatures), with its public JWK for verifying.
 */
import { generateKeyPairSync, type JsonWebKey, randomUUID, sign } from 'node:crypto';
import type { StoredReceipt } from '../../../functions/domain/receipts';
import type { ReceiptIssuer, ReceiptStore } from '../../../functions/usecases/receipts';
import type { PublicJwk, Signer } from '../../../functions/usecases/signer';

export class MemoryReceiptStore implements ReceiptStore {
  readonly receipts = new Map<string, StoredReceipt>();
  /** putReceipt calls, including those that found one stored. */
  puts = 0;
  /** getReceipt calls. */
  gets = 0;
  /** `onStored`: copies a new receipt onto its request (as the table's transaction does on the request item). */
  constructor(private readonly onStored?: (requestId: string, receipt: string) => void) {}
  async getReceipt(requestId: string) {
    this.gets++;
    return this.receipts.get(requestId);
  }
  async putReceipt(requestId: string, receipt: StoredReceipt) {
    this.puts++;
    const stored = this.receipts.get(requestId);
    if (stored) return stored;
    this.receipts.set(requestId, receipt);
    this.onStored?.(requestId, receipt.receipt);
    return receipt;
  }
}

export interface TestSigner extends Signer {
  jwk: PublicJwk;
  /** How many signatures it made. */
  signatures: number;
}

export function testSigner(): TestSigner {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const kid = randomUUID();
  const { kty, crv, x, y } = publicKey.export({ format: 'jwk' }) as JsonWebKey;
  const signer: TestSigner = {
    alg: 'ES256',
    kid,
    jwk: { kty: String(kty), crv, x, y, kid, alg: 'ES256', use: 'sig' },
    signatures: 0,
    async sign(input) {
      signer.signatures++;
      return sign('sha256', input, { key: privateKey, dsaEncoding: 'ieee-p1363' });
    },
  };
  return signer;
}

export const ISSUER = 'https://approvals.example.com';

export function memoryReceipts(
  onStored?: (requestId: string, receipt: string) => void,
): ReceiptIssuer & { store: MemoryReceiptStore; signer: TestSigner } {
  return { store: new MemoryReceiptStore(onStored), signer: testSigner(), issuer: ISSUER };
}
