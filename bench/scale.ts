/**
 * `npm run scale`: writes docs/scale.md, the cloud on paper, from
 * - the calls of one approval (bench/scale/calls.ts, which the tests check against the real code;
 *   traced again here through the use cases, so a difference stops the script),
 * - the items the adapters write (bench/scale/units.ts: DynamoDB units),
 * - the synthesized template (bench/scale/template.ts: memory, indexes, stream, workflow type),
 * - the API functions measured as deployed (bench/scale/handlers.ts: init and warm CPU),
 * with the arithmetic of bench/scale/model.ts. `SCALE_QUICK=1` measures fewer rounds.
 */
import '../local/esm-interop';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { marshall } from '@aws-sdk/util-dynamodb';
import { STATE_SHARDS } from '../functions/adapters/dynamodb/keys';
import { traceApproval } from '../test/helpers/memory/approval-trace';
import { APPROVALS } from './scale/calls';
import { type HandlerFigures, measureHandlers } from './scale/handlers';
import {
  chooseMemory,
  concurrencyPerApprovalPerSecond,
  costPer1000,
  functionOf,
  IDLE_RECORD,
  latencyAt,
  ONE_VCPU_MB,
  type PerApproval,
  PRICES,
  perApproval,
  QUOTAS,
  quotaUse,
} from './scale/model';
import { readTemplate } from './scale/template';
import { requestItem, sumUnits, TASK_TOKEN_CHARS, unitsOf } from './scale/units';

const RATES = [10, 100, 1000] as const;
const MEAN_WAIT_SECONDS = 86_400;
const SIZES = [256, 512, 1024, ONE_VCPU_MB] as const;
/** A warm API call may lose at most a fifth of a 100 ms interactive budget to a smaller CPU share; a cold start stays under a second. */
const BUDGET = { budgetMs: 20, initBudgetMs: 1000 };
const log = (line: string) => process.stderr.write(`scale: ${line}\n`);

const n = (value: number, digits = 0) => value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const dollars = (value: number) => `$${value < 0.01 ? value.toFixed(4) : value.toFixed(3)}`;
const percent = (value: number) => `${value < 0.01 ? value.toFixed(3) : n(value * 100, value < 0.1 ? 1 : 0)} %`;

export async function scaleModel(options: { quick: boolean }) {
  log('synthesizing the template');
  const template = readTemplate();
  const scenarios = {} as Record<keyof typeof APPROVALS, PerApproval>;
  for (const key of Object.keys(APPROVALS) as Array<keyof typeof APPROVALS>) {
    const trace = await traceApproval(key);
    if (
      JSON.stringify(trace.invocations) !== JSON.stringify(APPROVALS[key].invocations) ||
      JSON.stringify(trace.states) !== JSON.stringify(APPROVALS[key].states)
    )
      throw new Error(
        `the ${key} approval's calls differ from bench/scale/calls.ts: run npm test -- test/unit/lifecycle -t '^approval-calls '`,
      );
    const units = sumUnits(trace.tableCalls.map((call) => unitsOf(call, trace.profile)));
    // Events are entries of the PutEvents calls counted (each change publishes the entries its images call for).
    scenarios[key] = { ...perApproval(APPROVALS[key].invocations, APPROVALS[key].states, units), events: trace.events };
  }
  const handlers = await measureHandlers({
    initRuns: options.quick ? 3 : 7,
    warmRounds: options.quick ? 15 : 40,
    streamEvent: await bookkeepingRecord(),
    log,
  });
  const memoryOf = (key: string) => {
    const fn = functionOf(key);
    const figure = template.functions[fn]?.memoryMb;
    if (!figure) throw new Error(`no memory in the template for ${fn}`);
    return figure;
  };
  // Billed durations: the measured functions at their memory; the others as the median measured call at theirs.
  const api = handlers.filter((h) => h.name !== 'streamConsumer');
  const measured = Object.fromEntries(
    handlers.map((h) => [h.name === 'streamConsumer' ? IDLE_RECORD : h.name, latencyAt(h.warm, memoryOf(h.name))]),
  );
  const typical = [...api].sort((a, b) => a.warm.wallMs - b.warm.wallMs)[Math.floor(api.length / 2)];
  if (!typical) throw new Error('no handler measured');
  const allFns = new Set(Object.values(scenarios).flatMap((s) => Object.keys(s.invocations)));
  const durationMs = Object.fromEntries([...allFns].map((fn) => [fn, measured[fn] ?? latencyAt(typical.warm, memoryOf(fn))]));
  const memoryMb = Object.fromEntries([...allFns].map((fn) => [fn, memoryOf(fn)]));
  const logBytes = 600 + Math.max(...handlers.map((h) => h.logBytes));
  const choice = chooseMemory(api, SIZES, BUDGET);
  return { template, scenarios, handlers, durationMs, memoryMb, logBytes, typical, choice };
}

