/**
 * The evidence of one request, as one JSON document (GET /requests/{id}/evidence): the request, its
 * whole history, its receipt, the emails sent and the callback attempts, for whoever may read it.
 */
import { callbacksOf, type EvidenceCallback, type EvidenceEmail, emailsOf } from '../domain/evidence';
import { forbidden, notFound } from '../domain/errors';
import type { ApprovalRequest, HistoryEntry, Identity } from '../domain/model';
import { canRead } from '../domain/rules';
import type { Deps } from './ports';
import type { ReceiptStore } from './receipts';

/** History pages read per evidence (100 entries each): far above what one request writes. */
const MAX_HISTORY_PAGES = 200;

export interface Evidence {
  generatedAt: string;
  request: ApprovalRequest;
  /** Every history entry, oldest first. */
  history: HistoryEntry[];
  /** The signed receipt (compact JWS) once approved and signed; null before. */
  receipt: string | null;
  emails: EvidenceEmail[];
  callbacks: EvidenceCallback[];
}

export async function requestEvidence(
  deps: Pick<Deps, 'repository' | 'now'> & { receipts: Pick<ReceiptStore, 'getReceipt'> },
  who: Identity,
  id: string,
): Promise<Evidence> {
  const stored = await deps.repository.getRequest(id);
  if (!stored) throw notFound(`request ${id} does not exist`);
  if (!canRead(stored.request, who)) throw forbidden('only the requester, approvers and admins may read this request');
  const history: HistoryEntry[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_HISTORY_PAGES; page++) {
    const read = await deps.repository.getHistory(id, { limit: 100, cursor });
    history.push(...read.items);
    if (!read.nextCursor) break;
    cursor = read.nextCursor;
  }
  const { request } = stored;
  return {
    generatedAt: deps.now(),
    request,
    history,
    receipt: (await deps.receipts.getReceipt(id))?.receipt ?? null,
    emails: emailsOf(history),
    callbacks: callbacksOf(history),
  };
}
