/**
 * Task invocation: each Task state of a run calls its configured function through a local
 * handler. An attempt is settled by the function (invoke), by SendTaskSuccess/Failure with the
 * task token it issued (waitForTaskToken), by its timeout, or by the run closing; its Task*
 * events go to the history. Retries and Catch are the library's, on the errors raised here.
 */
import { lambdaFunctionName, type TaskInfo } from './definition';
import type { ExecutionHistories } from './history';
import { statesTimeoutErrorFactory, UncatchableError } from './library';
import type { Attempt, Run } from './run';
import { type LongTimer, setLongTimeout } from './timers';
import { newTaskToken } from './tokens';
import type { LocalFunction } from './types';

const jsonClone = (value: unknown): unknown => (value === undefined ? null : JSON.parse(JSON.stringify(value)));

/** The error a failing Lambda function produces in a Step Functions task: name = errorType, Cause = the error payload. */
function functionError(error: unknown): Error {
  const errorType =
    error instanceof Error && error.name
      ? error.name
      : typeof error === 'object' && error !== null && typeof (error as { name?: unknown }).name === 'string'
        ? String((error as { name: string }).name)
        : 'Error';
  const errorMessage =
    error instanceof Error ? error.message : typeof error === 'string' ? error : (JSON.stringify(error) ?? String(error));
  const trace = error instanceof Error && typeof error.stack === 'string' ? error.stack.split('\n') : [];
  const result = new Error(JSON.stringify({ errorType, errorMessage, trace }));
  result.name = errorType;
  return result;
}

/** The fields every Task* history event of this task carries. */
const taskResource = (task: TaskInfo) => ({
  resourceType: 'lambda',
  resource: task.kind === 'callback' ? 'invoke.waitForTaskToken' : 'invoke',
});

export class TaskRunner {
  private readonly tokens = new Map<string, Attempt>();
  private newTimeoutError: () => Error = () => new Error('States.Timeout');

  constructor(
    private readonly region: string,
    private readonly timeScale: number,
    private readonly history: ExecutionHistories,
  ) {}

  /** Obtains the library's own States.Timeout error (library.ts). */
  async init(): Promise<void> {
    this.newTimeoutError = await statesTimeoutErrorFactory();
  }

  /** The open task attempt holding this token, if any. */
  attemptByToken(token: string): Attempt | undefined {
    const attempt = this.tokens.get(token);
    return attempt && !attempt.settled ? attempt : undefined;
  }

  /** The library's local handlers of a run: its Task states and its Waits run as tasks under a time scale. */
  handlers(run: Run): Record<string, (input: unknown) => Promise<unknown>> {
    const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
    for (const [stateName, task] of run.machine.prepared.tasks) {
      handlers[stateName] = (input) => this.runTask(run, task, input);
    }
    for (const stateName of run.machine.prepared.scaledWaits) {
      handlers[stateName] = (input) => this.runScaledWait(run, stateName, input);
    }
    return handlers;
  }

  private timeoutMs(task: TaskInfo, evaluated: unknown): number | undefined {
    let seconds: number | undefined;
    if (task.timeoutSeconds !== undefined) {
      seconds = task.timeoutSeconds;
    } else if (task.timeoutSecondsPath !== undefined) {
      if (!Number.isInteger(evaluated) || (evaluated as number) < 1) {
        throw new UncatchableError(
          'States.Runtime',
          `TimeoutSecondsPath '${task.timeoutSecondsPath}' must point to a positive integer, got ${JSON.stringify(evaluated)}`,
        );
      }
      seconds = evaluated as number;
    }
    return seconds === undefined ? undefined : seconds * 1000 * this.timeScale;
  }

