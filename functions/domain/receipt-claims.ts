/** What a receipt says (its JWT claims), as types only: the console reads them too (domain/receipts.ts builds them). */
import type { Actor } from './model';

export interface ReceiptApproval {
  by: Actor;
  /** The delegator, when a delegate approved for them. */
  for?: Actor;
  at: string;
  /** The stage (index) the approval counted in; 0 for a profile of one stage. */
  stage: number;
}

/** The payload of a receipt (a JWT's claims). */
export interface ReceiptClaims {
  /** The API's public URL. */
  iss: string;
  /** The request id. */
  sub: string;
  kind: string;
  profileId: string;
  /** base64url SHA-256 of the subject's RFC 8785 canonical JSON. */
  subjectDigest: string;
  /** base64url SHA-256 of the CSR's DER (P10 enrollments only). */
  csrDigest?: string;
  approvals: ReceiptApproval[];
  /** When the request was approved (ISO time, as the request's `decision.at`). */
  approvedAt: string;
  /** When the receipt was signed (seconds since the epoch). */
  iat: number;
  /** `approvedAt` + `approvalValidFor` (seconds since the epoch): the approval lapses then. */
  exp: number;
}
