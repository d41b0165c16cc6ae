/**
 * How domain objects are stored as table items and read back. Keys come from keys.ts.
 */
import { type ApprovalRequest, type HistoryEntry, inFieldOrder } from '../../domain/model';
import type { Profile } from '../../domain/profile';
import type { RoundBookkeeping, StoredRequest } from '../../usecases/ports';
import { findItemKey, historyKey, historyKeys, indexKeys, taskKey } from './keys';

export type Item = Record<string, unknown>;

/** The request item's attributes besides its key: the request itself (`doc`), its state, version and index keys. */
export function requestAttributes(request: ApprovalRequest): Item {
  return { type: 'request', doc: request, state: request.state, version: request.version, ...indexKeys(request) };
}

export function historyItem(id: string, entry: HistoryEntry): Item {
  return { ...historyKey(id, entry.at), type: 'history', entry };
}

/** The history items of one change, in order (a change may write more than one entry: a stage's start). */
export function historyItems(id: string, entries: readonly HistoryEntry[]): Item[] {
  const keys = historyKeys(
    id,
    entries.map((entry) => entry.at),
  );
  return entries.map((entry, index) => ({ ...keys[index], type: 'history', entry }));
}

/** An approver's task entry: which request waits for them (the request item holds the rest). */
export function taskItem(approverEmail: string, request: ApprovalRequest): Item {
  return { ...taskKey(approverEmail, request), type: 'task', requestId: request.id };
}

/**
 * A find entry: which request holds a value under this find key, with the fields a find filters on
 * that never change (kind, profile, requester), so only the state is read from the request.
 */
export function findItem(key: string, request: ApprovalRequest): Item {
  return {
    ...findItemKey(key, request),
    type: 'find',
    requestId: request.id,
    kind: request.kind,
    profileId: request.profileId,
    requesterId: request.requester.id,
  };
}

/** The request and the round bookkeeping kept on its item. */
export function toStored(item: Item): StoredRequest {
  const rounds: RoundBookkeeping = {};
  if (typeof item.taskToken === 'string') rounds.taskToken = item.taskToken;
  if (typeof item.waitBasis === 'string') rounds.waitBasis = item.waitBasis;
  if (typeof item.notifiedAt === 'string') rounds.notifiedAt = item.notifiedAt;
  if (typeof item.nextReminderAt === 'string') rounds.nextReminderAt = item.nextReminderAt;
  if (typeof item.reminders === 'number') rounds.reminders = item.reminders;
  if (typeof item.holdEmails === 'number') rounds.holdEmails = item.holdEmails;
  if (typeof item.holdEndEmailed === 'string') rounds.holdEndEmailed = item.holdEndEmailed;
  if (typeof item.notifiedStage === 'number') rounds.notifiedStage = item.notifiedStage;
  if (typeof item.outcomeNotifiedAt === 'string') rounds.outcomeNotifiedAt = item.outcomeNotifiedAt;
  if (typeof item.callbackDeliveredAt === 'string') rounds.callbackDeliveredAt = item.callbackDeliveredAt;
  if (typeof item.callbackAbandonedAt === 'string') rounds.callbackAbandonedAt = item.callbackAbandonedAt;
  if (item.approvalEmails && typeof item.approvalEmails === 'object') rounds.approvalEmails = item.approvalEmails as Record<string, string>;
  if (item.reminderClaims && typeof item.reminderClaims === 'object') rounds.reminderClaims = item.reminderClaims as Record<string, number>;
  if (item.reminderCounts && typeof item.reminderCounts === 'object') rounds.reminderCounts = item.reminderCounts as Record<string, number>;
  if (item.closingEmails && typeof item.closingEmails === 'object') rounds.closingEmails = item.closingEmails as Record<string, string>;
  if (typeof item.GSI3SK === 'string') rounds.checkAt = item.GSI3SK.slice(0, item.GSI3SK.lastIndexOf('#'));
  if (typeof item.execution === 'string') rounds.execution = item.execution;
  if (typeof item.restarts === 'number') rounds.restarts = item.restarts;
  if (typeof item.repairFailures === 'number') rounds.repairFailures = item.repairFailures;
  if (typeof item.lastEmailAt === 'string') rounds.lastEmailAt = item.lastEmailAt;
  if (typeof item.requesterReminders === 'number') rounds.requesterReminders = item.requesterReminders;
  // DynamoDB maps come back in any order.
  const request = inFieldOrder(item.doc as ApprovalRequest);
  return typeof item.receipt === 'string' ? { request, rounds, receipt: item.receipt } : { request, rounds };
}

export function toProfile(item: Item): Profile {
  return {
    id: String(item.id),
    name: String(item.name),
    requireApprovalFor: item.requireApprovalFor as Profile['requireApprovalFor'],
    // A profile holds either stages or the flat approvers and quorum (domain/stage-rules.ts).
    ...(Array.isArray(item.stages)
      ? { stages: item.stages as NonNullable<Profile['stages']> }
      : { approvers: item.approvers as string[], requiredApprovals: Number(item.requiredApprovals) }),
    remindAfter: String(item.remindAfter),
    expireAfter: String(item.expireAfter),
    maxReminders: Number(item.maxReminders),
    ...(Array.isArray(item.requireCommentOn) && item.requireCommentOn.length > 0
      ? { requireCommentOn: item.requireCommentOn as NonNullable<Profile['requireCommentOn']> }
      : {}),
    ...(item.csrPolicy && typeof item.csrPolicy === 'object' ? { csrPolicy: item.csrPolicy as NonNullable<Profile['csrPolicy']> } : {}),
    // Stored before the field existed: delegation allowed (its default).
    allowDelegation: item.allowDelegation !== false,
    ...(typeof item.approvalValidFor === 'string' ? { approvalValidFor: item.approvalValidFor } : {}),
    createdAt: String(item.createdAt),
    updatedAt: String(item.updatedAt),
    version: Number(item.version),
  };
}
