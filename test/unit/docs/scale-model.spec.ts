/**
 * The pure parts of the scale model behind docs/scale.md (bench/scale.ts): item sizes and capacity
 * units, the workflow's path, the counts of an approval, the cost arithmetic, the quotas and the
 * memory choice. The I/O (synth, measuring the handlers) is `npm run scale`'s.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { historyItem } from '../../../functions/adapters/dynamodb/items';
import { type AslDefinition, walk } from '../../../bench/scale/asl-walk';
import { APPROVALS } from '../../../bench/scale/calls';
import {
  chooseMemory,
  costPer1000,
  cpuScale,
  latencyAt,
  ONE_VCPU_MB,
  PRICES,
  type PerApproval,
  perApproval,
  QUOTAS,
  quotaUse,
} from '../../../bench/scale/model';
import { indexWrites, itemBytes, readUnits, unitsOf, valueBytes, writeUnits } from '../../../bench/scale/units';
import { profile } from '../../helpers/memory/fixtures';
import { pendingRequest } from '../../helpers/memory/requests';

const ASL = JSON.parse(readFileSync(path.join(__dirname, '..', '..', '..', 'statemachines', 'approval.asl.json'), 'utf8')) as AslDefinition;

describe('item sizes and capacity units', () => {
  test('attribute sizes as DynamoDB counts them: names and UTF-8 values, maps and lists with their overhead', () => {
    expect(itemBytes({ a: 'abc' })).toBe(4);
    expect(itemBytes({ name: 'é' })).toBe(4 + 2);
    expect(valueBytes(true)).toBe(1);
    expect(valueBytes(12345)).toBe(4);
    expect(valueBytes({ k: 'v' })).toBe(3 + 1 + 1 + 1);
    expect(valueBytes(['x', 'y'])).toBe(3 + 2 + 2);
  });

  test('a write unit per started KB, a read unit per started 4 KB, half when eventually consistent', () => {
    expect([writeUnits(0), writeUnits(1024), writeUnits(1025), writeUnits(3000)]).toEqual([1, 1, 2, 3]);
    expect([readUnits(4096, true), readUnits(4097, true), readUnits(100, false), readUnits(5000, false)]).toEqual([1, 2, 0.5, 1]);
  });

  test('index writes: a changed key is a delete and a put, a changed projection one put, nothing changed none', () => {
    const item = {
      PK: 'REQ#1',
      SK: 'REQUEST',
      doc: { a: 1 },
      state: 'requested',
      GSI1PK: 'S#r#0',
      GSI1SK: 't#1',
      GSI2PK: 'R#a',
      GSI2SK: 't#1',
    };
    expect(indexWrites(item, item)).toEqual({ all: 0, byState: 0 });
    expect(indexWrites(item, { ...item, doc: { a: 2 } })).toEqual({ all: 2, byState: 1 });
    expect(indexWrites(item, { ...item, state: 'approved', GSI1PK: 'S#a#0' })).toEqual({ all: 3, byState: 2 });
    expect(indexWrites(undefined, { ...item, GSI3PK: 'DUE#1', GSI3SK: 'x#1' })).toEqual({ all: 3, byState: 1 });
    expect(indexWrites({ ...item, GSI3PK: 'DUE#1', GSI3SK: 'x#1' }, { ...item, GSI3PK: 'DUE#1', GSI3SK: 'y#1' }).all).toBe(2);
  });

  test("an appended history entry is one write of its item's size; an unknown call is an error, not zero", () => {
    const request = pendingRequest();
    const entry = { at: request.createdAt, type: 'notified', actor: { id: 'workflow' }, detail: { text: 'x'.repeat(1500) } } as never;
    const after = { request, rounds: {} };
    expect(unitsOf({ call: 'store.appendHistory', args: [], after, history: [entry] }, profile()).writes).toBe(
      writeUnits(itemBytes(historyItem(request.id, entry))),
    );
    expect(writeUnits(itemBytes(historyItem(request.id, entry)))).toBe(2);
    expect(() => unitsOf({ call: 'store.somethingNew', args: [] }, profile())).toThrow(/no capacity model/);
  });
});

describe("the workflow's path", () => {
  const handlers = (plan: { done: boolean }, notified: { callback: boolean }) => ({
    'Plan round': async () => ({ ...plan, waitSeconds: 10, basis: '' }),
    'Await decision': async () => ({ outcome: 'approved' }),
    'Notify outcome': async () => notified,
    'Deliver callback': async () => ({}),
  });

  test('pending, then decided, without a callback: the six states of a plain approval', async () => {
    expect(await walk(ASL, handlers({ done: false }, { callback: false }), { requestId: 'r' })).toEqual(APPROVALS.plain.states);
  });

  test('ended at the first round, with a callback: Await decision skipped, Deliver callback taken', async () => {
    expect(await walk(ASL, handlers({ done: true }, { callback: true }), { requestId: 'r' })).toEqual([
      'Plan round',
      'Ended?',
      'Notify outcome',
      'Callback?',
      'Deliver callback',
      'Done',
    ]);
  });

  test('a state type it does not know stops the walk', async () => {
    await expect(walk({ StartAt: 'M', States: { M: { Type: 'Map' } } } as AslDefinition, {}, {})).rejects.toThrow(
      /unsupported state type Map/,
    );
  });
});

const per: PerApproval = {
  httpRequests: 2,
  invocations: { api: 2, step: 1 },
  streamRecords: 0,
  transitions: 6,
  startExecutions: 1,
  sendTasks: 1,
  units: { reads: 4, writes: 10, indexWrites: 2, stateIndexWrites: 2 },
  emails: 2,
  events: 1,
  kmsSigns: 1,
  directoryLists: 1,
  directoryReads: 1,
};

describe('counts and cost', () => {
  test('the counts of a plain approval, from its calls', () => {
    const counted = perApproval(APPROVALS.plain.invocations, APPROVALS.plain.states, per.units);
    expect(counted).toMatchObject({ httpRequests: 2, transitions: 6, startExecutions: 1, sendTasks: 1, emails: 2, events: 2, kmsSigns: 1 });
    expect(counted.invocations).toMatchObject({ createRequest: 1, decideRequest: 1, planRound: 1, awaitDecision: 1, notifyOutcome: 1 });
    expect(counted.streamRecords).toBe(APPROVALS.plain.invocations.filter((i) => i.fn === 'streamConsumer').length);
  });

  test('each cost line is its quantity per 1,000 approvals at its price; Lambda compute from memory and billed ms', () => {
    const lines = costPer1000(per, { memoryMb: { api: 1024, step: 512 }, durationMs: { api: 99.2, step: 200 }, logBytes: 0 });
    const line = (item: string) => lines.find((l) => l.item.startsWith(item));
    expect(line('Lambda compute')?.quantity).toBeCloseTo(1000 * (2 * 0.1 * 1 + 0.2 * 0.5), 6);
    expect(line('Lambda requests')?.dollars).toBeCloseTo(3000 * PRICES.lambdaRequest, 9);
    expect(line('Step Functions')?.dollars).toBeCloseTo(6000 * PRICES.stateTransition, 9);
    expect(line('DynamoDB writes (table)')?.dollars).toBeCloseTo(10_000 * PRICES.writeRequestUnit, 9);
    expect(line('SES')?.dollars).toBeCloseTo(2000 * PRICES.email, 9);
    expect(() => costPer1000(per, { memoryMb: {}, durationMs: {}, logBytes: 0 })).toThrow(/no duration or memory/);
  });
});

describe('quotas', () => {
  const options = {
    waitSeconds: 86_400,
    stateShards: 4,
    indexWritesPerShardPerApproval: 4,
    concurrency: 0.5,
    routeThrottle: { rate: 50, burst: 100 },
    routeRequestsPerApproval: 1,
  };

  test('what a rate needs of each quota, most used first', () => {
    const uses = quotaUse(per, 100, options);
    const need = (quota: { name: string }) => uses.find((u) => u.quota.name === quota.name)?.need;
    expect(need(QUOTAS.openExecutions)).toBe(8_640_000);
    expect(need(QUOTAS.stateTransitions)).toBe(600);
    expect(need(QUOTAS.lambdaConcurrency)).toBe(50);
    expect(need(QUOTAS.indexPartition)).toBe(100);
    expect(uses.map((u) => u.use)).toEqual([...uses.map((u) => u.use)].sort((a, b) => b - a));
    expect(uses[0]?.quota).toBe(QUOTAS.sesSandbox);
  });
});

describe('Lambda memory', () => {
  test('CPU time scales by 1,769/M below one vCPU, waiting does not', () => {
    expect(cpuScale(ONE_VCPU_MB)).toBe(1);
    expect(cpuScale(3008)).toBe(1);
    expect(latencyAt({ wallMs: 30, cpuMs: 10 }, ONE_VCPU_MB / 2)).toBeCloseTo(20 + 20, 9);
  });

  test('the smallest size within the budgets is chosen', () => {
    const handler = (cpuMs: number, initCpuMs: number) => ({ name: 'h', warm: { wallMs: cpuMs + 20, cpuMs }, init: { cpuMs: initCpuMs } });
    const sizes = [256, 512, 1024, ONE_VCPU_MB];
    expect(chooseMemory([handler(2, 100)], sizes, { budgetMs: 20, initBudgetMs: 1000 }).memoryMb).toBe(256);
    expect(chooseMemory([handler(12, 250)], sizes, { budgetMs: 20, initBudgetMs: 1000 }).memoryMb).toBe(1024);
    expect(chooseMemory([handler(2, 300)], sizes, { budgetMs: 20, initBudgetMs: 1000 }).memoryMb).toBe(1024);
    expect(chooseMemory([handler(40, 250)], sizes, { budgetMs: 20, initBudgetMs: 1000 }).memoryMb).toBe(ONE_VCPU_MB);
  });
});
