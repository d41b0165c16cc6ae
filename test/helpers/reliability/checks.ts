/** Conditions over time, with deadlines instead of sleeps. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createHmac } from 'node:crypto';
import { resolve } from 'node:path';
import { waitFor } from '../../../local/net';

export { waitFor };

/**
 * Checks `probe` every `intervalMs` for `durationMs` and fails at the first time it is false:
 * "this stays true for a while" (no duplicate email arrives, nothing reaches a receiver).
 */
export async function holdsFor(probe: () => Promise<boolean> | boolean, durationMs: number, what: string, intervalMs = 250): Promise<void> {
  const end = Date.now() + durationMs;
  for (;;) {
    if (!(await probe())) throw new Error(`no longer true: ${what}`);
    if (Date.now() >= end) return;
    await new Promise((done) => setTimeout(done, Math.min(intervalMs, Math.max(0, end - Date.now()))));
  }
}

/** `npm run --silent callback-key -- --client <id>` with the service's DATA_DIR: that client's key. */
export function callbackKey(dataDir: string, clientId: string): string {
  const result = spawnSync('npm', ['run', '--silent', 'callback-key', '--', '--client', clientId], {
    cwd: resolve(__dirname, '../../..'),
    env: { ...process.env, DATA_DIR: dataDir },
    encoding: 'utf8',
    timeout: 60_000,
  });
  const key = (result.stdout ?? '').trim();
  if (result.status !== 0 || !key) {
    throw new Error(
      `npm run callback-key -- --client ${clientId} failed (exit ${result.status}): ${(result.stderr ?? '').trim().slice(0, 500)}`,
    );
  }
  return key;
}

/**
 * Whether `v1` is the HMAC-SHA256 of "<t>.<body>" under the printed key. The key is used as
 * printed, or as the bytes it encodes (hex or base64), whichever the service documents.
 */
export function signatureMatches(printedKey: string, header: string, body: string): boolean {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!match) return false;
  const candidates = [Buffer.from(printedKey, 'utf8')];
  if (/^[0-9a-f]+$/i.test(printedKey) && printedKey.length % 2 === 0) candidates.push(Buffer.from(printedKey, 'hex'));
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(printedKey)) candidates.push(Buffer.from(printedKey, 'base64'));
  return candidates.some((key) => createHmac('sha256', key).update(`${match[1]}.${body}`).digest('hex') === match[2]);
}

/** The state letter of a process (`T` when stopped by SIGSTOP), from /proc. */
export function processState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return undefined;
  }
}
