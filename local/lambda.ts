/**
 * Lambda's timeout for the functions the local stack invokes itself (the workflow steps, the
 * stream consumer, the reconciler): an invocation still running after its function's timeout
 * (TIMEOUT_SECONDS in functions/registry.ts) fails with the error Lambda reports, `Sandbox.Timedout`,
 * so its caller goes on as in the cloud (the workflow's Catch and retries, the outbox's batch
 * retry, the reconciler's next run) instead of waiting on it for as long as the task may wait (an
 * hour for Await decision). Lambda would then stop the run; in one process it cannot be stopped,
 * and whatever it still does lands late, as a slow retry's would (the steps claim emails and write
 * conditionally for that). Real seconds: the workflow engine's `timeScale` is for its own timers.
 */
export class LambdaTimeout extends Error {
  override name = 'Sandbox.Timedout';
}

export function withLambdaTimeout<Event, Result>(
  handler: (event: Event) => Promise<Result>,
  timeoutSeconds: number,
): (event: Event) => Promise<Result> {
  return (event) =>
    new Promise<Result>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new LambdaTimeout(`Task timed out after ${timeoutSeconds.toFixed(2)} seconds`)),
        timeoutSeconds * 1000,
      );
      // A stack being stopped does not wait for this timer.
      timer.unref();
      Promise.resolve()
        .then(() => handler(event))
        .then(resolve, reject)
        .finally(() => clearTimeout(timer));
    });
}
