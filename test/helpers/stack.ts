import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitForDynamoDbLocal } from '../../local/dynamodb';
import { type LocalIssuer, localIssuer } from '../../local/identity';
import { type LocalStack, startLocalStack } from '../../local/stack';
import { changeLocalUser, type LocalPerson, putLocalUser, userPoolFile } from '../../local/user-pool';
import { filePoolStore } from '../../local/user-pool-store';
import { SHARED_DYNAMODB_ENV } from '../setup/shared-dynamodb';

export interface TestUser {
  sub: string;
  email: string;
  groups?: string[];
}

/** The test's hand on the local user directory (the stack's user pool). */
export interface TestDirectory {
  /** Creates or replaces a user: verified and enabled unless said otherwise, in exactly `groups` (with a `name` when given). */
  put(user: TestUser & { name?: string; emailVerified?: boolean; enabled?: boolean }): void;
  /** What an administrator does with admin-disable-user / admin-enable-user. */
  disable(sub: string): void;
  enable(sub: string): void;
  /** Puts the user in exactly these groups (admin-add-user-to-group / admin-remove-user-from-group). */
  setGroups(sub: string, groups: string[]): void;
}

export interface Api {
  stack: LocalStack;
  issuer: LocalIssuer;
  dataDir: string;
  /** The local user directory, seeded with every entry of `users`. */
  directory: TestDirectory;
  /**
   * A token for this user, who is also put in the directory as the token command would (verified,
   * enabled, these groups) when missing or when this user's email or groups differ from what the
   * helpers last wrote for that sub; a change made through `directory` meanwhile is kept.
   */
  token(user: TestUser): Promise<string>;
  call(
    method: string,
    path: string,
    options?: { as?: TestUser; body?: unknown; headers?: Record<string, string>; raw?: string },
  ): Promise<{ status: number; body: any; headers: Headers }>;
  stop(): Promise<void>;
}

/**
 * The run's shared DynamoDB Local with a new table, when `npm test` started one (test/setup), once it
 * answers: its JVM starts while the first files run.
 */
export async function sharedDynamo(): Promise<{ endpoint: string; pid: number; tableName: string } | undefined> {
  const shared = process.env[SHARED_DYNAMODB_ENV];
  if (!shared) return undefined;
  const { endpoint, pid } = JSON.parse(shared) as { endpoint: string; pid: number };
  const alive = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  await waitForDynamoDbLocal(endpoint, () => (alive() ? undefined : `the run's shared DynamoDB Local (pid ${pid}) exited while starting`));
  return { endpoint, pid, tableName: `approvals-${randomUUID()}` };
}

/**
 * Starts the whole local stack on free ports with in-memory DynamoDB, for one test file: a table
 * of its own in the run's shared DynamoDB Local when there is one (test/setup), else its own
 * DynamoDB Local. `timeScale` (see LocalStackOptions) shortens the workflow's waits and retries.
 */
export async function startApi(
  options: {
    dataDir?: string;
    ephemeral?: boolean;
    timeScale?: number;
    callbackUrlPrefixes?: string;
    reconcileEveryMs?: number;
    outbox?: boolean;
    outboxIdlePollMs?: number;
  } = {},
): Promise<Api> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'approvals-test-'));
  const stack = await startLocalStack({
    port: 0,
    mailPort: 0,
    dataDir,
    ephemeral: options.ephemeral ?? true,
    // Data meant to outlive the stack (ephemeral: false) needs a DynamoDB Local of its own.
    sharedDynamo: options.ephemeral === false ? undefined : await sharedDynamo(),
    timeScale: options.timeScale,
    callbackUrlPrefixes: options.callbackUrlPrefixes,
    // Tests run the reconciler on demand (api.stack.reconcile()) unless they ask for the timer.
    reconcileEveryMs: options.reconcileEveryMs ?? 0,
    outbox: options.outbox,
    outboxIdlePollMs: options.outboxIdlePollMs,
    // The ASL file is validated once, by test/unit/infra/workflow.spec.ts, not at each file's start.
    validateWorkflow: false,
  });
  const issuer = await localIssuer(dataDir);
  // What the helpers last wrote of each sub (email and groups), so that a token for the same person
  // does not undo what a test changed through `directory` (disabled, taken out of a group).
  const written = new Map<string, string>();
  const shape = (user: TestUser) => JSON.stringify([user.email, [...(user.groups ?? [])].sort()]);
  const put = (person: LocalPerson & TestUser) => {
    stack.userPool.put(person);
    written.set(person.sub, shape(person));
  };
  for (const user of Object.values(users)) put(user);
  const directory: TestDirectory = {
    put,
    disable: (sub) => changeLocalUser(stack.userPool.store, sub, { enabled: false }),
    enable: (sub) => changeLocalUser(stack.userPool.store, sub, { enabled: true }),
    setGroups: (sub, groups) => changeLocalUser(stack.userPool.store, sub, { groups }),
  };
  const token = (user: TestUser) => {
    if (written.get(user.sub) !== shape(user)) {
      const known = stack.userPool.store.read((state) => Object.values(state.users).some((stored) => stored.attributes.sub === user.sub));
      if (known) changeLocalUser(stack.userPool.store, user.sub, { email: user.email, groups: user.groups ?? [] });
      else stack.userPool.put(user);
      written.set(user.sub, shape(user));
    }
    return issuer.sign({ sub: user.sub, email: user.email, groups: user.groups ?? [] });
  };
  return {
    stack,
    issuer,
    dataDir,
    directory,
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

/**
 * Puts a user in the user directory of a stack that runs in another process (`npm start`, see
 * test/helpers/process.ts) or is not running yet, through DATA_DIR's file as the token command does.
 */
export function putDirectoryUser(dataDir: string, person: LocalPerson): void {
  putLocalUser(filePoolStore(userPoolFile(dataDir)), person);
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
