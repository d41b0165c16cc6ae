/**
 * The export of requests created in a time range (GET /requests/export), for approvers and admins:
 * one page of rows read from the search indexes by a key condition on the creation time (never a
 * scan), newest first, and the cursor of the next page.
 */
import { forbidden } from '../domain/errors';
import { type ExportFormat, exportRow, toCsv, toJsonLines } from '../domain/export';
import { type Identity, isAdmin, isApprover, type State } from '../domain/model';
import type { Deps } from './ports';

export interface ExportQuery {
  from: string;
  to: string;
  state?: State;
  profileId?: string;
  format: ExportFormat;
  limit: number;
  cursor?: string;
}

export interface ExportPage {
  body: string;
  contentType: string;
  rows: number;
  nextCursor: string | null;
}

export const CONTENT_TYPES: Readonly<Record<ExportFormat, string>> = {
  csv: 'text/csv; charset=utf-8; header=present',
  jsonl: 'application/jsonl; charset=utf-8',
};

/**
 * One page of the export. A CSV's first page (no cursor) starts with the header row and the later
 * pages do not, so the pages joined in order are one CSV file.
 */
export async function exportRequests(deps: Pick<Deps, 'repository'>, who: Identity, query: ExportQuery): Promise<ExportPage> {
  if (!isApprover(who) && !isAdmin(who)) throw forbidden('only approvers and admins may export requests');
  const page = await deps.repository.search({
    state: query.state,
    profileId: query.profileId,
    createdFrom: query.from,
    createdBefore: query.to,
    limit: query.limit,
    cursor: query.cursor,
  });
  const rows = page.items.map(exportRow);
  const body = query.format === 'csv' ? toCsv(rows, !query.cursor) : toJsonLines(rows);
  return { body, contentType: CONTENT_TYPES[query.format], rows: rows.length, nextCursor: page.nextCursor };
}
