/**
 * `npm run bench:speed`: the service's own overhead on create, decide and GET, as a user runs it.
 * Starts `npm start`'s entry (local/start.ts: the gateway, DynamoDB Local on disk, the outbox's
 * stream poller, the reconciler) with Lambda's settings (NODE_OPTIONS=--enable-source-maps, JSON
 * logs: POWERTOOLS_DEV unset), and times, from one client, interleaved:
 * - POST /requests against the same calls made bare: the profile's GetItem and the create's
 *   TransactWriteItems with the same items (built by the service's own adapter from a request the
 *   service created, with another id);
 * - POST /requests/{id}/decisions (approve) against a consistent GetItem of the request and the
 *   decision's TransactWriteItems with the same items and conditions (on requests created the
 *   same way, whose workflows wait with a stored task token, as the service's do);
 * - GET /requests/{id} against one consistent Query of the request's partition.
 * Settings (environment): SPEED_SAMPLES (default 60 of each), SPEED_DEV=1 (pretty logs, as npm start
 * sets by default), SPEED_STACK=bench (the benchmark's service process instead: the same stack with
 * DynamoDB Local in memory), SPEED_CPU_PROF=<dir> (node --cpu-prof of the service; where its busy
 * time went while timed, by module and by function).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomInt, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoRequestStore } from '../functions/adapters/dynamodb/requests';
import { historyPrefix, profileKey, requestKey } from '../functions/adapters/dynamodb/keys';
import { toStored } from '../functions/adapters/dynamodb/items';
import type { ApprovalRequest, HistoryEntry } from '../functions/domain/model';
import { firstCheckAt, outcomeCheckAt } from '../functions/usecases/checks';
import { localIssuer } from '../local/identity';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../local/net';
import { putLocalUser, userPoolFile } from '../local/user-pool';
import { filePoolStore } from '../local/user-pool-store';
import { closeClient, http, median, percentile } from './load';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

/**
 * Where node's busy time went between `fromMs` and `toMs` after the profile's start (the timed
 * part): self time by function and inclusive time by module (package or project file).
 */
export function windowSummary(file: string, fromMs: number, toMs: number, top = 25): string[] {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const root = resolve('.');
  const moduleOf = (url: string) => {
    const pkg = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url);
    if (pkg) return pkg[1];
    if (url.includes(root)) return url.slice(url.indexOf(root) + root.length + 1);
    return url.startsWith('node:') ? url : undefined;
  };
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let at = 0;
  let busy = 0;
  let idle = 0;
  profile.samples.forEach((sample, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    at += delta / 1000;
    if (at < fromMs || at > toMs) return;
    const node = byId.get(sample);
    if (node?.callFrame.functionName === '(idle)') {
      idle += delta;
      return;
    }
    busy += delta;
    const frame = node?.callFrame;
    const name = `${frame?.functionName || '(anonymous)'} ${moduleOf(frame?.url ?? '') ?? frame?.url ?? ''}:${frame?.lineNumber ?? ''}`;
    self.set(name, (self.get(name) ?? 0) + delta);
    const seen = new Set<string>();
    for (let id: number | undefined = sample; id !== undefined; id = parent.get(id)) {
      const bucket = moduleOf(byId.get(id)?.callFrame.url ?? '');
      if (bucket) seen.add(bucket);
    }
    for (const bucket of seen) inclusive.set(bucket, (inclusive.get(bucket) ?? 0) + delta);
  });
  const list = (totals: Map<string, number>) =>
    [...totals]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => `${(us / 1000).toFixed(0).padStart(7)} ms ${((100 * us) / busy).toFixed(0).padStart(3)}%  ${name}`);
  return [
    `busy ${(busy / 1000).toFixed(0)} ms, idle ${(idle / 1000).toFixed(0)} ms`,
    'inclusive, by module:',
    ...list(inclusive),
    'self, by function:',
    ...list(self),
  ];
}

const PROFILE = {
  name: 'Speed',
  requireApprovalFor: ['card.request'],
  approvers: ['carol@example.com'],
  requiredApprovals: 1,
  remindAfter: 'PT4H',
  expireAfter: 'P3D',
};

type Input = ConstructorParameters<typeof TransactWriteCommand>[0];

