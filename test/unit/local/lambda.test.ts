/** The local stack's Lambda timeout (local/lambda.ts): a run past it fails as Lambda reports it; others pass through. */
import { LambdaTimeout, withLambdaTimeout } from '../../../local/lambda';

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
