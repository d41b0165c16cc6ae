/**
 * DynamoDB capacity of one approval, from the items the adapters write (adapters/dynamodb/items.ts
 * and keys.ts), sized as DynamoDB sizes them, for each table call of a traced approval
 * (test/helpers/memory/approval-trace.ts). On-demand units: a write 1 per started KB (2 in a
 * transaction), a read 1 per started 4 KB (half when eventually consistent); an index write costs
 * as a write of the projected item, and a change of an index key is two (delete and put).
 */
import { findItem, historyItem, requestAttributes, taskItem } from '../../functions/adapters/dynamodb/items';
import { dueKeys, profileKey, receiptKey, requestKey, statsDayKey, statsMarkKey, taskKey } from '../../functions/adapters/dynamodb/keys';
import { findKeys } from '../../functions/domain/find';
import type { HistoryEntry } from '../../functions/domain/model';
import type { Profile } from '../../functions/domain/profile';
import { taskChanges } from '../../functions/domain/tasks';
import type { StoredRequest } from '../../functions/usecases/ports';

/**
 * A task token's length as stored: Step Functions documents tokens of up to 1,024 characters
 * (the local engine's are shorter), so the request item is sized with the longest.
 */
export const TASK_TOKEN_CHARS = 1024;

/** An attribute value's size as DynamoDB counts it (strings UTF-8, numbers about 1 byte per 2 digits + 1, maps and lists 3 + 1 per element). */
export function valueBytes(value: unknown): number {
  if (value === null || value === undefined || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (typeof value === 'number') return Math.ceil(String(Math.abs(value)).replace(/[.-]/g, '').replace(/^0+/, '').length / 2) + 1;
  if (value instanceof Map) return valueBytes(Object.fromEntries(value));
  if (Array.isArray(value)) return 3 + value.reduce<number>((sum, element) => sum + 1 + valueBytes(element), 0);
  if (typeof value === 'object')
    return (
      3 +
      Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .reduce((sum, [name, v]) => sum + 1 + Buffer.byteLength(name, 'utf8') + valueBytes(v), 0)
    );
  throw new Error(`no DynamoDB size for a ${typeof value}`);
}

/** An item's size: its attribute names and values. */
export const itemBytes = (item: Record<string, unknown>) =>
  Object.entries(item)
    .filter(([, v]) => v !== undefined)
    .reduce((sum, [name, v]) => sum + Buffer.byteLength(name, 'utf8') + valueBytes(v), 0);

export const writeUnits = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024));
export const readUnits = (bytes: number, consistent: boolean) => Math.max(1, Math.ceil(bytes / 4096)) * (consistent ? 1 : 0.5);

/** The request item as the adapters store it: key, request, index keys, and the round's bookkeeping (task token at its longest). */
export function requestItem(stored: StoredRequest): Record<string, unknown> {
  const { checkAt, taskToken, ...rounds } = stored.rounds;
  return {
    ...requestKey(stored.request.id),
    ...requestAttributes(stored.request),
    approvalEmails: {},
    ...rounds,
    ...(taskToken ? { taskToken: 'x'.repeat(TASK_TOKEN_CHARS) } : {}),
    ...(checkAt ? dueKeys(stored.request.id, checkAt) : {}),
  };
}

/** What the by-state and by-requester indexes project of a request item (keys, table keys, `doc`, `state`). */
function projected(item: Record<string, unknown>, index: 1 | 2): Record<string, unknown> {
  const { PK, SK, doc, state } = item;
  return { PK, SK, doc, state, [`GSI${index}PK`]: item[`GSI${index}PK`], [`GSI${index}SK`]: item[`GSI${index}SK`] };
}
const keysOnly = (item: Record<string, unknown>) => ({ PK: item.PK, SK: item.SK, GSI3PK: item.GSI3PK, GSI3SK: item.GSI3SK });

export interface Units {
  /** Read request units. */
  reads: number;
  /** Write request units on the table. */
  writes: number;
  /** Write request units on the indexes. */
  indexWrites: number;
  /** Of those, on the by-state index (its partitions are the write shards of keys.ts). */
  stateIndexWrites: number;
}
const none = (): Units => ({ reads: 0, writes: 0, indexWrites: 0, stateIndexWrites: 0 });

/** Index writes of a change of the request item: per index, 2 when its key changed, 1 when only projected attributes did (or it appeared or went). */
export function indexWrites(before: Record<string, unknown> | undefined, after: Record<string, unknown>): { all: number; byState: number } {
  let units = 0;
  let byState = 0;
  for (const index of [1, 2] as const) {
    if (index === 2) byState = units;
    const was = before?.[`GSI${index}PK`] === undefined ? undefined : projected(before, index);
    const now = projected(after, index);
    const keyChanged = was && (was[`GSI${index}PK`] !== now[`GSI${index}PK`] || was[`GSI${index}SK`] !== now[`GSI${index}SK`]);
    if (keyChanged) units += writeUnits(itemBytes(was)) + writeUnits(itemBytes(now));
    else if (!was || JSON.stringify(was) !== JSON.stringify(now)) units += writeUnits(itemBytes(now));
  }
  const dueBefore = before?.GSI3SK;
  const dueAfter = after.GSI3SK;
  if (dueBefore !== dueAfter) units += (dueBefore ? 1 : 0) + (dueAfter ? writeUnits(itemBytes(keysOnly(after))) : 0);
  return { all: units, byState };
}