/** A stream record of the first change of a plain approval's bookkeeping (its task token stored), as the table's stream has it. */
async function bookkeepingRecord() {
  const trace = await traceApproval('plain');
  const change = trace.tableCalls.find((call) => call.call === 'store.setRoundBookkeeping' && call.before && call.after);
  if (!change?.before || !change.after) throw new Error('no bookkeeping change in the trace');
  const image = (stored: NonNullable<typeof change.before>) => marshall(requestItem(stored), { removeUndefinedValues: true });
  const NewImage = image(change.after);
  return {
    Records: [
      {
        eventID: '1',
        eventName: 'MODIFY',
        eventSource: 'aws:dynamodb',
        awsRegion: 'us-east-1',
        dynamodb: {
          Keys: { PK: NewImage.PK, SK: NewImage.SK },
          OldImage: image(change.before),
          NewImage,
          SequenceNumber: '100',
          StreamViewType: 'NEW_AND_OLD_IMAGES',
        },
      },
    ],
  };
}

type Model = Awaited<ReturnType<typeof scaleModel>>;

function perApprovalTable(model: Model): string[] {
  const { plain, quorum } = model.scenarios;
  const row = (label: string, value: (p: PerApproval) => string) => `| ${label} | ${value(plain)} | ${value(quorum)} |`;
  const inv = (p: PerApproval, fns: string[]) => fns.reduce((sum, fn) => sum + (p.invocations[fn] ?? 0), 0);
  return [
    `| per approval | ${APPROVALS.plain.title} | ${APPROVALS.quorum.title} |`,
    '|---|---|---|',
    row('HTTP API requests (create, decisions)', (p) => n(p.httpRequests)),
    row('Lambda: API functions', (p) => n(inv(p, ['createRequest', 'decideRequest']))),
    row(
      `Lambda: stream consumer, records (of which the round's bookkeeping; batches of up to ${model.template.streamBatchSize} under load)`,
      (p) => `${n(p.streamRecords)} (${n(p.invocations[IDLE_RECORD] ?? 0)})`,
    ),
    row('Lambda: workflow steps', (p) => n(inv(p, ['planRound', 'awaitDecision', 'notifyOutcome', 'deliverCallback']))),
    row(`Step Functions (${model.template.stateMachineType}) state transitions`, (p) => n(p.transitions)),
    row('StartExecution / SendTask* calls', (p) => `${p.startExecutions} / ${p.sendTasks}`),
    row('DynamoDB read units', (p) => n(p.units.reads, 1)),
    row('DynamoDB write units, table (transactions ×2)', (p) => n(p.units.writes)),
    row('DynamoDB write units, indexes (of which by-state)', (p) => `${n(p.units.indexWrites)} (${n(p.units.stateIndexWrites)})`),
    row('emails (SES)', (p) => n(p.emails)),
    row('events (EventBridge entries)', (p) => n(p.events)),
    row('KMS Sign (the receipt)', (p) => n(p.kmsSigns)),
    row('directory calls, cold cache (list / groups)', (p) => `${p.directoryLists} / ${p.directoryReads}`),
  ];
}

