/**
 * Paging over one partition of the table (profiles, an approver's tasks): the cursor is the sort
 * key of the last item returned, opaque to clients and bound to the partition it came from.
 */
import * as z from 'zod';
import { invalid } from '../../domain/errors';
import type { Item } from './items';

const cursorSchema = z.strictObject({ p: z.string().max(400), s: z.string().max(400) });

export function encodePartitionCursor(lastEvaluatedKey: Item | undefined): string | null {
  if (!lastEvaluatedKey) return null;
  return Buffer.from(JSON.stringify({ p: String(lastEvaluatedKey.PK), s: String(lastEvaluatedKey.SK) })).toString('base64url');
}

/** The ExclusiveStartKey of a cursor; a cursor of another partition or not ours is a 400. */
export function decodePartitionCursor(cursor: string | undefined, partition: string): { PK: string; SK: string } | undefined {
  if (cursor === undefined) return undefined;
  let parsed: z.infer<typeof cursorSchema> | undefined;
  try {
    const result = cursorSchema.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    parsed = result.success ? result.data : undefined;
  } catch {
    parsed = undefined;
  }
  if (!parsed || parsed.p !== partition) {
    throw invalid('cursor is not a cursor this list returned', [{ field: 'cursor', message: 'is malformed' }]);
  }
  return { PK: parsed.p, SK: parsed.s };
}
