/**
 * Many decisions in one call (POST /decisions): each item goes through the same use case as
 * POST /requests/{id}/decisions (lifecycle/delegate.ts decideAsCaller), so quorum, holds, stages and
 * delegation behave exactly as one by one, and each item is answered with the status and error
 * its single route would give. Never all-or-nothing: one item's failure leaves the others alone.
 */
import * as z from '../domain/zod';
import { decisionBodySchema } from '../domain/bodies';
import { DomainError, type ErrorCode } from '../domain/errors';
import type { ApprovalRequest, Identity } from '../domain/model';
import { requestIdSchema } from '../domain/model';
import { parse } from '../domain/validation';
import { decideAsCaller } from '../lifecycle/delegate';
import type { Deps } from './ports';

/** The most items one call may carry. */
export const MAX_BATCH_DECISIONS = 50;
/** How many items are decided at once (each is a few reads and one transaction). */
export const BATCH_CONCURRENCY = 5;

/** The envelope; each item is checked on its own, as its single route checks its body. */
export const batchDecisionsBodySchema = z.strictObject({
  items: z
    .array(z.record(z.string(), z.unknown()), 'must be an array of decisions')
    .check(
      z.minLength(1, 'must hold at least one decision'),
      z.maxLength(MAX_BATCH_DECISIONS, `must hold at most ${MAX_BATCH_DECISIONS} decisions`),
    ),
});
export type BatchDecisionsBody = z.infer<typeof batchDecisionsBodySchema>;

/** One item's answer: what its single route would have answered. */
export interface BatchResult {
  requestId: string;
  status: number;
  request?: ApprovalRequest;
  error?: { code: string; message: string; details?: unknown };
}

/** The single route's status per error code (commons/http.ts keeps the same table for the API). */
export type StatusOfCode = Readonly<Record<ErrorCode, number>>;

/**
 * Decides every item, at most BATCH_CONCURRENCY at once; items on the same request run one after
 * the other in the order given, so the answers are those of the same calls made in that order.
 * `onUnexpected` hears of an error that is not a domain error (answered 500, revealing nothing).
 */
export async function decideMany(
  deps: Deps,
  who: Identity,
  body: BatchDecisionsBody,
  statusOf: StatusOfCode,
  onUnexpected: (error: unknown) => void,
): Promise<{ results: BatchResult[] }> {
  const results: BatchResult[] = new Array(body.items.length);
  const one = async (item: Record<string, unknown>, index: number) => {
    const requestId = typeof item.requestId === 'string' ? item.requestId : '';
    try {
      const { requestId: rawId, ...decision } = item;
      const id = parse(requestIdSchema, rawId, 'requestId');
      const request = await decideAsCaller(deps, who, id, parse(decisionBodySchema, decision));
      results[index] = { requestId, status: 200, request };
    } catch (error) {
      if (error instanceof DomainError) {
        const details = error.details === undefined ? {} : { details: error.details };
        results[index] = { requestId, status: statusOf[error.code], error: { code: error.code, message: error.message, ...details } };
      } else {
        onUnexpected(error);
        results[index] = { requestId, status: 500, error: { code: 'internal_error', message: 'internal error' } };
      }
    }
  };
  // One chain per request, in item order; the chains share BATCH_CONCURRENCY workers.
  const chains = new Map<string, number[]>();
  body.items.forEach((item, index) => {
    const key = typeof item.requestId === 'string' ? item.requestId : `#${index}`;
    chains.set(key, [...(chains.get(key) ?? []), index]);
  });
  const queue = [...chains.values()];
  const worker = async () => {
    for (let chain = queue.shift(); chain; chain = queue.shift()) {
      for (const index of chain) await one(body.items[index] as Record<string, unknown>, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(BATCH_CONCURRENCY, queue.length) }, worker));
  return { results };
}
