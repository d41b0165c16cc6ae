/**
 * Where the engine reaches into aws-local-stepfunctions beyond its documented API. Each
 * piece says which behaviour of the library it works around; re-check them when the
 * library's version changes (the unit tests under test/unit/local fail if one breaks).
 * The rewrites of the definition itself are in definition.ts.
 */
import { ExecutionError, StateMachine } from 'aws-local-stepfunctions';
import { LAMBDA_INVOKE } from './definition';

/**
 * An error the library neither retries nor catches: its Retry/Catch code reads these two
 * (undocumented) properties. The engine raises it for failures AWS does not let a
 * definition handle either (States.Runtime, a closed execution).
 */
export class UncatchableError extends Error {
  readonly isRetryable = false;
  readonly isCatchable = false;
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

let timeoutErrorFactory: Promise<() => Error> | undefined;

/**
 * The engine enforces Task timeouts itself (see definition.ts), so it must raise the same
 * error the library raises: the library matches `States.TaskFailed` against any Task error
 * that is not an instance of its own StatesTimeoutError, which it does not export. A plain
 * Error named States.Timeout would therefore be caught by a `States.TaskFailed` Catch,
 * unlike in AWS. The class is obtained once from a throwaway run that times out after 1 ms.
 */
export function statesTimeoutErrorFactory(): Promise<() => Error> {
  timeoutErrorFactory ??= (async () => {
    const probe = { StartAt: 'T', States: { T: { Type: 'Task', Resource: LAMBDA_INVOKE, TimeoutSeconds: 0.001, End: true } } };
    let release = (): void => {};
    try {
      const machine = new StateMachine(probe as unknown as ConstructorParameters<typeof StateMachine>[0], {
        validationOptions: { noValidate: true },
      });
      const pending = new Promise<null>((resolve) => {
        release = () => resolve(null);
      });
      await machine.run({}, { overrides: { taskResourceLocalHandlers: { T: () => pending } } }).result;
    } catch (error) {
      const cause = (error as { cause?: unknown }).cause;
      if (cause instanceof Error && cause.name === 'States.Timeout') {
        const Ctor = cause.constructor as new () => Error;
        return () => new Ctor();
      }
    } finally {
      release();
    }
    return () => Object.assign(new Error('States.Timeout'), { name: 'States.Timeout' });
  })();
  return timeoutErrorFactory;
}

/**
 * The error and cause AWS records for a failed execution, from what the library's run
 * rejects with: an ExecutionError wrapping the state's error in `cause`. A Fail state
 * without Error/Cause comes out as FailStateError with a fixed message, where AWS records
 * neither.
 */
export function executionFailure(error: unknown): { error?: string; cause?: string } {
  const inner = error instanceof ExecutionError ? (error as Error & { cause?: unknown }).cause : undefined;
  if (!(inner instanceof Error)) return { error: 'States.Runtime', cause: error instanceof Error ? error.message : String(error) };
  return {
    error: inner.name === 'FailStateError' ? undefined : inner.name,
    cause: inner.message === 'Execution failed because of a Fail state' ? undefined : inner.message,
  };
}

/** A state event of the library's event log (its types are not exported). */
export interface LibraryStateEvent {
  type: 'StateEntered' | 'StateExited';
  timestamp: number;
  state: { name: string; type: string; input: unknown; output?: unknown };
}

/**
 * Reads the library's event log to the end (the library closes it with the execution's
 * last event) and hands on the states entered and exited. The log must be read in any
 * case: the library queues every event until it is read, so an unread log grows for the
 * whole life of a long execution.
 */
export async function readStateEvents(eventLogs: AsyncIterable<unknown>, onEvent: (event: LibraryStateEvent) => void): Promise<void> {
  for await (const event of eventLogs) {
    const type = (event as { type?: unknown }).type;
    if (type === 'StateEntered' || type === 'StateExited') onEvent(event as LibraryStateEvent);
  }
}
