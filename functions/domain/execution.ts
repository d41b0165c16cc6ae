/**
 * Execution reports (the contract's "Receipts and execution"): what the system acting on an
 * approval (the CA, the card management system) did with it. Only the calling system that created
 * the request, or an admin, reports; only an approved request whose approval has not lapsed (its
 * receipt's `exp`) takes a report, and none after one that `succeeded`. The request stays
 * `approved`: the report is kept on it (`execution`) and in its history.
 */
import * as z from './zod';
import { ON_BEHALF_SCOPE } from './bodies';
import { conflict, forbidden } from './errors';
import { type ApprovalRequest, type Identity, isAdmin } from './model';
import type { Change } from './rules';

const MAX_DETAILS_CHARS = 4000;

export const executionBodySchema = z.strictObject({
  status: z.enum(['succeeded', 'failed']),
  reference: z.optional(z.string().check(z.trim(), z.minLength(1, 'must not be empty'), z.maxLength(256))),
  details: z.optional(
    z
      .union([z.string().check(z.maxLength(MAX_DETAILS_CHARS)), z.record(z.string(), z.unknown())])
      .check(
        z.refine((value) => JSON.stringify(value).length <= MAX_DETAILS_CHARS, `must be at most ${MAX_DETAILS_CHARS} characters as JSON`),
      ),
  ),
});
export type ExecutionBody = z.infer<typeof executionBodySchema>;

/** The calling system (client) that created the request, by its client-credentials token. */
export const isCreatingClient = (request: ApprovalRequest, who: Identity) =>
  request.client !== undefined && request.client === who.id && who.scopes?.includes(ON_BEHALF_SCOPE) === true;

/**
 * An execution report on an approved request whose receipt lapses at `receiptExp` (seconds since
 * the epoch; undefined while no receipt is signed yet).
 */
export function recordExecution(
  request: ApprovalRequest,
  who: Identity,
  body: ExecutionBody,
  receiptExp: number | undefined,
  now: string,
): Change {
  if (!isAdmin(who) && !isCreatingClient(request, who))
    throw forbidden('only the calling system that created this request, or an admin, may report its execution');
  if (request.state !== 'approved')
    throw conflict(`request is ${request.state}: only an approved request is executed`, { state: request.state });
  if (request.execution?.status === 'succeeded') throw conflict('the execution of this request was already reported as succeeded');
  if (receiptExp === undefined) throw conflict('the receipt of this request is not signed yet; try again shortly');
  if (Date.parse(now) >= receiptExp * 1000)
    throw conflict('the approval lapsed: its receipt expired', { expiredAt: new Date(receiptExp * 1000).toISOString() });
  const actor = { id: who.id, ...(who.email ? { email: who.email } : {}) };
  const report = {
    status: body.status,
    ...(body.reference ? { reference: body.reference } : {}),
    ...(body.details !== undefined ? { details: body.details } : {}),
    by: actor,
    at: now,
  };
  return {
    request: { ...request, execution: report, updatedAt: now, version: request.version + 1 },
    history: {
      at: now,
      type: body.status === 'succeeded' ? 'executed' : 'execution-failed',
      actor,
      details: {
        ...(body.reference ? { reference: body.reference } : {}),
        ...(body.details !== undefined ? { details: body.details } : {}),
      },
    },
  };
}