/** The TransactWriteItems input the service's adapter sends for `write`, without sending it. */
async function captured(table: string, write: (store: DynamoRequestStore) => Promise<unknown>): Promise<Input> {
  let input: Input | undefined;
  const db = {
    send: async (command: { input: Input }) => {
      input = command.input;
      return {};
    },
  } as unknown as DynamoDBDocumentClient;
  await write(new DynamoRequestStore(db, table));
  if (!input) throw new Error('the adapter sent nothing');
  return input;
}

/** `input` with every occurrence of `from` (a request id) replaced by `to`. */
const withId = (input: Input, from: string, to: string): Input => JSON.parse(JSON.stringify(input).replaceAll(from, to)) as Input;

function startService(dataDir: string, port: number, mailPort: number, cpuProfDir?: string): { child: ChildProcess; api: Promise<string> } {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    MAIL_PORT: String(mailPort),
    DATA_DIR: dataDir,
    NODE_OPTIONS: [process.env.NODE_OPTIONS, '--enable-source-maps'].filter(Boolean).join(' '),
  };
  if (process.env.SPEED_DEV === '1') env.POWERTOOLS_DEV = 'true';
  else env.POWERTOOLS_DEV = 'false';
  // SPEED_STACK=bench: the benchmark's service process (the same stack, DynamoDB Local in memory).
  const entry = process.env.SPEED_STACK === 'bench' ? 'bench/stack-process.ts' : 'local/start.ts';
  const args = [...(cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`] : []), '--import', 'tsx', entry];
  const child = spawn(process.execPath, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let head = '';
  const api = new Promise<string>((resolveApi) => {
    if (entry === 'local/start.ts') return resolveApi(`http://127.0.0.1:${port}`);
    const onData = (chunk: Buffer) => {
      head += chunk.toString();
      const ready = head.split('\n').find((line) => line.startsWith('READY '));
      if (!ready) return;
      child.stdout?.off('data', onData);
      child.stdout?.resume();
      resolveApi((JSON.parse(ready.slice('READY '.length)) as { apiUrl: string }).apiUrl);
    };
    child.stdout?.on('data', onData);
  });
  if (entry === 'local/start.ts') child.stdout?.resume();
  child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(chunk));
  return { child, api };
}

async function waitReady(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`the service exited (${child.exitCode})`);
    const ok = await http('GET', `${url}/health`).then(
      (reply) => reply.status === 200,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the service did not answer in 120 s');
}

function dynamoEndpoint(dataDir: string): { endpoint: string; table: string } {
  const text = readFileSync(join(dataDir, 'endpoints.env'), 'utf8');
  const value = (name: string) =>
    text
      .split('\n')
      .find((line) => line.startsWith(`export ${name}=`))
      ?.slice(`export ${name}=`.length)
      .replace(/^'(.*)'$/, '$1');
  const endpoint = value('AWS_ENDPOINT_URL_DYNAMODB');
  const table = value('TABLE_NAME');
  if (!endpoint || !table) throw new Error('endpoints.env names no DynamoDB endpoint');
  return { endpoint, table };
}

