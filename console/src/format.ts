import { KIND_LABELS } from '../../functions/domain/kinds';
import type { ApprovalRequest, Kind } from './api';

export const kindLabel = (kind: Kind) => KIND_LABELS[kind] ?? kind;

/** `2026-11-26 10:45 UTC`: the same for every viewer, as in the audit trail. */
export function formatTime(iso: string | undefined, zone = true): string {
  if (!iso) return '-';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 16).replace('T', ' ')}${zone ? ' UTC' : ''}`;
}

const text = (value: unknown) => (value === undefined || value === null ? '' : String(value));

/** One line that tells requests apart in a list: what card or certificate, for whom. */
export function subjectSummary(request: Pick<ApprovalRequest, 'kind' | 'subject'>): string {
  const s = request.subject;
  switch (request.kind) {
    case 'certificate.enroll':
      return `${text(s.subjectDn)} (${text(s.method)})`;
    case 'certificate.revoke':
    case 'certificate.lock':
      return `Serial ${text(s.serialNumber)}, issuer ${text(s.issuerDn)}`;
    case 'card.request':
      return `${text(s.cardProfile)} for ${text(s.holderId)}`;
    case 'card.request-multiple':
      return `${text(s.count)} x ${text(s.cardProfile)} for ${text(s.holderId)}`;
    default:
      return `Card ${text(s.cardSerial)} of ${text(s.holderId)}`;
  }
}

export const STATE_LABELS: Record<string, string> = {
  requested: 'Requested',
  approved: 'Approved',
  rejected: 'Rejected',
  expired: 'Expired',
  deleted: 'Deleted',
};

export const STATE_INDICATOR: Record<string, 'pending' | 'success' | 'error' | 'stopped' | 'warning'> = {
  requested: 'pending',
  approved: 'success',
  rejected: 'error',
  expired: 'warning',
  deleted: 'stopped',
};
