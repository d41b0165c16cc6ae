/**
 * An execution report (lifecycle): the calling system that created an approved request, or an
 * admin, says what it did with the approval. The request stays `approved`; the report is kept on
 * it and in its history (`executed` / `execution-failed`), in one conditional write.
 */
import type { ExecutionBody } from '../domain/execution';
import { recordExecution } from '../domain/execution';
import type { ApprovalRequest, Identity } from '../domain/model';
import type { ReceiptStore } from '../usecases/receipts';
import { type ChangeDeps, changeRequest } from './change';

export async function reportExecution(
  deps: ChangeDeps & { receipts: Pick<ReceiptStore, 'getReceipt'> },
  who: Identity,
  id: string,
  body: ExecutionBody,
): Promise<ApprovalRequest> {
  // The receipt is written once and never changes: its expiry can be read before the change.
  const receipt = await deps.receipts.getReceipt(id);
  return changeRequest(deps, id, (request, now) => recordExecution(request, who, body, receipt?.exp, now));
}
