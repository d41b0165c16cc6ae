/**
 * Cursors, opaque to clients: the one place where a cursor is decoded and checked. A cursor is
 * base64url JSON that a schema must accept in full (types, non-empty sort keys of the right
 * shape, the partition it was made for), so a forged one is a 400 and never reaches DynamoDB,
 * where an empty or foreign key would be a ValidationException (a 500).
 *
 * Paging over one partition of the table (profiles, an approver's tasks): the cursor is the
 * sort key of the last item returned, bound to the partition it came from.
 */
import * as z from '../../domain/zod';
import { invalid } from '../../domain/errors';
import type { Item } from './items';

const MALFORMED = [{ field: 'cursor', message: 'is malformed' }];

/** Encodes a cursor's content. */
export const encodeCursor = (content: unknown): string => Buffer.from(JSON.stringify(content)).toString('base64url');

/** A cursor's content as `schema` accepts it, or the 400 that says `list` did not return it. */
export function decodeCursor<S extends z.ZodMiniType>(cursor: string, schema: S, list: string): z.infer<S> {
  let text: unknown;
  try {
    text = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    text = undefined;
  }
  const result = schema.safeParse(text);
  if (!result.success) throw invalid(`cursor is not a cursor ${list} returned`, MALFORMED);
  return result.data;
}

export function encodePartitionCursor(lastEvaluatedKey: Item | undefined): string | null {
  if (!lastEvaluatedKey) return null;
  return encodeCursor({ p: String(lastEvaluatedKey.PK), s: String(lastEvaluatedKey.SK) });
}

/**
 * The ExclusiveStartKey of a cursor: its partition must be `partition` and its sort key one that
 * `isSortKey` accepts (keys.ts says what each partition's sort keys look like); anything else is a 400.
 */
export function decodePartitionCursor(
  cursor: string | undefined,
  partition: string,
  isSortKey: (sortKey: string) => boolean,
): { PK: string; SK: string } | undefined {
  if (cursor === undefined) return undefined;
  const schema = z.strictObject({ p: z.literal(partition), s: z.string().check(z.minLength(1), z.maxLength(400), z.refine(isSortKey)) });
  const { p, s } = decodeCursor(cursor, schema, 'this list');
  return { PK: p, SK: s };
}
