/** How the benchmark takes a route and its bare calls at 1 client, and GET's floor through the gateway. */
import { interleaved } from '../../../bench/phases';
import { GOALS, getFloor, withFloor } from '../../../bench/results';

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
