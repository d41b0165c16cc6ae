/**
 * Every DynamoDB key of the single-table design, in one place.
 *
 * | item         | PK                         | SK                        | GSI1 (by state)                         | GSI2 (by requester)              |
 * |--------------|----------------------------|---------------------------|-----------------------------------------|----------------------------------|
 * | request      | `REQ#<id>`                 | `REQUEST`                 | `STATE#<state>#<shard>` / `<createdAt>#<id>` | `REQUESTER#<sub>` / `<createdAt>#<id>` |
 *
 * GSI3 (byDue, sparse, keys only): `DUE#<shard>` / `<checkAt>#<id>` on a request item while the
 * workflow owes it something (a round, an expiry, the outcome email or the callback); the
 * reconciler queries it for due checks, and the last outcome step removes both attributes.
 * | history      | `REQ#<id>`                 | `HISTORY#<at>#<nonce>`    | -                                       | -                                |
 * | receipt      | `REQ#<id>`                 | `RECEIPT`                 | -                                       | -                                |
 * | profile      | `PROFILES`                 | `PROFILE#<id>`            | -                                       | -                                |
 * | task         | `TASKS#<approver email>`   | `<createdAt>#<id>`        | -                                       | -                                |
 * | idempotency  | `IDEMPOTENCY#<sub>#<key>` (each escaped) | `IDEMPOTENCY`             | -                                       | -                                |
 * | find entry   | `FIND#<find key>`          | `<createdAt>#<id>`        | -                                       | -                                |
 * | delegation   | `DELEGATION#<delegator sub>` | `DELEGATION`            | -                                       | -                                |
 * | delegate entry | `DELEGATE#<delegate sub>` | `FROM#<delegator sub>`  | -                                       | -                                |
 *
 * The by-state index is write-sharded: a request lands in one of STATE_SHARDS
 * partitions per state (chosen from its id), so a burst of requests in one state
 * spreads over several index partitions instead of throttling one. A search
 * queries every shard of the state and merges them newest first, so each shard is
 * a Query per search: 4 shards take about 4,000 index writes per second per state
 * (1,000 per partition), far above any burst of approvals, at half the Queries of 8.
 *
 * Profiles share one partition, so listing them is a Query (they are few and written by admins).
 * A task item exists for each listed approver who has not approved a pending request yet
 * (domain/tasks.ts); it is written and removed in the same transaction as the request's change,
 * so an approver's task list is a Query of one partition, newest first.
 * A find entry exists for each findable value of a request (domain/find.ts: holder, card serial,
 * certificate serial, CSR names, requester email), written with the request, so a find is a Query
 * of the value's partition, newest first; the request id itself is found by its key.
 */
import { createHash, randomBytes } from 'node:crypto';
import { invalid } from '../../domain/errors';
import type { State } from '../../domain/model';

/** Partitions per state of the by-state index. */
export const STATE_SHARDS = 4;
/** Partitions of the reconciler's byDue index. */
export const DUE_SHARDS = 8;
export const INDEX_BY_STATE = 'byState';
export const INDEX_BY_REQUESTER = 'byRequester';
export const INDEX_BY_DUE = 'byDue';

export const requestKey = (id: string) => ({ PK: `REQ#${id}`, SK: 'REQUEST' });
/** The receipt of an approved request (written once, beside it). */
export const receiptKey = (id: string) => ({ PK: `REQ#${id}`, SK: 'RECEIPT' });
export const historyPrefix = 'HISTORY#';
export const historyKey = (id: string, at: string) => ({
  PK: `REQ#${id}`,
  SK: `${historyPrefix}${at}#${randomBytes(4).toString('hex')}`,
});
/**
 * Keys for entries of one change, in their order: entries at the same time sort as given (one
 * random suffix, counted up from a value with room below the top).
 */
