import type * as z from './zod';
import { type FieldIssue, invalid } from './errors';

/** Turns a zod failure into the contract's 400: a message naming the first field, every issue in details. */
export function toInvalid(error: z.core.$ZodError, prefix?: string) {
  const issues: FieldIssue[] = error.issues.map((issue) => {
    const path = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
    return { field: path || '(body)', message: describe(issue) };
  });
  const first = issues[0] ?? { field: '(body)', message: 'is invalid' };
  return invalid(`${first.field} ${first.message}`, issues);
}

function describe(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `has unknown field(s): ${issue.keys.join(', ')}`;
  if (issue.code === 'invalid_type' && issue.input === undefined) return 'is required';
  if (issue.code === 'invalid_value' && 'values' in issue) return `must be one of: ${issue.values.map(String).join(', ')}`;
  const message = issue.message.replace(/^Invalid input: /, '');
  return /^(is|must|has)\b/.test(message) ? message : `is invalid: ${message}`;
}

/** Parses with a schema or throws the contract's 400. */
export function parse<S extends z.ZodMiniType>(schema: S, value: unknown, prefix?: string): z.infer<S> {
  // With the input on each issue, a value of the wrong type reads as such, not as a missing one.
  const result = schema.safeParse(value, { reportInput: true });
  if (!result.success) throw toInvalid(result.error, prefix);
  return result.data;
}
