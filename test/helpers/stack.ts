import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalIssuer, localIssuer } from '../../local/identity';
import { type LocalStack, startLocalStack } from '../../local/stack';
import { SHARED_DYNAMODB_ENV } from '../setup/shared-dynamodb';

export interface TestUser {
  sub: string;
  email: string;
  groups?: string[];
}

export interface Api {
  stack: LocalStack;
  issuer: LocalIssuer;
  dataDir: string;
  token(user: TestUser): Promise<string>;
  call(
    method: string,
    path: string,
    options?: { as?: TestUser; body?: unknown; headers?: Record<string, string>; raw?: string },
  ): Promise<{ status: number; body: any; headers: Headers }>;
  stop(): Promise<void>;
}

/** The run's shared DynamoDB Local with a new table, when `npm test` started one (test/setup). */
function sharedDynamo(): { endpoint: string; pid: number; tableName: string } | undefined {
  const shared = process.env[SHARED_DYNAMODB_ENV];
  if (!shared) return undefined;
  return { ...(JSON.parse(shared) as { endpoint: string; pid: number }), tableName: `approvals-${randomUUID()}` };
}

/**
 * Starts the whole local stack on free ports with in-memory DynamoDB, for one test file: a table
 * of its own in the run's shared DynamoDB Local when there is one (test/setup), else its own
 * DynamoDB Local. `timeScale` (see LocalStackOptions) shortens the workflow's waits and retries.
 */
export async function startApi(
  options: { dataDir?: string; ephemeral?: boolean; timeScale?: number; callbackUrlPrefixes?: string; reconcileEveryMs?: number } = {},
): Promise<Api> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'approvals-test-'));
  const stack = await startLocalStack({
    port: 0,
    mailPort: 0,
    dataDir,
    ephemeral: options.ephemeral ?? true,
    // Data meant to outlive the stack (ephemeral: false) needs a DynamoDB Local of its own.
    sharedDynamo: options.ephemeral === false ? undefined : sharedDynamo(),
    timeScale: options.timeScale,
    callbackUrlPrefixes: options.callbackUrlPrefixes,
    // Tests run the reconciler on demand (api.stack.reconcile()) unless they ask for the timer.
    reconcileEveryMs: options.reconcileEveryMs ?? 0,
  });
  const issuer = await localIssuer(dataDir);
  const token = (user: TestUser) => issuer.sign({ sub: user.sub, email: user.email, groups: user.groups ?? [] });
  return {
    stack,
    issuer,
    dataDir,
    token,
    async call(method, path, opts = {}) {
      const headers: Record<string, string> = { ...(opts.headers ?? {}) };
      if (opts.as) headers.authorization = `Bearer ${await token(opts.as)}`;
      let body: string | undefined = opts.raw;
      if (opts.body !== undefined) {
        body = JSON.stringify(opts.body);
        headers['content-type'] ??= 'application/json';
      }
      const response = await fetch(`${stack.apiUrl}${path}`, { method, headers, body });
      const text = await response.text();
      let parsed: unknown = text;
      if ((response.headers.get('content-type') ?? '').includes('json') && text) parsed = JSON.parse(text);
      return { status: response.status, body: parsed, headers: response.headers };
    },
    async stop() {
      await stack.stop();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const users = {
  admin: { sub: 'admin-1', email: 'admin@example.com', groups: ['admins'] },
  alice: { sub: 'alice', email: 'alice@example.com', groups: [] as string[] },
  bob: { sub: 'bob', email: 'bob@example.com', groups: [] as string[] },
  carol: { sub: 'carol', email: 'carol@example.com', groups: ['approvers'] },
  dave: { sub: 'dave', email: 'dave@example.com', groups: ['approvers'] },
  erin: { sub: 'erin', email: 'erin@example.com', groups: ['approvers'] },
  /** Listed on profiles but not in the approvers group. */
  frank: { sub: 'frank', email: 'frank@example.com', groups: [] as string[] },
} satisfies Record<string, TestUser>;

export const profile = (overrides: Record<string, unknown> = {}) => ({
  name: 'Smart cards',
  requireApprovalFor: ['card.request', 'card.lock', 'certificate.enroll', 'certificate.revoke'],
  approvers: [users.carol.email, users.dave.email, users.erin.email, users.frank.email],
  requiredApprovals: 1,
  remindAfter: 'PT1H',
  expireAfter: 'P2D',
  ...overrides,
});

export const cardRequest = (profileId: string, overrides: Record<string, unknown> = {}) => ({
  kind: 'card.request',
  profileId,
  subject: { holderId: 'h-100', cardProfile: 'PIV standard' },
  justification: 'new employee',
  ...overrides,
});
