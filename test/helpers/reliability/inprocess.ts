/**
 * The whole local stack in the test process (in-memory DynamoDB), on free ports, with settings
 * given as environment variables before any function loads (functions read them at cold start).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalStack, startLocalStack } from '../../../local/stack';
import { type Minter, minter } from './tokens';

export interface InProcess {
  stack: LocalStack;
  apiUrl: string;
  mailUrl: string;
  dataDir: string;
  mint: Minter;
  stop(): Promise<void>;
}

export async function startInProcess(env: Record<string, string> = {}): Promise<InProcess> {
  Object.assign(process.env, env);
  const dataDir = mkdtempSync(join(tmpdir(), 'approvals-reliability-'));
  const stack = await startLocalStack({ port: 0, mailPort: 0, dataDir, ephemeral: true });
  return {
    stack,
    apiUrl: stack.apiUrl,
    mailUrl: stack.mailUrl,
    dataDir,
    mint: await minter(dataDir, stack.userPool.put),
    async stop() {
      await stack.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
