import { resolve } from 'node:path';
import * as z from '../functions/domain/zod';

const port = (fallback: number) => z._default(z.coerce.number().check(z.int(), z.minimum(0), z.maximum(65535)), fallback);

/**
 * The local stack's settings, from the environment (see the contract: PORT, MAIL_PORT, DATA_DIR; and
 * RECONCILE_EVERY_SECONDS, how often the reconciler runs, 0 for never: default 60).
 */
export function localSettings(env: NodeJS.ProcessEnv = process.env) {
  const parsed = z
    .object({
      PORT: port(3000),
      MAIL_PORT: port(8005),
      DATA_DIR: z._default(z.string().check(z.minLength(1)), '.local'),
      RECONCILE_EVERY_SECONDS: z._default(z.coerce.number().check(z.minimum(0), z.maximum(86400)), 60),
    })
    .safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`invalid setting ${issue?.path.join('.')}: ${issue?.message}`);
  }
  return {
    port: parsed.data.PORT,
    mailPort: parsed.data.MAIL_PORT,
    dataDir: resolve(parsed.data.DATA_DIR),
    reconcileEveryMs: parsed.data.RECONCILE_EVERY_SECONDS * 1000,
  };
}
