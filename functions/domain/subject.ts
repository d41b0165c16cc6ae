/**
 * The checks of a request's subject as it arrives: bounded size, depth and arrays, no reserved
 * keys, no control characters where they do harm.
 */
/** Limits that keep a request item well inside DynamoDB's 400 KB item and 32-level nesting limits. */
export const MAX_SUBJECT_BYTES = 32 * 1024;
const MAX_SUBJECT_DEPTH = 8;
export const MAX_SUBJECT_ARRAY_ITEMS = 1000;
/** Control characters (C0, DEL, C1) and the Unicode line and paragraph separators. */
export const CONTROL_CHARACTERS = /[\p{Cc}\u2028\u2029]/u;
/**
 * Keys that name an object's prototype machinery. JSON.parse makes `__proto__` an own key, zod's
 * record drops it silently, and the DynamoDB marshaller takes an object with a `constructor` key
 * for a class instance (and throws): such keys are refused at any depth, so none reaches a store.
 */
export const RESERVED_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);
export const RESERVED_KEY_MESSAGE = 'is a reserved key (__proto__, constructor and prototype are refused)';

/** The path of the first reserved key anywhere in a parsed JSON value, or undefined (walked without recursion). */
export function reservedKeyPath(value: unknown): Array<string | number> | undefined {
  const stack: Array<{ value: unknown; path: Array<string | number> }> = [{ value, path: [] }];
  while (stack.length > 0) {
    const next = stack.pop() as { value: unknown; path: Array<string | number> };
    if (next.value === null || typeof next.value !== 'object') continue;
    for (const [key, child] of Object.entries(next.value)) {
      const path = [...next.path, Array.isArray(next.value) ? Number(key) : key];
      if (!Array.isArray(next.value) && RESERVED_KEYS.has(key)) return path;
      stack.push({ value: child, path });
    }
  }
  return undefined;
}

/**
 * The first problem of a subject, or undefined: walked without recursion, and stopping at the
 * first problem, so a hostile subject (a huge array, deep nesting) costs little to refuse.
 * Numbers must be finite, and integers safe (JSON.parse turns 1e400 into Infinity and rounds
 * 10000000000000001); arrays hold at most MAX_SUBJECT_ARRAY_ITEMS; keys are not empty, have no
 * control characters and none is reserved (RESERVED_KEYS).
 */
export function subjectProblem(subject: Record<string, unknown>): { path: Array<string | number>; message: string } | undefined {
  type Entry = { value: unknown; path: Array<string | number>; depth: number };
  const stack: Entry[] = [{ value: subject, path: [], depth: 0 }];
  let values = 0;
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop() as Entry;
    // Each value takes at least two bytes of JSON: more than this cannot fit in the size limit.
    if (++values > MAX_SUBJECT_BYTES / 2) return { path: [], message: `must be at most ${MAX_SUBJECT_BYTES / 1024} KB of JSON` };
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) return { path, message: 'must be a finite number' };
      if (Number.isInteger(value) && !Number.isSafeInteger(value)) {
        return {
          path,
          message: `must be a safe integer (at most ${Number.MAX_SAFE_INTEGER} in size) or a plain decimal; send larger numbers as strings`,
        };
      }
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_SUBJECT_DEPTH) return { path: [], message: `must not nest deeper than ${MAX_SUBJECT_DEPTH} levels` };
    if (Array.isArray(value)) {
      if (value.length > MAX_SUBJECT_ARRAY_ITEMS) return { path, message: `must hold at most ${MAX_SUBJECT_ARRAY_ITEMS} items` };
      value.forEach((item, index) => {
        stack.push({ value: item, path: [...path, index], depth: depth + 1 });
      });
      continue;
    }
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      if (CONTROL_CHARACTERS.test(key)) return { path, message: 'must not have keys with control characters (line breaks, tabs)' };
      // DynamoDB refuses an empty attribute name in a map.
      if (key === '') return { path, message: 'must not have an empty key' };
      if (RESERVED_KEYS.has(key)) return { path: [...path, key], message: RESERVED_KEY_MESSAGE };
      stack.push({ value: child, path: [...path, key], depth: depth + 1 });
    }
  }
  return undefined;
}
