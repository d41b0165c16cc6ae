/**
 * The functions the local stack invokes itself (the workflow steps, the stream consumer, the
 * reconciler), run as Lambda runs them: the handler is loaded on the first invocation (a cold
 * start, once the stack has set the environment) and kept (a warm instance), and an invocation
 * still running after its kind's timeout (TIMEOUT_SECONDS in functions/registry.ts, which the CDK
 * stack sets too) fails with the error Lambda reports, `Sandbox.Timedout`. Its caller then goes on
 * as in the cloud (the workflow's Catch and retries, the outbox's batch retry, the reconciler's
 * next run) instead of waiting on it for as long as the task may wait (an hour for Await
 * decision). Lambda would also stop the run; in one process it cannot be stopped, and whatever it
 * still does lands late, as a slow retry's would (the steps claim emails and write conditionally
 * for that). Real seconds: the workflow engine's `timeScale` is for its own timers.
 */
import { resolve } from 'node:path';
import { type ServiceFunctionEntry, TIMEOUT_SECONDS } from '../functions/registry';

export class LambdaTimeout extends Error {
  override name = 'Sandbox.Timedout';
}

/** `handler`, failed with LambdaTimeout when an invocation runs longer than `timeoutSeconds`. */
export function withLambdaTimeout<Event, Result>(
  handler: (event: Event) => Promise<Result>,
  timeoutSeconds: number,
): (event: Event) => Promise<Result> {
  return (event) =>
    new Promise<Result>((resolveRun, reject) => {
      const timer = setTimeout(
        () => reject(new LambdaTimeout(`Task timed out after ${timeoutSeconds.toFixed(2)} seconds`)),
        timeoutSeconds * 1000,
      );
      // A stack being stopped does not wait for this timer.
      timer.unref();
      Promise.resolve()
        .then(() => handler(event))
        .then(resolveRun, reject)
        .finally(() => clearTimeout(timer));
    });
}

/** The registry entry's function, invoked as Lambda invokes it (see above). */
export function lambdaFunction<Event = unknown, Result = unknown>(
  fn: Pick<ServiceFunctionEntry, 'entry' | 'kind'>,
): (event: Event) => Promise<Result> {
  let handler: ((event: Event) => Promise<Result>) | undefined;
  return withLambdaTimeout((event: Event) => {
    handler ??= require(resolve(fn.entry)).handler as (event: Event) => Promise<Result>;
    return handler(event);
  }, TIMEOUT_SECONDS[fn.kind]);
}