  /** A Wait's SecondsPath under a time scale (definition.ts): `input` is `{ seconds }`, evaluated by the library. */
  private runScaledWait(run: Run, stateName: string, input: unknown): Promise<unknown> {
    const { seconds } = (input ?? {}) as { seconds?: unknown };
    if (run.closed) return Promise.reject(new UncatchableError('States.Runtime', 'Execution closed'));
    if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 0) {
      return Promise.reject(
        new UncatchableError(
          'States.Runtime',
          `Wait ${stateName}: SecondsPath must point to a non-negative integer, got ${JSON.stringify(seconds)}`,
        ),
      );
    }
    return new Promise((resolve, reject) => {
      const attempt: Attempt = {
        settled: false,
        succeed: () => settle(() => resolve(null)),
        fail: (error) => settle(() => reject(error)),
      };
      const timer = setLongTimeout(() => attempt.succeed(null), seconds * 1000 * this.timeScale);
      const settle = (done: () => void) => {
        if (attempt.settled) return;
        attempt.settled = true;
        timer.clear();
        run.attempts.delete(attempt);
        done();
      };
      run.attempts.add(attempt);
    });
  }

  /** The local handler of every Task state; `input` is the wrapper built in definition.ts, evaluated by the library. */
  private runTask(run: Run, task: TaskInfo, input: unknown): Promise<unknown> {
    const token = run.pendingToken;
    run.pendingToken = undefined;
    if (run.closed) return Promise.reject(new UncatchableError('States.Runtime', 'Execution closed'));
    try {
      const { params, timeoutSeconds } = (input ?? {}) as { params?: unknown; timeoutSeconds?: unknown };
      const timeoutMs = this.timeoutMs(task, timeoutSeconds);
      const { FunctionName: functionName, Payload } = (params ?? {}) as { FunctionName?: unknown; Payload?: unknown };
      if (typeof functionName !== 'string')
        throw new UncatchableError('States.Runtime', `Task ${task.stateName}: Parameters.FunctionName must be a string`);
      const fn = findFunction(run.machine.functions, functionName);
      const payload = jsonClone(Payload ?? {});
      const call = (): Promise<unknown> => {
        if (!fn) {
          const error = new Error(`Function not found: ${functionName}`);
          error.name = 'Lambda.ResourceNotFoundException';
          return Promise.reject(error);
        }
        return Promise.resolve()
          .then(() => fn(payload))
          .then(jsonClone)
          .catch((error: unknown) => Promise.reject(functionError(error)));
      };
      const scheduled = { parameters: JSON.stringify(params ?? null) };
      switch (task.kind) {
        case 'invoke':
          return this.attempt(run, task, scheduled, timeoutMs, undefined, (attempt) => {
            call().then((result) => attempt.succeed({ ExecutedVersion: '$LATEST', Payload: result, StatusCode: 200 }), attempt.fail);
          });
        case 'callback':
          return this.attempt(run, task, scheduled, timeoutMs, token ?? newTaskToken(), (attempt) => {
            // The function's result is ignored; its failure fails the task. The task waits for the token.
            call().then(() => this.history.appendTaskEvent(run, task.stateName, 'TaskSubmitted', taskResource(task)), attempt.fail);
          });
      }
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private attempt(
    run: Run,
    task: TaskInfo,
    scheduled: Record<string, unknown>,
    timeoutMs: number | undefined,
    token: string | undefined,
    start: (attempt: Attempt) => void,
  ): Promise<unknown> {
    const event = (type: string, details: Record<string, unknown> = {}) =>
      this.history.appendTaskEvent(run, task.stateName, `Task${type}`, { ...taskResource(task), ...details });
    return new Promise((resolve, reject) => {
      let timer: LongTimer | undefined;
      const settle = (action: () => void): void => {
        if (attempt.settled) return;
        attempt.settled = true;
        timer?.clear();
        run.attempts.delete(attempt);
        if (token) this.tokens.delete(token);
        action();
      };
      // Settled at once (the token is spent, the history has the event); the library moves on to the
      // next state on the next turn of the event loop, so a SendTaskSuccess answers before the
      // workflow's next step runs, as it does in the cloud.
      const attempt: Attempt = {
        settled: false,
        succeed: (value) =>
          settle(() => {
            event('Succeeded', { output: JSON.stringify(value ?? null) });
            setImmediate(() => resolve(value));
          }),
        fail: (error) =>
          settle(() => {
            if (error.name === 'States.Timeout') event('TimedOut', { error: 'States.Timeout' });
            else if (!(error instanceof UncatchableError)) event('Failed', { error: error.name, cause: error.message });
            setImmediate(() => reject(error));
          }),
      };
      if (token) this.tokens.set(token, attempt);
      run.attempts.add(attempt);
      event('Scheduled', {
        ...scheduled,
        region: this.region,
        ...(timeoutMs === undefined ? {} : { timeoutInSeconds: Math.ceil(timeoutMs / 1000) }),
      });
      event('Started');
      if (timeoutMs !== undefined) timer = setLongTimeout(() => attempt.fail(this.newTimeoutError()), timeoutMs);
      try {
        start(attempt);
      } catch (error) {
        attempt.fail(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }
}

export function findFunction(functions: Record<string, LocalFunction>, nameOrArn: string): LocalFunction | undefined {
  if (Object.hasOwn(functions, nameOrArn)) return functions[nameOrArn];
  const name = lambdaFunctionName(nameOrArn);
  return Object.hasOwn(functions, name) ? functions[name] : undefined;
}