function costTable(model: Model): { lines: string[]; totals: Record<string, number> } {
  const lambda = { memoryMb: model.memoryMb, durationMs: model.durationMs, logBytes: model.logBytes };
  const plain = costPer1000(model.scenarios.plain, lambda);
  const quorum = costPer1000(model.scenarios.quorum, lambda);
  const total = (lines: typeof plain) => lines.reduce((sum, line) => sum + line.dollars, 0);
  return {
    totals: { plain: total(plain), quorum: total(quorum) },
    lines: [
      '| per 1,000 approvals | plain: quantity | plain: cost | quorum: quantity | quorum: cost |',
      '|---|---|---|---|---|',
      ...plain.map((line, index) => {
        const other = quorum[index] as (typeof quorum)[number];
        const q = (value: number) => n(value, value < 10 ? 2 : 0);
        return `| ${line.item} | ${q(line.quantity)} ${line.unit} | ${dollars(line.dollars)} | ${q(other.quantity)} ${other.unit} | ${dollars(other.dollars)} |`;
      }),
      `| **total** | | **${dollars(total(plain))}** | | **${dollars(total(quorum))}** |`,
    ],
  };
}

function quotaTable(model: Model) {
  const per = model.scenarios.plain;
  const concurrency = concurrencyPerApprovalPerSecond(per, model.durationMs);
  const options = {
    waitSeconds: MEAN_WAIT_SECONDS,
    stateShards: STATE_SHARDS,
    indexWritesPerShardPerApproval: per.units.stateIndexWrites,
    concurrency,
    routeThrottle: model.template.routeThrottle,
    // One create on POST /requests, each decision on POST /requests/{id}/decisions.
    routeRequestsPerApproval: Math.max(per.invocations.createRequest ?? 0, per.invocations.decideRequest ?? 0),
  };
  const byRate = RATES.map((rate) => ({ rate, uses: quotaUse(per, rate, options) }));
  const quotas = (byRate[0]?.uses ?? []).map((use) => use.quota);
  const cell = (rate: number, name: string) => {
    const use = byRate.find((r) => r.rate === rate)?.uses.find((u) => u.quota.name === name);
    if (!use) return '';
    const text = `${n(use.need, use.need < 10 ? 1 : 0)} (${percent(use.use)})`;
    return use.use > 1 ? `**${text}**` : text;
  };
  const lines = [
    `| quota (us-east-1 default) | value | ${RATES.map((r) => `at ${n(r)}/s`).join(' | ')} |`,
    `|---|---|${RATES.map(() => '---').join('|')}|`,
    ...quotas.map(
      (q) =>
        `| ${q.name}${q.checked ? '' : ' †'} | ${n(q.value)}${'bucket' in q && q.bucket ? ` (burst ${n(q.bucket)})` : ''} ${q.unit} | ${RATES.map((r) => cell(r, q.name)).join(' | ')} |`,
    ),
  ];
  // Production access lifts the sandbox's rate first: what binds after it.
  const first = byRate.map(({ rate, uses }) => ({
    rate,
    first: uses.find((u) => u.quota !== QUOTAS.sesSandbox),
    over: uses.filter((u) => u.use > 1 && u.quota !== QUOTAS.sesSandbox),
  }));
  return { lines, first, concurrency };
}

