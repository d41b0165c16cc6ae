/** The benchmark's phase timings and floors: what bench/results.json and docs/performance.md show of them. */
import { floorEntry, floorSpec } from '../../../bench/floors';
import { renderReport } from '../../../bench/report';
import { partOf } from '../../../bench/bundles';
import { beyondFloor, type Result, withFloor } from '../../../bench/results';
import { phaseTable, phaseTimer } from '../../../bench/timings';

test('each phase is timed in the order it ended, also when it fails', async () => {
  let clock = 0;
  const timer = phaseTimer(() => clock);
  await timer.time('seed', async () => {
    clock += 1234;
  });
  await expect(
    timer.time('measure', async () => {
      clock += 500;
      throw new Error('broken');
    }),
  ).rejects.toThrow('broken');
  expect(timer.phases).toEqual([
    { name: 'seed', seconds: 1.2 },
    { name: 'measure', seconds: 0.5 },
  ]);
});

test('the report lists every phase with its share of the run, and the time outside the phases', () => {
  const table = phaseTable(
    [
      { name: 'seed', seconds: 30 },
      { name: 'measure', seconds: 60 },
    ],
    120,
  ).join('\n');
  expect(table).toContain('| seed | 30 | 25% |');
  expect(table).toContain('| measure | 60 | 50% |');
  expect(table).toContain('| outside the phases (report, process exits) | 30 | 25% |');
  expect(phaseTable([], 10)).toEqual([]);
});

const row: Result = { name: 'largest bundle', value: 569, unit: 'KB', goal: '≤ 450 KB', met: false };

test('a floor above the goal marks the goal out of reach, one below it does not', () => {
  expect(withFloor(row, 450, { value: 468, of: 'the clients alone' })).toMatchObject({
    floor: 468,
    floorOf: 'the clients alone',
    outOfReach: true,
  });
  expect(withFloor(row, 450, { value: 300, of: 'the clients alone' })).toMatchObject({ floor: 300, outOfReach: false });
  expect(withFloor(row, 450, undefined)).toEqual(row);
  expect(withFloor(row, 450, { value: Number.NaN, of: 'not built' })).toEqual(row);

  const report = renderReport(
    [withFloor(row, 450, { value: 468, of: 'the clients alone' })],
    { cores: 2, cpu: 'x', minutes: '1', smoke: false, clients: [1, 2] },
    '',
  );
  expect(report).toContain(
    '| largest bundle | 569 KB |  |  | ≤ 450 KB | **not met**, out of reach (floor past the goal) | 468 KB: the clients alone |',
  );
});

test("a function's floor holds the client of each service its needs call, once, and the API's middlewares only for API functions", () => {
  const spec = floorSpec({
    kind: 'workflow-step',
    needs: ['table:get', 'table:put', 'workflow:task', 'email:send', 'links:sign', 'callback:accept'],
  });
  expect(spec).toEqual({ clients: ['dynamodb', 'secrets-manager', 'sesv2', 'sfn'], api: false });
  const entry = floorEntry(spec);
  for (const made of ['new DynamoDBClient', 'DynamoDBDocumentClient.from', 'new SecretsManagerClient', 'new SESv2Client', 'new SFNClient'])
    expect(entry).toContain(made);
  expect(entry.match(/new DynamoDBClient/g)).toHaveLength(1);
  expect(entry).not.toContain('http-json-body-parser');
  expect(floorEntry(floorSpec({ kind: 'api', needs: [] }))).toContain('http-json-body-parser');
});

test('a floor takes zod as the functions do: zod/mini with its English messages (functions/domain/zod.ts)', () => {
  const entry = floorEntry(floorSpec({ kind: 'api', needs: ['table:get'] }));
  expect(entry).toContain("from './functions/domain/zod'");
  expect(entry).not.toMatch(/from 'zod';/);
});

test("a bundle's bytes are told apart by where they come from, and a bundle row says what it holds beyond its floor", () => {
  expect(partOf('functions/domain/model.ts')).toBe('own');
  expect(partOf('node_modules/zod/v4/core/schemas.js')).toBe('zod');
  expect(partOf('node_modules/@smithy/core/dist-es/submodules/protocols/HttpProtocol.js')).toBe('sdk');
  expect(partOf('node_modules/@aws-sdk/client-sesv2/dist-es/schemas/schemas_0.js')).toBe('sdk');
  expect(partOf('node_modules/@middy/core/index.js')).toBe('other');
  expect(partOf('floor:api:dynamodb')).toBe('other');
  const bundle = { name: 'awaitDecision', bytes: 0, readOnly: false, parts: { own: 76_800, zod: 40_960, sdk: 310_272, other: 40_960 } };
  const floors = [
    { name: 'getRequest', clients: ['dynamodb'], bytes: 0, parts: { own: 0, zod: 0, sdk: 0, other: 0 } },
    { name: 'awaitDecision', clients: ['dynamodb'], bytes: 0, parts: { own: 512, zod: 15_360, sdk: 299_008, other: 41_472 } },
  ];
  expect(beyondFloor(bundle, floors)).toBe(
    "; beyond its floor, awaitDecision holds 74.5 KB more of the service's own code (functions/), 25 KB more of zod (the kinds of schema it builds), 11 KB more of the SDK (the commands it sends) and 0.5 KB less of the rest",
  );
  expect(beyondFloor({ ...bundle, name: 'linkPage' }, floors)).toBe('');
});
