/**
 * The API functions measured as deployed: each bundle built as its asset is (infra/bundle-function.ts,
 * the options of infra/bundling.ts), loaded with `--enable-source-maps` and JSON logs (no POWERTOOLS_DEV), against
 * the local stack of bench/scale/stack-child.ts running in another process. Module init is timed in
 * a fresh process per load; warm calls (create, GET, decide, in turn) in one process, each timed on
 * the wall clock and in CPU (process.cpuUsage), so only the handler's own work is counted.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FUNCTIONS } from '../../functions/registry';
import { bundleFunction } from '../../infra/bundle-function';
import { median } from '../load';

/** The API functions of an approval, and the stream consumer on a record of the round's bookkeeping (it calls nothing). */
export const MEASURED_FUNCTIONS = ['createRequest', 'getRequest', 'decideRequest', 'streamConsumer'] as const;
export type MeasuredFunction = (typeof MEASURED_FUNCTIONS)[number];

export interface Timing {
  wallMs: number;
  cpuMs: number;
}
export interface HandlerFigures {
  name: MeasuredFunction;
  /** Module init (the bundle's require), median of fresh processes. */
  init: Timing;
  /** A warm call, median. */
  warm: Timing;
  /** Log bytes a warm call writes, median. */
  logBytes: number;
}

/** Runs in the measuring process: loads the bundles, then calls them in turn. */
const DRIVER = `
const { performance } = require('node:perf_hooks');
const { writeFileSync } = require('node:fs');
const { randomUUID } = require('node:crypto');
const bundles = JSON.parse(process.env.SCALE_BUNDLES);
const rounds = Number(process.env.SCALE_ROUNDS);
const mode = process.env.SCALE_MODE;
let logged = 0;
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = (chunk, ...rest) => { logged += Buffer.byteLength(chunk); return true; };
const time = async (run) => {
  const c0 = process.cpuUsage(); const t0 = performance.now(); const l0 = logged;
  const result = await run();
  const wallMs = performance.now() - t0; const c = process.cpuUsage(c0);
  return { result, wallMs, cpuMs: (c.user + c.system) / 1000, logBytes: logged - l0 };
};
const claims = { alice: { sub: 'alice', email: 'alice@example.com', email_verified: 'true', 'cognito:groups': '[]', token_use: 'id' },
  bob: { sub: 'bob', email: 'bob@example.com', email_verified: 'true', 'cognito:groups': '[approvers]', token_use: 'id' } };
const event = (method, path, routeKey, who, body, pathParameters) => ({
  version: '2.0', routeKey, rawPath: path, rawQueryString: '',
  headers: { 'content-type': 'application/json', host: 'localhost' },
  ...(pathParameters ? { pathParameters } : {}),
  requestContext: { accountId: '000000000000', apiId: 'scale', authorizer: { jwt: { claims: claims[who], scopes: null } },
    domainName: 'localhost', domainPrefix: 'scale', http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'scale' },
    requestId: randomUUID(), routeKey, stage: '$default', time: new Date().toUTCString(), timeEpoch: Date.now() },
  ...(body ? { body: JSON.stringify(body) } : {}), isBase64Encoded: false,
});
const context = (name) => ({ callbackWaitsForEmptyEventLoop: false, functionName: name, functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:' + name, memoryLimitInMB: '256', awsRequestId: randomUUID(),
  logGroupName: '/aws/lambda/' + name, logStreamName: 'scale', getRemainingTimeInMillis: () => 10000 });
(async () => {
  if (mode === 'init') {
    const loaded = await time(() => require(bundles[process.env.SCALE_ONLY]));
    writeFileSync(process.env.SCALE_OUT, JSON.stringify({ wallMs: loaded.wallMs, cpuMs: loaded.cpuMs }));
    return;
  }
  const h = {};
  for (const [name, file] of Object.entries(bundles)) h[name] = require(file).handler;
  const samples = { createRequest: [], getRequest: [], decideRequest: [], streamConsumer: [] };
  const streamEvent = JSON.parse(require('node:fs').readFileSync(process.env.SCALE_STREAM_EVENT, 'utf8'));
  const check = (name, reply, status) => { if (reply.result.statusCode !== status) throw new Error(name + ' answered ' + reply.result.statusCode + ': ' + reply.result.body); };
  for (let round = 0; round < rounds; round++) {
    const created = await time(() => h.createRequest(event('POST', '/requests', 'POST /requests', 'alice',
      { kind: 'card.request', profileId: 'scale', subject: { holderId: 'E-' + round, cardProfile: 'PIV' } }), context('createRequest')));
    check('create', created, 201);
    const id = JSON.parse(created.result.body).id;
    const got = await time(() => h.getRequest(event('GET', '/requests/' + id, 'GET /requests/{id}', 'alice', undefined, { id }), context('getRequest')));
    check('get', got, 200);
    const decided = await time(() => h.decideRequest(event('POST', '/requests/' + id + '/decisions', 'POST /requests/{id}/decisions', 'bob',
      { decision: 'approve' }, { id }), context('decideRequest')));
    check('decide', decided, 200);
    const relayed = await time(() => h.streamConsumer(streamEvent, context('streamConsumer')));
    if (!relayed.result || relayed.result.batchItemFailures.length !== 0) throw new Error('the stream consumer failed the record');
    samples.createRequest.push(created); samples.getRequest.push(got); samples.decideRequest.push(decided); samples.streamConsumer.push(relayed);
  }
  const strip = (list) => list.map(({ wallMs, cpuMs, logBytes }) => ({ wallMs, cpuMs, logBytes }));
  writeFileSync(process.env.SCALE_OUT, JSON.stringify(Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, strip(v)]))));
})().catch((error) => { process.stderr.write(String(error && error.stack || error)); process.exit(1); });
`;