function memoryTable(model: Model): string[] {
  const header = `| function | init CPU | warm: wall / CPU | ${SIZES.map((s) => `${n(s)} MB: warm / init`).join(' | ')} |`;
  return [
    header,
    `|---|---|---|${SIZES.map(() => '---').join('|')}|`,
    ...model.handlers.map(
      (h: HandlerFigures) =>
        `| ${h.name === 'streamConsumer' ? 'streamConsumer (a bookkeeping record)' : h.name} | ${n(h.init.cpuMs)} ms | ${n(h.warm.wallMs, 1)} / ${n(h.warm.cpuMs, 1)} ms | ${SIZES.map(
          (s) => `${n(latencyAt(h.warm, s), 1)} / ${n(h.init.cpuMs * Math.max(1, ONE_VCPU_MB / s))} ms`,
        ).join(' | ')} |`,
    ),
  ];
}

/** Lambda compute of the API calls of a plain approval, per 1,000 approvals, at one memory size. */
function apiCost(model: Model, memoryMb: number): string {
  const perApproval = model.handlers
    .filter((h) => h.name === 'createRequest' || h.name === 'decideRequest')
    .reduce((sum, h) => sum + Math.ceil(latencyAt(h.warm, memoryMb)) * 0.001 * (memoryMb / 1024) * PRICES.lambdaGbSecond, 0);
  return dollars(1000 * perApproval);
}

