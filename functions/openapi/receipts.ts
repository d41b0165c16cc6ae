/** The OpenAPI details of the receipt and execution operations (document.ts takes them in). */
import { executionBodySchema } from '../domain/execution';
import { errors, inputSchema, json, ref } from './schemas';

export const RECEIPT_DETAILS = {
  getReceipt: {
    summary: "The request's receipt: an ES256 compact JWS proving the approval",
    description:
      "Payload: iss, sub (request id), kind, profileId, subjectDigest (base64url SHA-256 of the RFC 8785 canonical subject), csrDigest (P10), approvals (by, for?, at, stage), approvedAt, iat, exp (approvedAt + the profile's approvalValidFor). Verify it against GET /.well-known/jwks.json. 409 until the request is approved and its receipt signed.",
    responses: {
      200: {
        description: 'The receipt',
        content: json({ type: 'object', properties: { receipt: { type: 'string' } }, required: ['receipt'] }),
      },
      ...errors(400, 401, 403, 404, 409),
    },
  },
  receiptKeys: {
    summary: 'The public keys of the receipts (JWKS)',
    description: 'The current key and older keys whose receipts may still be valid; each key is EC P-256 (ES256), kid as in the receipts.',
    responses: {
      200: {
        description: 'JSON Web Key Set',
        content: {
          'application/jwk-set+json': {
            schema: { type: 'object', properties: { keys: { type: 'array', items: { type: 'object' } } }, required: ['keys'] },
          },
        },
      },
      ...errors(429),
    },
  },
  reportExecution: {
    summary: 'Report what the acting system did with an approved request (its creating calling system, or an admin)',
    description:
      'History executed or execution-failed; the request stays approved and carries the report (execution). 409 unless approved, once the receipt has expired (the approval lapsed), or after a succeeded report.',
    requestBody: { required: true, content: json(inputSchema(executionBodySchema)) },
    responses: { 200: { description: 'The request', content: json(ref('Request')) }, ...errors(400, 401, 403, 404, 409) },
  },
} satisfies Record<'getReceipt' | 'receiptKeys' | 'reportExecution', Record<string, unknown>>;
