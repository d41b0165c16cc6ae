/** The local stack's Lambda (local/lambda.ts): a run past its kind's timeout fails as Lambda reports it; others pass through. */
import { LambdaTimeout, lambdaFunction, withLambdaTimeout } from '../../../local/lambda';

test('a run that never ends fails after the timeout with Sandbox.Timedout', async () => {
  const started = Date.now();
  const hung = withLambdaTimeout(() => new Promise<never>(() => {}), 0.05);
  const error = await hung({}).catch((caught: Error) => caught);
  expect(error).toBeInstanceOf(LambdaTimeout);
  expect(error).toMatchObject({ name: 'Sandbox.Timedout', message: 'Task timed out after 0.05 seconds' });
  expect(Date.now() - started).toBeGreaterThanOrEqual(45);
});

test("a run within it answers with its result or its own error, and gets the caller's event", async () => {
  const echo = withLambdaTimeout(async (event: { n: number }) => event.n * 2, 5);
  await expect(echo({ n: 21 })).resolves.toBe(42);
  const failing = withLambdaTimeout(async () => {
    throw new TypeError('bad input');
  }, 5);
  await expect(failing({})).rejects.toThrow(new TypeError('bad input'));
  const throwing = withLambdaTimeout(
    (() => {
      throw new RangeError('thrown before any promise');
    }) as () => Promise<never>,
    5,
  );
  await expect(throwing({})).rejects.toThrow(RangeError);
});

describe('a registry function run as Lambda runs it', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  /** Whether `promise` has settled after `ms` of fake time. */
  const settledAfter = async (promise: Promise<unknown>, ms: number) => {
    let settled = false;
    promise.then(
      () => {
        settled = true;
      },
      () => {
        settled = true;
      },
    );
    await jest.advanceTimersByTimeAsync(ms);
    return settled;
  };

  test.each([
    ['workflow-step', 30],
    ['event', 30],
    ['scheduled', 120],
    ['api', 10],
  ] as const)('a function of kind %s that never answers fails after %i s', async (kind, seconds) => {
    const run = lambdaFunction({ kind, entry: 'test/fixtures/lambda/hung.ts' })({});
    expect(await settledAfter(run, seconds * 1000 - 1)).toBe(false);
    expect(await settledAfter(run, 1)).toBe(true);
    await expect(run).rejects.toMatchObject({ name: 'Sandbox.Timedout', message: `Task timed out after ${seconds}.00 seconds` });
  });

  test('one that answers in time gives its answer', async () => {
    const echo = lambdaFunction({ kind: 'workflow-step', entry: 'test/fixtures/lambda/echo.ts' });
    await expect(echo({ id: 'r-1' })).resolves.toEqual({ echoed: { id: 'r-1' } });
    await expect(echo({ id: 'r-2' })).resolves.toEqual({ echoed: { id: 'r-2' } });
  });
});
