/**
 * The local stand-ins for the stack's signing-key secrets (links and callbacks), made once per
 * DATA_DIR in `secrets.json` and served by the local Secrets Manager endpoint. The callback-key
 * command reads the same file.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const LINK_SECRET = 'approvals/link-signing-keys';
export const CALLBACK_SECRET = 'approvals/callback-signing-keys';

/** The secrets by name, made when DATA_DIR has none yet (whoever comes first, npm start or a command, makes them). */
export function signingSecrets(dataDir: string): Record<string, string> {
  const file = join(dataDir, 'secrets.json');
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  } catch {
    const keys = () => JSON.stringify({ currentKeyId: 'k1', keys: { k1: randomBytes(32).toString('base64') } });
    const secrets = { [LINK_SECRET]: keys(), [CALLBACK_SECRET]: keys() };
    mkdirSync(dataDir, { recursive: true });
    try {
      writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600, flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
      throw error;
    }
    return secrets;
  }
}
