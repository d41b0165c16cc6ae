/** How the benchmark takes a route and its bare calls at 1 client, and the floors of GET and of the search through the gateway. */
import { interleaved } from '../../../bench/phases';
import { GOALS, getFloor, searchFloor, withFloor } from '../../../bench/results';

test('each arm is called once per step, in an order rotated at every step, and its median is taken from its own calls', async () => {
  const order: string[] = [];
  const arm = (name: string) => async () => {
    order.push(name);
  };
  const figures = await interleaved({ samples: 4 }, { bare: arm('bare'), transact2: arm('transact2'), service: arm('service') });
  expect(order).toEqual([
    ...['bare', 'transact2', 'service'],
    ...['transact2', 'service', 'bare'],
    ...['service', 'bare', 'transact2'],
    ...['bare', 'transact2', 'service'],
  ]);
  for (const name of ['bare', 'transact2', 'service']) {
    expect(figures.samples[name]).toHaveLength(4);
    expect(figures[name]).toBeGreaterThanOrEqual(0);
  }
});

test("GET's floor is the bare Query plus the gateway's round trip, and out of reach only past the goal", () => {
  const row = { name: 'GET', value: 5, unit: 'ms', goal: '≤ 1.3×', met: false };
  const reachable = withFloor(row, GOALS.get * 4, getFloor({ service: 5, bare: 4, hop: 0.8 }));
  expect(reachable).toMatchObject({ floor: 4.8, outOfReach: false });
  expect(reachable.floorOf).toContain('1.2× the Query');
  expect(withFloor(row, GOALS.get * 4, getFloor({ service: 6, bare: 4, hop: 1.6 }))).toMatchObject({ floor: 5.6, outOfReach: true });
});

test("the search's floor is its first Queries made bare plus the gateway's round trip, against the goal's multiple of one Query page", () => {
  const row = { name: 'search', value: 7, unit: 'ms', goal: '≤ 2.2×', met: false };
  const search = { stored: 1000, service: 7, bare: 3, shards: 4.4, hop: 0.8, fresh: true };
  const reachable = withFloor(row, GOALS.searchPage * 3, searchFloor(search));
  expect(reachable).toMatchObject({ floor: 5.2, outOfReach: false });
  expect(reachable.floorOf).toContain('4.4 ms');
  expect(reachable.floorOf).toContain('1.73× the Query page');
  expect(withFloor(row, GOALS.searchPage * 3, searchFloor({ ...search, shards: 6 }))).toMatchObject({ floor: 6.8, outOfReach: true });
});
