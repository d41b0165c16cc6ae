import { z } from 'zod';

/**
 * Reads and checks environment variables once, at cold start. A missing or
 * malformed variable stops the function at once with a message naming it,
 * instead of failing later on a request.
 */
export function readEnv<T extends z.ZodRawShape>(shape: T): z.infer<z.ZodObject<T>> {
  const result = z.object(shape).safeParse(process.env);
  if (!result.success) {
    const names = result.error.issues.map((issue) => `${issue.path.join('.')} (${issue.message})`).join(', ');
    throw new Error(`configuration error: environment variable(s) missing or invalid: ${names}`);
  }
  return result.data;
}

export const tableEnv = { TABLE_NAME: z.string().min(3) };

