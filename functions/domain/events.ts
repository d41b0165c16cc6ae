/**
 * Events: what EventBridge hears of one stored change of a request, derived from the request as it
 * was before the change and as it is after (the table's stream gives both images). Pure rules; the
 * outbox publishes them (usecases/events.ts) and docs/events.md describes each type.
 *
 * - `Approval Request Created`: a new request (and its outcome type too when the policy approved
 *   it at once);
 * - `Stage Started`: a pending request's `currentStage` moved to another stage (the first stage
 *   starts with the request, so a new request gives none; a request stored without it was at 0);
 * - `Approved`: an approved request's receipt was stored with it (the workflow signs it seconds after
 *   the approval), so the event carries the receipt the acting system checks;
 * - `Rejected` | `Expired` | `Deleted`: the state changed to that outcome;
 * - `Executed`: the request's execution report (`execution`) is new or changed.
 * Anything else (reminders, round bookkeeping, holds, single approvals short of the quorum) gives none.
 */
import type { ApprovalRequest, Outcome } from './model';

export const EVENT_SOURCE = 'approvals';
export const DETAIL_TYPES = [
  'Approval Request Created',
  'Stage Started',
  'Approved',
  'Rejected',
  'Expired',
  'Deleted',
  'Executed',
] as const;
export type DetailType = (typeof DETAIL_TYPES)[number];

export const OUTCOME_DETAIL_TYPES: Record<Outcome, DetailType> = {
  approved: 'Approved',
  rejected: 'Rejected',
  expired: 'Expired',
  deleted: 'Deleted',
};

/**
 * The largest event EventBridge takes (PutEvents entry size, 256 KB). A request whose event would be
 * bigger is published without its largest fields (docs/events.md: Size).
 */
export const MAX_EVENT_BYTES = 256 * 1024;

/**
 * A request with the fields events read beyond the base request, as the contract names them: the
 * stage (`currentStage`, null once ended) and the execution report (`execution`).
 */
export type Observed = ApprovalRequest & { currentStage?: number | null; execution?: unknown };

const stageOf = (request: Observed | undefined) => (typeof request?.currentStage === 'number' ? request.currentStage : undefined);
const executionOf = (request: Observed | undefined) =>
  request?.execution === undefined || request.execution === null ? undefined : JSON.stringify(request.execution);

/** Whether the request had its receipt stored with it before the change and has it after. */
export interface Signed {
  was?: boolean;
  now?: boolean;
}

/** The detail-types of one stored change, in the order they happened. */
export function detailTypesOf(was: Observed | undefined, now: Observed | undefined, signed: Signed = {}): DetailType[] {
  if (!now) return [];
  const types: DetailType[] = [];
  if (!was) types.push('Approval Request Created');
  const stage = stageOf(now);
  if (was && now.state === 'requested' && stage !== undefined && stage !== (stageOf(was) ?? 0)) types.push('Stage Started');
  if (now.state === 'approved') {
    if (signed.now && !(was?.state === 'approved' && signed.was)) types.push('Approved');
  } else if (now.state !== 'requested' && now.state !== was?.state) types.push(OUTCOME_DETAIL_TYPES[now.state]);
  const execution = executionOf(now);
  if (execution !== undefined && execution !== executionOf(was)) types.push('Executed');
  return types;
}

/** Fields left out, largest first, of a request whose event would be too big. */
const LARGE_FIELDS = ['subject', 'csr', 'justification', 'stages', 'approvals', 'approvers', 'history'] as const;

export interface EventDetail {
  request: Record<string, unknown>;
  receipt?: string;
  /** The request fields left out to keep the event within MAX_EVENT_BYTES (fetch GET /requests/{id} for them). */
  omitted?: string[];
}

/**
 * The detail of an event about `request`, within `maxBytes` (of the detail's JSON, the entry's other
 * fields are small): the whole request when it fits, else without its largest fields, one at a time,
 * naming them in `omitted`; the receipt is kept, it is what the acting system needs.
 */
export function eventDetail(request: ApprovalRequest, receipt?: string, maxBytes = MAX_EVENT_BYTES - 1024): EventDetail {
  const detail: EventDetail = { request: { ...request }, ...(receipt ? { receipt } : {}) };
  const size = () => Buffer.byteLength(JSON.stringify(detail), 'utf8');
  for (const field of LARGE_FIELDS) {
    if (size() <= maxBytes) break;
    if (!(field in detail.request)) continue;
    delete detail.request[field];
    detail.omitted = [...(detail.omitted ?? []), field];
  }
  return detail;
}