async function startStack(dataDir: string): Promise<{ child: ChildProcess; env: Record<string, string> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(__dirname, 'stack-child.ts')], {
    env: { ...process.env, DATA_DIR: dataDir },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += String(chunk);
  });
  const env = await new Promise<Record<string, string>>((resolveReady, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk) => {
      out += String(chunk);
      const line = out.split('\n').find((l) => l.startsWith('READY '));
      if (line) resolveReady(JSON.parse(line.slice('READY '.length)) as Record<string, string>);
    });
    child.once('exit', (code) => reject(new Error(`the scale stack exited (${code}): ${stderr.slice(-500)}`)));
  });
  return { child, env };
}

export async function measureHandlers(options: {
  initRuns: number;
  warmRounds: number;
  /** A DynamoDB stream event of one change of the request item's bookkeeping. */
  streamEvent: unknown;
  log: (line: string) => void;
}): Promise<HandlerFigures[]> {
  const dir = mkdtempSync(join(tmpdir(), 'approvals-scale-'));
  const { child, env } = await startStack(join(dir, 'data'));
  try {
    const bundles: Record<string, string> = {};
    for (const name of MEASURED_FUNCTIONS) {
      const entry = FUNCTIONS.find((fn) => fn.name === name)?.entry;
      if (!entry) throw new Error(`no function ${name} in the registry`);
      // As the function's asset is bundled (infra/bundle-function.ts): index.js and its source map.
      await bundleFunction(resolve(entry), join(dir, name));
      bundles[name] = join(dir, name, 'index.js');
    }
    const driver = join(dir, 'driver.cjs');
    writeFileSync(driver, DRIVER);
    const streamEvent = join(dir, 'stream-event.json');
    writeFileSync(streamEvent, JSON.stringify(options.streamEvent));
    const { POWERTOOLS_DEV: _dev, NODE_OPTIONS: _options, ...base } = process.env;
    const run = (extra: Record<string, string>) => {
      const out = join(dir, `out-${Date.now()}-${Math.random()}.json`);
      const result = spawnSync(process.execPath, ['--enable-source-maps', driver], {
        env: {
          ...base,
          ...env,
          POWERTOOLS_DEV: '',
          SCALE_BUNDLES: JSON.stringify(bundles),
          SCALE_STREAM_EVENT: streamEvent,
          SCALE_OUT: out,
          ...extra,
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      if (result.status !== 0) throw new Error(`the measuring process failed: ${result.stderr.toString().slice(-800)}`);
      return JSON.parse(readFileSync(out, 'utf8')) as unknown;
    };
    options.log(`handlers: module init, ${options.initRuns} fresh processes per function`);
    const inits = new Map<string, Timing[]>(MEASURED_FUNCTIONS.map((name) => [name, []]));
    for (let r = 0; r < options.initRuns; r++)
      for (const name of MEASURED_FUNCTIONS) inits.get(name)?.push(run({ SCALE_MODE: 'init', SCALE_ONLY: name }) as Timing);
    options.log(`handlers: ${options.warmRounds} warm rounds of create, GET, decide and a stream record`);
    const warm = run({ SCALE_MODE: 'warm', SCALE_ROUNDS: String(options.warmRounds) }) as Record<
      string,
      Array<Timing & { logBytes: number }>
    >;
    // The first rounds warm the connections and the directory cache: left out.
    const skip = Math.min(5, Math.floor(options.warmRounds / 4));
    return MEASURED_FUNCTIONS.map((name) => {
      const init = inits.get(name) ?? [];
      const calls = (warm[name] ?? []).slice(skip);
      return {
        name,
        init: { wallMs: median(init.map((t) => t.wallMs)), cpuMs: median(init.map((t) => t.cpuMs)) },
        warm: { wallMs: median(calls.map((t) => t.wallMs)), cpuMs: median(calls.map((t) => t.cpuMs)) },
        logBytes: median(calls.map((t) => t.logBytes)),
      };
    });
  } finally {
    child.stdin?.end();
    await new Promise((done) => {
      if (child.exitCode !== null) done(undefined);
      else child.once('exit', done);
    });
    rmSync(dir, { recursive: true, force: true });
  }
}
