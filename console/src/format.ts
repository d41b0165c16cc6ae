import { KIND_LABELS } from '../../functions/domain/kinds';
import { POLICY, WORKFLOW_ACTOR } from '../../functions/domain/model';
import { stageProgress } from '../../functions/domain/stages';
import type { ApprovalRequest, Kind } from './api';

export const kindLabel = (kind: Kind) => KIND_LABELS[kind] ?? kind;

/** Two or three words for a table column that should stay one line wide. */
const KIND_SHORT_LABELS: Record<Kind, string> = {
  'certificate.enroll': 'Enroll certificate',
  'certificate.revoke': 'Revoke certificate',
  'certificate.lock': 'Lock certificate',
  'card.request': 'Request card',
  'card.request-multiple': 'Request cards',
  'card.deactivate': 'Deactivate card',
  'card.reactivate': 'Reactivate card',
  'card.lock': 'Lock card',
};
export const kindShortLabel = (kind: Kind) => KIND_SHORT_LABELS[kind] ?? kind;

type Actor = { id: string; email?: string };

/** Who did something, in words: a person by their email, the service's own actors by what they are. */
export function actorText(actor: Actor): string {
  if (actor.id === POLICY.id) return 'policy';
  if (actor.id === WORKFLOW_ACTOR.id) return 'the service';
  return actor.email ?? actor.id;
}

/**
 * Who approved, decided or placed a hold, in words: "dave@example.com for carol@example.com" where a
 * delegate acted for an approver (`for`, recorded on approvals, the decision and the hold), else the actor alone.
 */
export function actingText(act: { by: Actor; for?: Actor }): string {
  return act.for ? `${actorText(act.by)} for ${actorText(act.for)}` : actorText(act.by);
}

/**
 * "Approval recorded (now at Stage 2 of 3 · PKI officers: 0 of 2)": a still pending request's progress
 * after an approval, counted in its current stage against that stage's quorum (as the request page's
 * Approvals show it), with the stage named when there are stages to tell apart.
 */
export function approvalRecordedText(request: ApprovalRequest): string {
  const progress = stageProgress(request);
  return `Approval recorded (${progress.label ? `now at ${progress.label}: ` : ''}${progress.approvals} of ${progress.required})`;
}

/** Approved at once because the profile does not require approval for the kind: nobody approved it. */
export const approvedByPolicy = (request: Pick<ApprovalRequest, 'state' | 'decision'>) =>
  request.state === 'approved' && request.decision?.by.id === POLICY.id;

/** The state as a viewer should read it: "Approved by policy" where no person approved. */
export const stateText = (request: Pick<ApprovalRequest, 'state' | 'decision'>) =>
  approvedByPolicy(request) ? 'Approved by policy' : (STATE_LABELS[request.state] ?? request.state);

/** How an ended request ended, as a verb for "<verb> <time> by <who>". */
export const endedVerb = (request: Pick<ApprovalRequest, 'state'>) =>
  request.state === 'expired' ? 'Expired' : request.state === 'deleted' ? 'Deleted' : 'Decided';

const text = (value: unknown) => (value === undefined || value === null ? '' : String(value));

/** The holder as a list shows them: the directory's name with the subject's holder id, or the id alone. */
const holderText = (request: Pick<ApprovalRequest, 'subject' | 'holder'>) =>
  request.holder?.name ? `${request.holder.name} (${text(request.subject.holderId)})` : text(request.subject.holderId);

/** One line that tells requests apart in a list: what card or certificate, for whom. */
export function subjectSummary(request: Pick<ApprovalRequest, 'kind' | 'subject' | 'holder'>): string {
  const s = request.subject;
  switch (request.kind) {
    case 'certificate.enroll':
      return `${text(s.subjectDn)} (${text(s.method)})`;
    case 'certificate.revoke':
    case 'certificate.lock':
      return `Serial ${text(s.serialNumber)}, issuer ${text(s.issuerDn)}`;
    case 'card.request':
      return `${text(s.cardProfile)} for ${holderText(request)}`;
    case 'card.request-multiple':
      return `${text(s.count)} x ${text(s.cardProfile)} for ${holderText(request)}`;
    default:
      return `Card ${text(s.cardSerial)} of ${holderText(request)}`;
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
