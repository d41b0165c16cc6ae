import { resolve } from 'node:path';
import { z } from 'zod';

const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);

/**
 * The local stack's settings, from the environment (see the contract: PORT, MAIL_PORT, DATA_DIR; and
 * RECONCILE_EVERY_SECONDS, how often the reconciler runs, 0 for never: default 60).
 */
export function localSettings(env: NodeJS.ProcessEnv = process.env) {
  const parsed = z
    .object({
      PORT: port(3000),
      MAIL_PORT: port(8005),
      DATA_DIR: z.string().min(1).default('.local'),
      RECONCILE_EVERY_SECONDS: z.coerce.number().min(0).max(86400).default(60),
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