export interface TableCallLike {
  call: string;
  args: unknown[];
  before?: StoredRequest;
  after?: StoredRequest;
  history?: HistoryEntry[];
}

/** The capacity units of one table call of the trace. */
export function unitsOf(call: TableCallLike, profile: Profile): Units {
  const units = none();
  const before = call.before && requestItem(call.before);
  const after = call.after && requestItem(call.after);
  const history = (call.history ?? []).map((entry) => itemBytes(historyItem(call.after?.request.id ?? 'x', entry)));
  switch (call.call) {
    case 'store.getProfile':
      units.reads = readUnits(itemBytes({ ...profileKey(profile.id), type: 'profile', ...profile }), false);
      break;
    case 'store.getRequest':
      units.reads = readUnits(itemBytes(after ?? before ?? {}), true);
      break;
    case 'store.getDelegation':
    case 'receipts.getReceipt':
      // A consistent GetItem of an item that is not there (no delegation, no receipt yet).
      units.reads = readUnits(0, true);
      break;
    case 'store.createRequest': {
      if (!call.after || !after) throw new Error('a create without its request');
      const request = call.after.request;
      const items = [
        after,
        ...(call.history ?? []).map((entry) => historyItem(request.id, entry)),
        ...taskChanges(undefined, request).opened.map((email) => taskItem(email, request)),
        ...findKeys(request).map((key) => findItem(key, request)),
      ];
      units.writes = 2 * items.reduce((sum, item) => sum + writeUnits(itemBytes(item)), 0);
      ({ all: units.indexWrites, byState: units.stateIndexWrites } = indexWrites(undefined, after));
      break;
    }
    case 'store.saveChange': {
      if (!call.before || !call.after || !before || !after) throw new Error('a change without its request');
      const { opened, closed } = taskChanges(call.before.request, call.after.request);
      const request = call.after.request;
      units.writes =
        2 *
        (writeUnits(Math.max(itemBytes(before), itemBytes(after))) +
          history.reduce((sum, bytes) => sum + writeUnits(bytes), 0) +
          opened.reduce((sum, email) => sum + writeUnits(itemBytes(taskItem(email, request))), 0) +
          closed.reduce(
            (sum, email) => sum + writeUnits(itemBytes({ ...taskKey(email, request), type: 'task', requestId: request.id })),
            0,
          ));
      ({ all: units.indexWrites, byState: units.stateIndexWrites } = indexWrites(before, after));
      break;
    }
    case 'store.appendHistory':
      units.writes = history.reduce((sum, bytes) => sum + writeUnits(bytes), 0);
      break;
    case 'store.setRoundBookkeeping':
      if (!before || !after) throw new Error(`${call.call} without its request`);
      // With its history entry, one transaction of the UpdateItem and the entry's PutItem.
      units.writes =
        history.length > 0
          ? 2 * (writeUnits(Math.max(itemBytes(before), itemBytes(after))) + history.reduce((sum, bytes) => sum + writeUnits(bytes), 0))
          : writeUnits(Math.max(itemBytes(before), itemBytes(after)));
      ({ all: units.indexWrites, byState: units.stateIndexWrites } = indexWrites(before, after));
      break;
    case 'store.claimApprovalEmail':
    case 'store.settleApprovalEmail':
    case 'store.claimClosingEmail':
    case 'store.settleClosingEmail':
    case 'store.claimReminder': {
      // An UpdateItem of the request item (conditional): the larger of the item before and after.
      if (!before || !after) throw new Error(`${call.call} without its request`);
      units.writes = writeUnits(Math.max(itemBytes(before), itemBytes(after)));
      ({ all: units.indexWrites, byState: units.stateIndexWrites } = indexWrites(before, after));
      break;
    }
    case 'stats.apply': {
      // One transaction: the request's mark and, per day, the bucket of its profile and of all profiles.
      const [requestId, version, profileId, deltas] = call.args as [string, number, string, Map<string, Record<string, number>>];
      const items = [
        { ...statsMarkKey(requestId), type: 'stats-mark', version },
        ...[...deltas].flatMap(([day, counters]) =>
          [profileId, undefined].map((scope) => ({ ...statsDayKey(scope, day), type: 'stats', ...counters })),
        ),
      ];
      units.writes = 2 * items.reduce((sum, item) => sum + writeUnits(itemBytes(item)), 0);
      break;
    }
    case 'receipts.putReceipt': {
      // One transaction: the receipt item, and its copy onto the request item (not projected by any index).
      const [requestId, receipt] = call.args as [string, Record<string, unknown>];
      if (!after) throw new Error('a receipt without its request');
      units.writes =
        2 *
        (writeUnits(itemBytes({ ...receiptKey(requestId), type: 'receipt', ...receipt })) +
          writeUnits(itemBytes({ ...after, receipt: receipt.receipt })));
      break;
    }
    default:
      throw new Error(`no capacity model for ${call.call}`);
  }
  return units;
}

export function sumUnits(list: readonly Units[]): Units {
  return list.reduce(
    (sum, u) => ({
      reads: sum.reads + u.reads,
      writes: sum.writes + u.writes,
      indexWrites: sum.indexWrites + u.indexWrites,
      stateIndexWrites: sum.stateIndexWrites + u.stateIndexWrites,
    }),
    none(),
  );
}