export function renderScale(model: Model, when: string): string {
  const cost = costTable(model);
  const quotas = quotaTable(model);
  const plain = model.scenarios.plain;
  const apiMemory = [
    ...new Set(model.handlers.filter((h) => h.name !== 'streamConsumer').map((h) => model.template.functions[h.name]?.memoryMb)),
  ];
  const over = (rate: number) => quotas.first.find((f) => f.rate === rate)?.over ?? [];
  const names = (list: ReturnType<typeof over>) => list.map((u) => u.quota.name).join('; ');
  const firstAt = (rate: number) => quotas.first.find((f) => f.rate === rate)?.first;
  return [
    '# The cloud on paper',
    '',
    `Written by \`npm run scale\` (bench/scale.ts) on ${when}; do not edit by hand. Counts come from the calls of one`,
    "approval traced through the real use cases, the stream consumer and the workflow's path (bench/scale/calls.ts,",
    'checked by test/unit/lifecycle/calls.spec.ts and approval-calls.spec.ts), DynamoDB units from the items the adapters',
    `write (task token sized at ${n(TASK_TOKEN_CHARS)} characters), settings from the synthesized template, durations from the API`,
    'functions measured as deployed (bundled, source maps on, JSON logs) on this machine.',
    '',
    '## Per approval',
    '',
    ...perApprovalTable(model),
    '',
    `The workflow's path: ${APPROVALS.plain.states.join(' → ')}. Every change of the request item while it is pending or`,
    `approved passes the stream consumer's filter, so the round's bookkeeping (task token, email claims) costs ${n(
      plain.invocations[IDLE_RECORD] ?? 0,
    )} consumer invocations that do nothing in a plain approval (${n(model.durationMs[IDLE_RECORD] ?? 0, 1)} ms each, measured); stream reads by a Lambda trigger are free.`,
    '',
    `## Cost per 1,000 approvals (us-east-1, on-demand, no free tier; prices of ${PRICES.date}: ${PRICES.sources})`,
    '',
    ...cost.lines,
    '',
    `Lambda: ${model.template.functions.createRequest?.architecture}, memory from the template (API functions ${apiMemory.map((m) => n(m ?? 0)).join(', ')} MB),`,
    `durations measured for create, GET and decide, the other functions modelled as the median measured call (${model.typical.name}) at their own`,
    `memory (${n(model.durationMs.planRound ?? 0, 1)} ms at ${n(model.memoryMb.planRound ?? 0)} MB); the waits in them are DynamoDB Local's and the local`,
    "directory's, slower than the cloud's, so Lambda time and concurrency here are upper bounds;",
    `logs ${n(model.logBytes)} bytes per invocation (the measured application lines plus about 600 bytes of platform lines).`,
    '',
    `## Which quota binds first (plain approvals, mean wait ${n(MEAN_WAIT_SECONDS / 3600)} h)`,
    '',
    ...quotas.lines,
    '',
    `† Recalled from the quotas pages, not found in the documentation consulted: check the value in Service Quotas. Sources: ${[
      ...new Set(Object.values(QUOTAS).map((q) => q.source)),
    ].join('; ')}.`,
    `Lambda concurrency is approvals/s × ${n(quotas.concurrency, 2)} s of function time per approval; the by-state index takes`,
    `${n(plain.units.stateIndexWrites)} write units per approval over its ${STATE_SHARDS} write shards (\`STATE_SHARDS\` in functions/adapters/dynamodb/keys.ts);`,
    "directory calls are counted before the functions' 10 s cache (an upper bound). The SES sandbox binds at any rate:",
    `production access is the first request (${n(plain.emails)} emails per approval). After it:`,
    '',
    ...RATES.map(
      (rate) =>
        `- **${n(rate)}/s**: first ${firstAt(rate)?.quota.name} at ${percent(firstAt(rate)?.use ?? 0)}${
          over(rate).length > 1 ? `; then ${names(over(rate).slice(1))}` : ''
        }.`,
    ),
    '',
    `**100/s** needs SES production access at ${n(100 * plain.emails)} emails/s; the stage's route throttle (${n(
      model.template.routeThrottle.rate,
    )}/s per route in the template) raised; open executions raised to ${n(
      100 * MEAN_WAIT_SECONDS,
    )} (each pending request holds its execution for its whole wait; the design change is to hold none while`,
    'waiting: a timer per reminder or expiry (EventBridge Scheduler) and the outbox starting the outcome steps);',
    "and the directory reads under the Cognito quotas: a longer cache, or approvers' group membership read once per",
    `request. **1,000/s** needs besides: StartExecution ${n(1000 * plain.startExecutions)}/s, state transitions ${n(
      1000 * plain.transitions,
    )}/s and SendTask* ${n(1000 * plain.sendTasks)}/s raised; Lambda concurrency ${n(1000 * quotas.concurrency)};`,
    `more by-state shards (${n((1000 * plain.units.stateIndexWrites) / STATE_SHARDS)} WCU/s per shard now); and the stream's`,
    `${n(1000 * plain.streamRecords)} consumer records/s cut by keeping the round's bookkeeping where the filter can leave it out.`,
    '',
    '## Lambda memory by measurement',
    '',
    `Module init (the bundle's \`require\`, CPU time, median of fresh processes) and a warm call (median), here on one`,
    `core of this machine; at a memory size below ${n(ONE_VCPU_MB)} MB Lambda gives the share ${n(ONE_VCPU_MB)}/M of a vCPU, so CPU`,
    'time scales by that and waiting does not (init is treated as CPU-bound). Waiting here is DynamoDB Local and the',
    "local directory, not the cloud's.",
    '',
    ...memoryTable(model),
    '',
    `Chosen: ${n(model.choice.memoryMb)} MB for the API functions, ${model.choice.reason}. The template sets ${apiMemory.map((m) => n(m ?? 0)).join(', ')} MB${
      apiMemory.length === 1 && apiMemory[0] === model.choice.memoryMb ? ' (the same).' : ': the figures say to change it.'
    } What it costs: the API's part of a plain approval (create and decide) is ${apiCost(model, 256)} of Lambda compute per 1,000`,
    `approvals at 256 MB and ${apiCost(model, model.choice.memoryMb)} at ${n(model.choice.memoryMb)} MB, against ${dollars(cost.totals.plain ?? 0)} for the whole approval; the`,
    'workflow steps and the stream consumer answer nobody waiting and stay at 256 MB.',
    '',
  ].join('\n');
}

async function main() {
  const model = await scaleModel({ quick: process.env.SCALE_QUICK === '1' });
  const file = join(__dirname, '..', 'docs', 'scale.md');
  writeFileSync(file, renderScale(model, new Date().toISOString().slice(0, 10)));
  log(`wrote ${file}`);
}

if (require.main === module)
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