export function historyKeys(id: string, ats: readonly string[]) {
  const base = randomBytes(4).readUInt32BE(0) >>> 8;
  return ats.map((at, index) => ({ PK: `REQ#${id}`, SK: `${historyPrefix}${at}#${(base + index).toString(16).padStart(8, '0')}` }));
}
const HISTORY_SORT_KEY = /^HISTORY#\d{4}-\d{2}-\d{2}T[\d:.]+Z#[0-9a-f]{8}$/;
/** A history page's cursor: the sort key of the last entry it holds, base64url-encoded. */
export const historyCursor = (sortKey: string) => Buffer.from(sortKey, 'utf8').toString('base64url');
/** The sort key a history cursor names; a cursor that no history page returned is an `invalid_request` error. */
export function historyCursorKey(cursor: string): string {
  const sortKey = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!HISTORY_SORT_KEY.test(sortKey))
    throw invalid('cursor is not a cursor this history returned', [{ field: 'cursor', message: 'is malformed' }]);
  return sortKey;
}
export const PROFILES_PARTITION = 'PROFILES';
export const profilePrefix = 'PROFILE#';
/** Whether a string is a profile item's sort key (`PROFILE#<id>`): checked on every profiles cursor. */
export const isProfileSortKey = (sortKey: string) => /^PROFILE#[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(sortKey);
export const profileKey = (id: string) => ({ PK: PROFILES_PARTITION, SK: `${profilePrefix}${id}` });
export const taskPartition = (approverEmail: string) => `TASKS#${approverEmail.toLowerCase()}`;
export const taskKey = (approverEmail: string, request: { id: string; createdAt: string }) => ({
  PK: taskPartition(approverEmail),
  SK: createdSortKey(request.createdAt, request.id),
});
export const findPartition = (key: string) => `FIND#${key}`;
export const findItemKey = (key: string, request: { id: string; createdAt: string }) => ({
  PK: findPartition(key),
  SK: createdSortKey(request.createdAt, request.id),
});
/**
 * An idempotency record's key: the caller's sub and their key, each escaped (encodeURIComponent
 * turns `#` into `%23` and `%` into `%25`), so no two (sub, key) pairs share a record: user `x#k`
 * with key `z` and user `x` with key `k#z` are `x%23k#z` and `x#k%23z`.
 */
export const idempotencyKey = (sub: string, key: string) => ({
  PK: `IDEMPOTENCY#${encodeURIComponent(sub)}#${encodeURIComponent(key)}`,
  SK: 'IDEMPOTENCY',
});

/**
 * An approver's delegation (out of office) and its entry under the delegate, written together, so
 * a delegate's delegators are a Query of one partition. Subs are escaped as in idempotencyKey.
 */
export const delegationKey = (delegatorId: string) => ({ PK: `DELEGATION#${encodeURIComponent(delegatorId)}`, SK: 'DELEGATION' });
export const delegatePartition = (delegateId: string) => `DELEGATE#${encodeURIComponent(delegateId)}`;
export const delegateEntryKey = (delegateId: string, delegatorId: string) => ({
  PK: delegatePartition(delegateId),
  SK: `FROM#${encodeURIComponent(delegatorId)}`,
});

/** The shard of a request among `shards` (the first byte of its id's SHA-256, modulo). */
export const shardOf = (id: string, shards: number) => (createHash('sha256').update(id).digest()[0] ?? 0) % shards;
export const statePartition = (state: State, shard: number) => `STATE#${state}#${shard}`;
export const requesterPartition = (sub: string) => `REQUESTER#${sub}`;
export const createdSortKey = (createdAt: string, id: string) => `${createdAt}#${id}`;
/**
 * Whether a string is a `<createdAt>#<id>` sort key (task items, the byState and byRequester
 * indexes): checked on every cursor that names one, so a forged cursor never reaches a Query.
 */
export const isCreatedSortKey = (sortKey: string) =>
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z#[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(sortKey);

/** The index attributes a request item carries for its current state. */
export function indexKeys(request: { id: string; state: State; createdAt: string; requester: { id: string } }) {
  const sort = createdSortKey(request.createdAt, request.id);
  return {
    GSI1PK: statePartition(request.state, shardOf(request.id, STATE_SHARDS)),
    GSI1SK: sort,
    GSI2PK: requesterPartition(request.requester.id),
    GSI2SK: sort,
  };
}

export const duePartition = (shard: number) => `DUE#${shard}`;
/** The sparse byDue index attributes of a request the reconciler must look at from `checkAt` on. */
export const dueKeys = (id: string, checkAt: string) => ({ GSI3PK: duePartition(shardOf(id, DUE_SHARDS)), GSI3SK: `${checkAt}#${id}` });
/** The upper bound (inclusive) of the byDue sort keys due at `now`. */
export const dueUntil = (now: string) => `${now}#~`;
/** The request id of a byDue index item. */
export const requestIdOf = (item: { PK?: unknown }) => String(item.PK).replace(/^REQ#/, '');