async function main() {
  const samples = Number(process.env.SPEED_SAMPLES ?? 60);
  const root = resolve('.local');
  const dataDir = join(root, `speed-${process.pid}`);
  mkdirSync(dataDir, { recursive: true });
  const cpuProfDir = process.env.SPEED_CPU_PROF ? resolve(process.env.SPEED_CPU_PROF) : undefined;
  const before = new Set(cpuProfDir && existsSync(cpuProfDir) ? readdirSync(cpuProfDir) : []);
  const port = randomInt(3100, 4000);
  const mailPort = randomInt(8100, 9000);
  const spawnedAt = performance.now();
  const service = startService(dataDir, port, mailPort, cpuProfDir);
  const { child } = service;
  let window = { fromMs: 0, toMs: 0 };
  try {
    const api = await service.api;
    await waitReady(api, child);
    const { endpoint, table } = dynamoEndpoint(dataDir);
    const db = DynamoDBDocumentClient.from(
      new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 5 }),
      { marshallOptions: { removeUndefinedValues: true } },
    );
    const issuer = await localIssuer(dataDir);
    const pool = filePoolStore(userPoolFile(dataDir));
    const auth = async (sub: string, email: string, groups: string[]) => {
      putLocalUser(pool, { sub, email, groups });
      return { authorization: `Bearer ${await issuer.sign({ sub, email, groups })}` };
    };
    const admin = await auth('admin-1', 'admin@example.com', ['admins']);
    const alice = await auth('alice', 'alice@example.com', []);
    const carol = await auth('carol', 'carol@example.com', ['approvers']);
    const put = await http('PUT', `${api}/profiles/speed`, { headers: admin, body: PROFILE });
    if (put.status !== 200) throw new Error(`PUT profile: ${put.status} ${put.body}`);

    const body = () => ({
      kind: 'card.request',
      profileId: 'speed',
      subject: { holderId: `E-${randomUUID().slice(0, 8)}`, cardProfile: 'PIV standard' },
      justification: 'speed',
    });
    const create = async (): Promise<ApprovalRequest> => {
      const reply = await http('POST', `${api}/requests`, { headers: alice, body: body() });
      if (reply.status !== 201) throw new Error(`POST /requests: ${reply.status} ${reply.body}`);
      return JSON.parse(reply.body) as ApprovalRequest;
    };
    const decide = async (id: string) => {
      const reply = await http('POST', `${api}/requests/${id}/decisions`, { headers: carol, body: { decision: 'approve' } });
      if (reply.status !== 200) throw new Error(`POST decision: ${reply.status} ${reply.body}`);
    };
    const stored = async (id: string) => {
      const { Item } = await db.send(new GetCommand({ TableName: table, Key: requestKey(id), ConsistentRead: true }));
      if (!Item) throw new Error(`request ${id} is not stored`);
      return toStored(Item);
    };
    const history = async (id: string) =>
      ((
        await db.send(
          new QueryCommand({
            TableName: table,
            KeyConditionExpression: 'PK = :pk AND begins_with(SK, :h)',
            ExpressionAttributeValues: { ':pk': requestKey(id).PK, ':h': historyPrefix },
            ConsistentRead: true,
          }),
        )
      ).Items ?? []) as Array<Record<string, unknown>>;
    const entryOf = (item: Record<string, unknown>) => {
      const { PK: _pk, SK: _sk, type: _type, ...entry } = item;
      return entry as unknown as HistoryEntry;
    };
    /** Until every request's workflow waits with a stored task token (as a decision finds it). */
    const waitingWithToken = async (ids: readonly string[]) => {
      for (const id of ids) {
        for (let i = 0; ; i++) {
          if ((await stored(id)).rounds.taskToken) break;
          if (i > 600) throw new Error(`no task token on ${id}`);
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    };

    // Templates: a create and a decision as the service wrote them, sent again by the adapter's code.
    const template = await create();
    await waitingWithToken([template.id]);
    const createdEntry = entryOf((await history(template.id))[0] ?? {});
    const createInput = await captured(table, (store) =>
      store.createRequest({ request: template, history: createdEntry }, undefined, firstCheckAt(template.createdAt)),
    );
    const previous = await stored(template.id);
    const entriesBefore = (await history(template.id)).length;
    await decide(template.id);
    const after = await stored(template.id);
    const newEntries = (await history(template.id)).slice(entriesBefore).map(entryOf);
    const [decisionEntry, ...moreEntries] = newEntries;
    if (!decisionEntry) throw new Error('the decision wrote no history entry');
    const decideInput = await captured(table, (store) =>
      store.saveChange(
        { request: after.request, history: decisionEntry, ...(moreEntries.length ? { more: moreEntries } : {}) },
        previous.request,
        outcomeCheckAt(after.request.updatedAt),
        { sameTaskToken: previous.rounds.taskToken ?? null },
      ),
    );

    const bareCreate = async (id = randomUUID()) => {
      await db.send(new GetCommand({ TableName: table, Key: profileKey('speed') }));
      await db.send(new TransactWriteCommand(withId(createInput, template.id, id)));
      return id;
    };
    const bareDecide = async (id: string) => {
      const { Item } = await db.send(new GetCommand({ TableName: table, Key: requestKey(id), ConsistentRead: true }));
      const input = withId(decideInput, template.id, id);
      const update = input.TransactItems?.[0]?.Update;
      if (!update?.ExpressionAttributeValues || !Item) throw new Error('no update');
      update.ExpressionAttributeValues[':token'] = Item.taskToken;
      update.ExpressionAttributeValues[':expected'] = Item.version;
      await db.send(new TransactWriteCommand(input));
    };
    const get = async () => {
      const reply = await http('GET', `${api}/requests/${template.id}`, { headers: alice });
      if (reply.status !== 200) throw new Error(`GET: ${reply.status}`);
    };
    const bareGet = () =>
      db.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'PK = :pk',
          ExpressionAttributeValues: { ':pk': requestKey(template.id).PK },
          ConsistentRead: true,
          Limit: 22,
        }),
      );

    const settle = process.env.SPEED_SETTLE === '1';
    /** Until the new requests' workflows wait for a decision and the decided ones' outcome emails are sent. */
    const settled = async (createdIds: readonly string[], decidedIds: readonly string[]) => {
      await waitingWithToken(createdIds);
      for (const id of decidedIds) {
        for (let i = 0; !(await stored(id)).rounds.outcomeNotifiedAt; i++) {
          if (i > 600) throw new Error(`no outcome email for ${id}`);
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    };

    // Requests to decide on, both kinds made before timing, each waiting with its task token.
    const serviceTargets: string[] = [];
    const bareTargets: string[] = [];
    for (let i = 0; i < samples; i++) {
      serviceTargets.push((await create()).id);
      bareTargets.push(await bareCreate());
    }
    await waitingWithToken([...serviceTargets, ...bareTargets]);
    // Warm-up, then samples in alternating order.
    for (let i = 0; i < 5; i++) {
      await create();
      await bareCreate();
      await get();
      await bareGet();
    }
    const times: Record<string, number[]> = { create: [], bareCreate: [], decide: [], bareDecide: [], get: [], bareGet: [] };
    const timed = async (name: string, run: () => Promise<unknown>) => {
      const start = performance.now();
      await run();
      times[name]?.push(performance.now() - start);
    };
    window = { fromMs: performance.now() - spawnedAt, toMs: 0 };
    for (let i = 0; i < samples; i++) {
      const made: string[] = [];
      const decided = [serviceTargets[i] as string, bareTargets[i] as string];
      const pairs: Array<[string, () => Promise<unknown>, string, () => Promise<unknown>]> = [
        ['create', () => create().then((request) => made.push(request.id)), 'bareCreate', () => bareCreate().then((id) => made.push(id))],
        ['get', get, 'bareGet', bareGet],
        ['decide', () => decide(decided[0] as string), 'bareDecide', () => bareDecide(decided[1] as string)],
      ];
      for (const [name, run, bareName, bare] of pairs) {
        if (i % 2 === 0) {
          await timed(name, run);
          await timed(bareName, bare);
        } else {
          await timed(bareName, bare);
          await timed(name, run);
        }
        // SPEED_SETTLE=1: the workflows the pair set off (in Lambda, other instances run them) finish
        // before the next pair, so each call meets a quiet service process.
        if (settle) await settled(made.splice(0), name === 'decide' ? decided : []);
      }
    }
    window.toMs = performance.now() - spawnedAt;
    const line = (name: string, bare: string) => {
      const s = median(times[name] ?? []);
      const b = median(times[bare] ?? []);
      return `${name.padEnd(7)} ${s.toFixed(2).padStart(7)} ms (p90 ${percentile(times[name] ?? [], 90).toFixed(1)}) vs bare ${b.toFixed(2).padStart(6)} ms (p90 ${percentile(times[bare] ?? [], 90).toFixed(1)}): ${(s / b).toFixed(2)}×`;
    };
    console.log(
      `${samples} samples each, ${process.env.SPEED_DEV === '1' ? 'pretty' : 'JSON'} logs, source maps on, ${process.env.SPEED_STACK === 'bench' ? 'DynamoDB Local in memory' : 'npm start (DynamoDB Local on disk)'}${settle ? ', workflows settled between pairs' : ''}; ${new Date().toISOString()}`,
    );
    console.log(line('create', 'bareCreate'));
    console.log(line('decide', 'bareDecide'));
    console.log(line('get', 'bareGet'));
    db.destroy();
  } finally {
    closeClient();
    await new Promise<void>((done) => {
      if (child.exitCode !== null) return done();
      child.once('exit', () => done());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 20_000).unref();
    });
    rmSync(dataDir, { recursive: true, force: true });
  }
  if (cpuProfDir) {
    for (const name of readdirSync(cpuProfDir).filter((file) => !before.has(file) && file.endsWith('.cpuprofile'))) {
      console.log(`${join(cpuProfDir, name)}:`);
      for (const summary of windowSummary(join(cpuProfDir, name), window.fromMs, window.toMs)) console.log(`  ${summary}`);
    }
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
