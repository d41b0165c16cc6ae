/**
 * The export of requests (GET /requests/export): one row per request, as RFC 4180 CSV or JSON
 * Lines. CSV cells that a spreadsheet would read as a formula are neutralised (OWASP's CSV
 * injection advice): a cell whose first character, or first after leading spaces, is `=`, `+`,
 * `-`, `@` (or their full-width forms), or that starts with a tab or a carriage return, gets a
 * leading `'`, so it shows as text and never runs.
 */
import { stringify } from 'csv-stringify/sync';
import type { ApprovalRequest } from './model';
import { stagesOf } from './stages';

export const EXPORT_FORMATS = ['csv', 'jsonl'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** One stage of a request as the export shows it. */
export interface ExportStage {
  name: string;
  status: string;
  requiredApprovals: number;
  /** Who approved in this stage (their email, else their id). */
  approvedBy: string[];
}

export interface ExportRow {
  id: string;
  kind: string;
  profileId: string;
  requester: string;
  state: string;
  createdAt: string;
  decidedBy: string | null;
  decidedAt: string | null;
  reason: string | null;
  stages: ExportStage[];
}

/** The CSV header, in column order. */
export const EXPORT_COLUMNS = [
  'id',
  'kind',
  'profileId',
  'requester',
  'state',
  'createdAt',
  'decidedBy',
  'decidedAt',
  'reason',
  'stages',
] as const satisfies ReadonlyArray<keyof ExportRow>;

const byWhom = (actor: { id: string; email?: string }) => actor.email ?? actor.id;

/** The request's stages (domain/stages.ts: a flat request is one stage), each with who approved in it. */
export function exportStages(request: ApprovalRequest): ExportStage[] {
  return stagesOf(request).map((stage) => ({
    name: stage.name,
    status: stage.status,
    requiredApprovals: stage.requiredApprovals,
    approvedBy: stage.approvals.map((approval) => byWhom(approval.by)),
  }));
}

export function exportRow(request: ApprovalRequest): ExportRow {
  return {
    id: request.id,
    kind: request.kind,
    profileId: request.profileId,
    requester: request.requester.email,
    state: request.state,
    createdAt: request.createdAt,
    decidedBy: request.decision ? byWhom(request.decision.by) : null,
    decidedAt: request.decision?.at ?? null,
    reason: request.decision?.reason ?? null,
    stages: exportStages(request),
  };
}

/** `name (status, approvals/required: who, who)`, stages joined by `; `. */
export function stagesCell(stages: ExportStage[]): string {
  return stages
    .map((stage) => {
      const who = stage.approvedBy.length ? `: ${stage.approvedBy.join(', ')}` : '';
      return `${stage.name} (${stage.status}, ${stage.approvedBy.length}/${stage.requiredApprovals}${who})`;
    })
    .join('; ');
}

const FORMULA_START = /^[\s\u00a0\u3000]*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20]|^[\t\r]/;

/** A cell a spreadsheet shows as text: a leading `'` before anything that could start a formula. */
export function neutralise(cell: string): string {
  return FORMULA_START.test(cell) ? `'${cell}` : cell;
}

/** Rows as RFC 4180 CSV (CRLF line ends, fields quoted where needed); with `header`, the column names first. */
export function toCsv(rows: ExportRow[], header: boolean): string {
  const records = rows.map((row) =>
    EXPORT_COLUMNS.map((column) => {
      const value = column === 'stages' ? stagesCell(row.stages) : (row[column] ?? '');
      return neutralise(String(value));
    }),
  );
  // escape_formulas as a second guard: the cells are already neutralised above.
  return stringify(header ? [[...EXPORT_COLUMNS], ...records] : records, { record_delimiter: 'windows', escape_formulas: true });
}

/** Rows as JSON Lines: one JSON object per line, each line ending in `\n`. */
export function toJsonLines(rows: ExportRow[]): string {
  return rows.map((row) => `${JSON.stringify(row)}\n`).join('');
}
