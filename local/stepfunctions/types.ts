/** What the local Step Functions offers its callers (local/stack.ts and the tests). */

export type LocalFunction = (payload: unknown) => Promise<unknown>;

export interface LocalStateMachineOptions {
  /** e.g. 'approval'; the state machine ARN ends with `stateMachine:<name>`. */
  name: string;
  /** Path of the ASL file, e.g. statemachines/approval.asl.json. */
  definitionFile: string;
  /** Replaces `${Name}` in the file text before JSON.parse (an unknown `${Name}` is an error). */
  substitutions?: Record<string, string>;
  /**
   * Lambda functions by name: `lambda:invoke` / `lambda:invoke.waitForTaskToken` tasks call the
   * one named in Parameters.FunctionName (a name, or a Lambda ARN whose function name is a key)
   * with the evaluated Payload. What a function throws fails the task with error = its `name`.
   */
  functions: Record<string, LocalFunction>;
}

export interface StepFunctionsServerOptions {
  /** 0 picks a free port. */
  port: number;
  /** Defaults to 127.0.0.1. */
  host?: string;
  /** Executions persist in `<dataDir>/stepfunctions/executions.json`. */
  dataDir: string;
  region?: string;
  accountId?: string;
  stateMachines: LocalStateMachineOptions[];
  /** One line per execution start/finish (never inputs, outputs or task tokens). */
  log?: (line: string) => void;
  /**
   * Multiplies the durations of Task timeouts (TimeoutSeconds/TimeoutSecondsPath), the
   * execution timeout, Retry IntervalSeconds/MaxDelaySeconds and Wait Seconds. For tests;
   * default 1.
   */
  timeScale?: number;
  /**
   * Validate each definition with the library's validator at start (default true). The
   * validator compiles its JSON schemas on every call (about 0.5 s); unit tests of the
   * engine, which start many small machines, turn it off.
   */
  validate?: boolean;
}

/**
 * A fault for tests, in-process only (no route serves it): every call of the named actions answers
 * as AWS does when Step Functions is down (`unavailable`: 503 ServiceUnavailable) or throttling
 * (`throttle`: 400 ThrottlingException), until cleared. The SDK's own retries count as calls.
 */
export interface StepFunctionsFault {
  actions: string[];
  error: 'unavailable' | 'throttle';
}

export interface StepFunctionsServer {
  url: string;
  /** Sets the fault (undefined clears it); for tests. */
  setFault(fault: StepFunctionsFault | undefined): void;
  port: number;
  region: string;
  accountId: string;
  stateMachineArn(name: string): string;
  executionArn(stateMachineName: string, executionName: string): string;
  /**
   * Stops accepting requests, aborts running executions WITHOUT recording them as finished
   * (a server started later on the same dataDir re-runs them), clears timers, waits for
   * pending writes and for the HTTP server to close. Idempotent.
   */
  close(): Promise<void>;
}
