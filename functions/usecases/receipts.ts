/**
 * Receipts: signed once, when a request is approved, by the workflow (the notify-outcome step, or
 * the deliver-callback step if that one could not), never on the API's synchronous path; stored
 * beside the request on a condition, so a retried step never stores a second one; read by
 * `GET /requests/{id}/receipt`, and verified by anyone against `GET /.well-known/jwks.json`.
 */
import { conflict, forbidden, notFound } from '../domain/errors';
import { isCreatingClient } from '../domain/execution';
import type { ApprovalRequest, Identity } from '../domain/model';
import { receiptClaims, type StoredReceipt } from '../domain/receipts';
import { canRead } from '../domain/rules';
import type { Clock, RequestStore, StoredRequest } from './ports';
import type { PublicJwk, ReceiptKeys, Signer } from './signer';

export interface ReceiptStore {
  getReceipt(requestId: string): Promise<StoredReceipt | undefined>;
  /** Stores the receipt unless the request has one already; resolves with the one stored (that one). */
  putReceipt(requestId: string, receipt: StoredReceipt): Promise<StoredReceipt>;
}

/** What signing receipts takes: where they are kept, the signer, and the `iss` (the API's public URL). */
export interface ReceiptIssuer {
  store: ReceiptStore;
  signer: Signer;
  issuer: string;
}

const base64url = (text: string | Uint8Array) => Buffer.from(text).toString('base64url');

/** A compact JWS of `payload`, header `alg`, `kid` and `typ: JWT`, signed by the signer. */
export async function signCompactJws(signer: Signer, payload: object): Promise<string> {
  const header = { alg: signer.alg, kid: signer.kid, typ: 'JWT' };
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
  const signature = await signer.sign(new TextEncoder().encode(signingInput));
  return `${signingInput}.${base64url(signature)}`;
}

/**
 * The receipt of an approved request: the stored one, or signed now and stored. Given the request
 * as a step read it (`read`: its item carries the receipt once signed), no receipt read is needed:
 * the copy is the receipt, and without one it is signed and stored at once (the store's condition
 * keeps a receipt stored meanwhile by another attempt, and answers that one).
 */
export async function issueReceipt(
  deps: { receipts: ReceiptIssuer; now: Clock },
  request: ApprovalRequest,
  read?: Pick<StoredRequest, 'receipt'>,
): Promise<Pick<StoredReceipt, 'receipt'>> {
  const { store, signer, issuer } = deps.receipts;
  if (read?.receipt) return { receipt: read.receipt };
  const stored = read ? undefined : await store.getReceipt(request.id);
  if (stored) return stored;
  const claims = receiptClaims(request, issuer, deps.now());
  const receipt = await signCompactJws(signer, claims);
  return store.putReceipt(request.id, { receipt, kid: signer.kid, exp: claims.exp });
}

/**
 * `GET /requests/{id}/receipt`: for the requester, approvers, admins and the calling system that
 * created the request; 409 until the request is approved and its receipt signed.
 */
export async function readReceipt(
  deps: { repository: Pick<RequestStore, 'getRequest'>; receipts: Pick<ReceiptStore, 'getReceipt'> },
  who: Identity,
  id: string,
): Promise<{ receipt: string }> {
  const stored = await deps.repository.getRequest(id);
  if (!stored) throw notFound(`request ${id} does not exist`);
  const { request } = stored;
  if (!canRead(request, who) && !isCreatingClient(request, who))
    throw forbidden('only the requester, approvers, admins and the calling system that created it may read this receipt');
  if (request.state !== 'approved')
    throw conflict(`request is ${request.state}: a receipt exists once it is approved`, { state: request.state });
  const receipt = await deps.receipts.getReceipt(id);
  if (!receipt) throw conflict('the receipt of this approved request is being signed; try again shortly', { state: request.state });
  return { receipt: receipt.receipt };
}

/** `GET /.well-known/jwks.json`: the public halves of the receipt keys still listed (current first). */
export async function receiptJwks(keys: ReceiptKeys): Promise<{ keys: PublicJwk[] }> {
  return { keys: await keys.publicKeys() };
}
