/**
 * Receipts (the contract's "Receipts and execution"): what the signed proof of an approval says.
 * A receipt is an ES256 compact JWS whose payload these functions build from the approved request;
 * the signing is the Signer port's (usecases/signer.ts), so nothing here knows about keys or KMS.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';
import { durationSeconds } from './duration';
import type { Actor, ApprovalRequest } from './model';
import type { ReceiptClaims } from './receipt-claims';

/** How long an approval may be acted on when the profile does not say (`approvalValidFor`). */
export const DEFAULT_APPROVAL_VALID_FOR = 'P7D';

export type { ReceiptApproval, ReceiptClaims } from './receipt-claims';

const base64urlSha256 = (bytes: string | Uint8Array) => createHash('sha256').update(bytes).digest('base64url');

/** base64url SHA-256 of the subject's RFC 8785 canonical JSON. */
export const subjectDigest = (subject: unknown): string => base64urlSha256(canonicalJson(subject));

const PEM_BODY = /-----BEGIN (?:NEW )?CERTIFICATE REQUEST-----([\s\S]+?)-----END (?:NEW )?CERTIFICATE REQUEST-----/;

/** base64url SHA-256 of a PEM CSR's DER; undefined when the text holds no CSR (create refuses those). */
export function csrDigest(pem: string): string | undefined {
  const body = PEM_BODY.exec(pem)?.[1]?.replace(/\s+/g, '');
  return body ? base64urlSha256(Buffer.from(body, 'base64')) : undefined;
}

/** The request's `approvalValidFor` (copied from its profile at create), or the default. */
export const approvalValidForOf = (request: Pick<ApprovalRequest, 'approvalValidFor'>): string =>
  request.approvalValidFor ?? DEFAULT_APPROVAL_VALID_FOR;

/** When the approval of a request approved at `approvedAt` lapses, in seconds since the epoch. */
export function receiptExpiry(approvedAt: string, approvalValidFor: string): number {
  const seconds = durationSeconds(approvalValidFor);
  if (seconds === undefined) throw new Error(`approvalValidFor ${approvalValidFor} is not a duration`);
  return Math.floor(Date.parse(approvedAt) / 1000) + seconds;
}

type ApprovalLike = ApprovalRequest['approvals'][number] & { for?: Actor; stage?: number };

/** The claims of an approved request's receipt, signed at `now` by the service at `issuer`. */
export function receiptClaims(request: ApprovalRequest, issuer: string, now: string): ReceiptClaims {
  if (request.state !== 'approved' || !request.decision) throw new Error(`request ${request.id} is ${request.state}, not approved`);
  const approvedAt = request.decision.at;
  const csr = request.kind === 'certificate.enroll' && typeof request.subject.csr === 'string' ? csrDigest(request.subject.csr) : undefined;
  return {
    iss: issuer,
    sub: request.id,
    kind: request.kind,
    profileId: request.profileId,
    subjectDigest: subjectDigest(request.subject),
    ...(csr ? { csrDigest: csr } : {}),
    approvals: (request.approvals as ApprovalLike[]).map((approval) => ({
      by: approval.by,
      ...(approval.for ? { for: approval.for } : {}),
      at: approval.at,
      stage: approval.stage ?? 0,
    })),
    approvedAt,
    iat: Math.floor(Date.parse(now) / 1000),
    exp: receiptExpiry(approvedAt, approvalValidForOf(request)),
  };
}

/** A signed receipt as stored beside its request. */
export interface StoredReceipt {
  /** The compact JWS. */
  receipt: string;
  kid: string;
  /** The receipt's `exp` (seconds since the epoch). */
  exp: number;
}
