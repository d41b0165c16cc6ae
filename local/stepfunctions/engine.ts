/**
 * A local Step Functions: runs ASL definitions (JSONPath) with aws-local-stepfunctions,
 * behind an HTTP endpoint speaking the Step Functions JSON protocol, so that
 * `new SFNClient({ endpoint: url })` (or AWS_ENDPOINT_URL_SFN) works unchanged.
 *
 * Tasks call in-process functions: `arn:aws:states:::lambda:invoke` returns
 * `{ ExecutedVersion, Payload, StatusCode }` like AWS; `...lambda:invoke.waitForTaskToken`
 * issues a fresh task token per attempt (`$$.Task.Token`) and waits for SendTaskSuccess /
 * SendTaskFailure. Executions are persisted under `<dataDir>/stepfunctions/executions.json`;
 * on start, executions still RUNNING are re-run from the start with the same input.
 * See definition.ts for where the library differs from AWS and how that is worked around.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ExecutionError, type RunOptions, StateMachine } from 'aws-local-stepfunctions';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../net';
import {
  AwsServiceError,
  epochSeconds,
  optionalInteger,
  optionalString,
  requireString,
  startAwsJsonServer,
  type AwsJsonServer,
} from './aws-json-server';
import { LAMBDA_INVOKE, lambdaFunctionName, type PreparedDefinition, prepareDefinition, type TaskInfo } from './definition';
import { EXECUTION_STATUSES, ExecutionStore, type ExecutionStatus, type StoredExecution } from './store';
import { type LongTimer, setLongTimeout } from './timers';
import { isWellFormedTaskToken, newTaskToken } from './tokens';

export type { ExecutionStatus } from './store';

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
}

export interface ExecutionDescription {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  input: string;
  output?: string;
  error?: string;
  cause?: string;
  startDate: Date;
  stopDate?: Date;
}

export interface StepFunctionsServer {
  url: string;
  port: number;
  region: string;
  accountId: string;
  stateMachineArn(name: string): string;
  executionArn(stateMachineName: string, executionName: string): string;
  /** The execution as recorded now, or undefined. */
  describeExecution(executionArn: string): ExecutionDescription | undefined;
  /**
   * Resolves when the execution exists with one of `statuses` (default: any closed status);
   * rejects after `timeoutMs` (default 10 s). Event-driven, no polling.
   */
  waitForExecution(executionArn: string, statuses?: readonly ExecutionStatus[], timeoutMs?: number): Promise<ExecutionDescription>;
  /** Resolves when no execution is running in this engine and the data file is written; rejects after `timeoutMs` (default 10 s). */
  waitForIdle(timeoutMs?: number): Promise<void>;
  /** Resolves once every change so far is written to the data file. */
  flush(): Promise<void>;
  /**
   * Stops accepting requests, aborts running executions WITHOUT recording them as finished
   * (a server started later on the same dataDir re-runs them), clears timers, waits for
   * pending writes and for the HTTP server to close. Idempotent.
   */
  close(): Promise<void>;
}

const CLOSED_STATUSES: readonly ExecutionStatus[] = ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'];
const MAX_INPUT_BYTES = 256 * 1024;

/** An error the library neither retries nor catches (it reads these two properties). */
class UncatchableError extends Error {
  readonly isRetryable = false;
  readonly isCatchable = false;
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

// The library matches `States.TaskFailed` against any Task error that is not an instance of
// its own (unexported) StatesTimeoutError. To raise timeouts the library treats exactly like
// its own, get that class once from a run that times out after 1 ms.
let timeoutErrorFactory: Promise<() => Error> | undefined;
function statesTimeoutErrorFactory(): Promise<() => Error> {
  timeoutErrorFactory ??= (async () => {
    const probe = { StartAt: 'T', States: { T: { Type: 'Task', Resource: LAMBDA_INVOKE, TimeoutSeconds: 0.001, End: true } } };
    let release = (): void => {};
    try {
      const machine = new StateMachine(probe as unknown as ConstructorParameters<typeof StateMachine>[0], { validationOptions: { noValidate: true } });
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

interface Machine {
  name: string;
  arn: string;
  prepared: PreparedDefinition;
  stateMachine: StateMachine;
  functions: Record<string, LocalFunction>;
  creationDate: Date;
}

/** One attempt of one Task: settled by its function, SendTask*, its timeout, or the run closing. */
interface Attempt {
  token?: string;
  settled: boolean;
  timer?: LongTimer;
  succeed(value: unknown): void;
  fail(error: Error): void;
}

interface Run {
  record: StoredExecution;
  machine: Machine;
  closed: boolean;
  attempts: Set<Attempt>;
  /** Token made by `$$.Task.Token` while the library evaluates Parameters, taken by the handler it calls next (synchronously). */
  pendingToken?: string;
  abort?: () => void;
  deadline?: LongTimer;
}

function jsonClone(value: unknown): unknown {
  return value === undefined ? null : JSON.parse(JSON.stringify(value));
}

/** The error a failing Lambda function produces in a Step Functions task: name = errorType, Cause = the error payload. */
function functionError(error: unknown): Error {
  const errorType =
    error instanceof Error && error.name
      ? error.name
      : typeof error === 'object' && error !== null && typeof (error as { name?: unknown }).name === 'string'
        ? String((error as { name: string }).name)
        : 'Error';
  const errorMessage = error instanceof Error ? error.message : typeof error === 'string' ? error : JSON.stringify(error) ?? String(error);
  const trace = error instanceof Error && typeof error.stack === 'string' ? error.stack.split('\n') : [];
  const result = new Error(JSON.stringify({ errorType, errorMessage, trace }));
  result.name = errorType;
  return result;
}

function validateExecutionName(name: string): void {
  let bad = name.length < 1 || name.length > 80;
  for (const char of name) {
    const code = char.codePointAt(0) ?? 0;
    if (code <= 0x1f || (code >= 0x7f && code <= 0x9f) || /\s/.test(char) || '<>{}[]?*"#%\\^|~`$&,;:/'.includes(char)) bad = true;
  }
  if (bad) throw new AwsServiceError('InvalidName', `Invalid Name: '${name}'`);
}

function describe(record: StoredExecution): ExecutionDescription {
  const result: ExecutionDescription = {
    executionArn: record.executionArn,
    stateMachineArn: record.stateMachineArn,
    name: record.name,
    status: record.status,
    input: record.input,
    startDate: new Date(record.startDate),
  };
  if (record.stopDate) result.stopDate = new Date(record.stopDate);
  if (record.output !== undefined) result.output = record.output;
  if (record.error !== undefined) result.error = record.error;
  if (record.cause !== undefined) result.cause = record.cause;
  return result;
}

class Engine {
  readonly region: string;
  readonly accountId: string;
  private readonly machines = new Map<string, Machine>();
  private readonly executions = new Map<string, StoredExecution>();
  private readonly runs = new Map<string, Run>();
  private readonly tokens = new Map<string, Attempt>();
  private readonly listeners = new Set<() => void>();
  private readonly store: ExecutionStore;
  private readonly log: (line: string) => void;
  private readonly timeScale: number;
  private closing = false;
  private newTimeoutError: () => Error = () => new Error('States.Timeout');

  constructor(private readonly options: StepFunctionsServerOptions) {
    this.region = options.region ?? LOCAL_REGION;
    this.accountId = options.accountId ?? LOCAL_ACCOUNT;
    this.log = options.log ?? (() => {});
    this.timeScale = options.timeScale ?? 1;
    this.store = new ExecutionStore(options.dataDir);
  }

  stateMachineArn(name: string): string {
    return `arn:aws:states:${this.region}:${this.accountId}:stateMachine:${name}`;
  }

  executionArn(stateMachineName: string, executionName: string): string {
    return `arn:aws:states:${this.region}:${this.accountId}:execution:${stateMachineName}:${executionName}`;
  }

  async init(): Promise<void> {
    this.newTimeoutError = await statesTimeoutErrorFactory();
    for (const options of this.options.stateMachines) {
      if (this.machines.has(this.stateMachineArn(options.name))) throw new Error(`State machine ${options.name} is defined twice`);
      let prepared: PreparedDefinition;
      try {
        prepared = prepareDefinition(readFileSync(options.definitionFile, 'utf8'), options.substitutions ?? {}, this.timeScale);
      } catch (error) {
        throw new Error(`State machine ${options.name} (${options.definitionFile}): ${(error as Error).message}`);
      }
      const missing = [...prepared.tasks.values()]
        .map((task) => task.functionName)
        .filter((name): name is string => name !== undefined && !this.findFunction(options.functions, name));
      if (missing.length > 0) throw new Error(`State machine ${options.name}: no local function for ${[...new Set(missing)].join(', ')}`);
      for (const warning of prepared.warnings) this.log(`stepfunctions: ${options.name}: ${warning}`);
      const arn = this.stateMachineArn(options.name);
      this.machines.set(arn, {
        name: options.name,
        arn,
        prepared,
        stateMachine: new StateMachine(prepared.runnable, { validationOptions: { noValidate: true } }),
        functions: options.functions,
        creationDate: new Date(),
      });
    }
    for (const record of this.store.load()) this.executions.set(record.executionArn, record);
  }

  /** Re-runs, from the start, the executions a previous process left RUNNING. */
  resume(): void {
    for (const record of this.executions.values()) {
      if (record.status !== 'RUNNING') continue;
      const machine = this.machines.get(record.stateMachineArn);
      if (!machine) {
        this.log(`stepfunctions: execution ${record.stateMachineName}:${record.name} is RUNNING but its state machine is not configured; left as is`);
        continue;
      }
      this.log(`stepfunctions: execution ${machine.name}:${record.name} resumed (re-run from the start)`);
      this.launch(record, machine);
    }
  }

  // ---- running -----------------------------------------------------------------------

  private findFunction(functions: Record<string, LocalFunction>, nameOrArn: string): LocalFunction | undefined {
    if (Object.hasOwn(functions, nameOrArn)) return functions[nameOrArn];
    const name = lambdaFunctionName(nameOrArn);
    return Object.hasOwn(functions, name) ? functions[name] : undefined;
  }

  private launch(record: StoredExecution, machine: Machine): void {
    if (this.closing) return;
    const run: Run = { record, machine, closed: false, attempts: new Set() };
    this.runs.set(record.executionArn, run);

    if (machine.prepared.timeoutSeconds !== undefined) {
      const left = machine.prepared.timeoutSeconds * 1000 * this.timeScale - (Date.now() - Date.parse(record.startDate));
      run.deadline = setLongTimeout(() => {
        this.finish(run, 'TIMED_OUT', { error: 'States.Timeout', cause: 'The execution timed out' });
      }, left);
    }

    const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
    for (const [stateName, task] of machine.prepared.tasks) {
      handlers[stateName] = (input) => this.runTask(run, task, input);
    }
    const context = {
      Execution: { Id: record.executionArn, Name: record.name, RoleArn: `arn:aws:iam::${this.accountId}:role/local-stepfunctions`, StartTime: record.startDate },
      StateMachine: { Id: machine.arn, Name: machine.name },
      Task: {
        get Token(): string {
          run.pendingToken ??= newTaskToken();
          return run.pendingToken;
        },
      },
    };
    let execution: ReturnType<StateMachine['run']>;
    try {
      execution = machine.stateMachine.run(JSON.parse(record.input), {
        overrides: { taskResourceLocalHandlers: handlers as NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers'] },
        context,
      });
    } catch (error) {
      this.finish(run, 'FAILED', { error: 'States.Runtime', cause: (error as Error).message });
      return;
    }
    run.abort = execution.abort;
    // The library queues every event until read: drain them so long executions do not grow.
    void (async () => {
      for await (const _event of execution.eventLogs) {
        // discarded
      }
    })().catch(() => {});
    execution.result.then(
      (output) => this.finish(run, 'SUCCEEDED', { output: JSON.stringify(output ?? null) }),
      (error: unknown) => {
        if (run.closed) return;
        let name: string | undefined = 'States.Runtime';
        let message: string | undefined = error instanceof Error ? error.message : String(error);
        const cause = error instanceof ExecutionError ? (error as Error & { cause?: unknown }).cause : undefined;
        if (cause instanceof Error) {
          name = cause.name;
          message = cause.message;
          // A Fail state without Error/Cause: AWS records neither.
          if (name === 'FailStateError') name = undefined;
          if (message === 'Execution failed because of a Fail state') message = undefined;
        }
        this.finish(run, 'FAILED', { error: name, cause: message });
      },
    );
  }

  private timeoutMs(task: TaskInfo, evaluated: unknown): number | undefined {
    let seconds: number | undefined;
    if (task.timeoutSeconds !== undefined) {
      seconds = task.timeoutSeconds;
    } else if (task.timeoutSecondsPath !== undefined) {
      if (!Number.isInteger(evaluated) || (evaluated as number) < 1) {
        throw new UncatchableError('States.Runtime', `TimeoutSecondsPath '${task.timeoutSecondsPath}' must point to a positive integer, got ${JSON.stringify(evaluated)}`);
      }
      seconds = evaluated as number;
    }
    return seconds === undefined ? undefined : seconds * 1000 * this.timeScale;
  }

  /** The local handler of every Task state; `input` is the wrapper built in definition.ts, evaluated by the library. */
  private runTask(run: Run, task: TaskInfo, input: unknown): Promise<unknown> {
    const token = run.pendingToken;
    run.pendingToken = undefined;
    if (run.closed) return Promise.reject(new UncatchableError('States.Runtime', 'Execution closed'));
    try {
      const { params, timeoutSeconds } = (input ?? {}) as { params?: unknown; timeoutSeconds?: unknown };
      const timeoutMs = this.timeoutMs(task, timeoutSeconds);
      let functionName: string;
      let payload: unknown;
      if (task.kind === 'lambda-arn') {
        functionName = task.resource;
        payload = params;
      } else {
        const p = (params ?? {}) as { FunctionName?: unknown; Payload?: unknown };
        if (typeof p.FunctionName !== 'string') throw new UncatchableError('States.Runtime', `Task ${task.stateName}: Parameters.FunctionName must be a string`);
        functionName = p.FunctionName;
        payload = p.Payload ?? {};
      }
      const fn = this.findFunction(run.machine.functions, functionName);
      payload = jsonClone(payload);
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
      switch (task.kind) {
        case 'lambda-arn':
          return this.attempt(run, timeoutMs, undefined, (attempt) => {
            call().then(attempt.succeed, attempt.fail);
          });
        case 'invoke':
          return this.attempt(run, timeoutMs, undefined, (attempt) => {
            call().then((result) => attempt.succeed({ ExecutedVersion: '$LATEST', Payload: result, StatusCode: 200 }), attempt.fail);
          });
        case 'callback':
          return this.attempt(run, timeoutMs, token ?? newTaskToken(), (attempt) => {
            // The function's result is ignored; its failure fails the task. The task waits for the token.
            call().then(() => {}, attempt.fail);
          });
      }
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private attempt(run: Run, timeoutMs: number | undefined, token: string | undefined, start: (attempt: Attempt) => void): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const settle = (action: () => void): void => {
        if (attempt.settled) return;
        attempt.settled = true;
        attempt.timer?.clear();
        run.attempts.delete(attempt);
        if (token) this.tokens.delete(token);
        action();
      };
      const attempt: Attempt = {
        settled: false,
        succeed: (value) => settle(() => resolve(value)),
        fail: (error) => settle(() => reject(error)),
      };
      if (token) {
        attempt.token = token;
        this.tokens.set(token, attempt);
      }
      run.attempts.add(attempt);
      if (timeoutMs !== undefined) attempt.timer = setLongTimeout(() => attempt.fail(this.newTimeoutError()), timeoutMs);
      try {
        start(attempt);
      } catch (error) {
        attempt.fail(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  /** Closes a run: no more tasks, its tokens answer TaskTimedOut, its timers are cleared, the library run is aborted. */
  private closeRun(run: Run): void {
    if (run.closed) return;
    run.closed = true;
    run.deadline?.clear();
    run.pendingToken = undefined;
    for (const attempt of [...run.attempts]) attempt.fail(new UncatchableError('States.Runtime', 'Execution closed'));
    run.abort?.();
    if (this.runs.get(run.record.executionArn) === run) this.runs.delete(run.record.executionArn);
    this.notify();
  }

  private finish(run: Run, status: ExecutionStatus, fields: { output?: string; error?: string; cause?: string }): void {
    if (run.closed) return;
    this.closeRun(run);
    this.record(run.record, status, fields);
  }

  private record(record: StoredExecution, status: ExecutionStatus, fields: { output?: string; error?: string; cause?: string }): Promise<void> {
    record.status = status;
    record.stopDate = new Date().toISOString();
    delete record.output;
    delete record.error;
    delete record.cause;
    if (fields.output !== undefined) record.output = fields.output;
    if (fields.error !== undefined) record.error = fields.error;
    if (fields.cause !== undefined) record.cause = fields.cause;
    this.log(`stepfunctions: execution ${record.stateMachineName}:${record.name} ${status}${record.error ? ` (${record.error})` : ''}`);
    this.notify();
    return this.persist();
  }

  private persist(): Promise<void> {
    const saving = this.store.save(() => [...this.executions.values()]);
    saving.catch((error: unknown) => this.log(`stepfunctions: could not write ${this.store.file}: ${(error as Error).message}`));
    return saving;
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }

  // ---- API actions ---------------------------------------------------------------------

  private machineByArn(arn: string): Machine {
    if (!/^arn:aws[a-z-]*:states:[^:]+:\d{12}:stateMachine:[^:]+$/.test(arn)) throw new AwsServiceError('InvalidArn', `Invalid Arn: '${arn}'`);
    const machine = this.machines.get(arn);
    if (!machine) throw new AwsServiceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return machine;
  }

  private executionByArn(arn: string): StoredExecution {
    if (!/^arn:aws[a-z-]*:states:[^:]+:\d{12}:execution:[^:]+:[^:]+$/.test(arn)) throw new AwsServiceError('InvalidArn', `Invalid Arn: '${arn}'`);
    const record = this.executions.get(arn);
    if (!record) throw new AwsServiceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return record;
  }

  private attemptByToken(body: Record<string, unknown>): Attempt {
    const token = requireString(body, 'taskToken');
    if (token.length > 2048 || !isWellFormedTaskToken(token)) throw new AwsServiceError('InvalidToken', 'Invalid Token');
    const attempt = this.tokens.get(token);
    if (!attempt || attempt.settled) throw new AwsServiceError('TaskTimedOut', 'Task Timed Out');
    return attempt;
  }

  readonly actions: Record<string, (body: Record<string, unknown>) => unknown> = {
    StartExecution: async (body) => {
      const machine = this.machineByArn(requireString(body, 'stateMachineArn'));
      const name = optionalString(body, 'name') ?? randomUUID();
      validateExecutionName(name);
      const input = optionalString(body, 'input') ?? '{}';
      if (Buffer.byteLength(input) > MAX_INPUT_BYTES) throw new AwsServiceError('InvalidExecutionInput', `Input is larger than ${MAX_INPUT_BYTES} bytes`);
      try {
        JSON.parse(input);
      } catch {
        throw new AwsServiceError('InvalidExecutionInput', 'Invalid State Machine Execution Input: not valid JSON');
      }
      const executionArn = this.executionArn(machine.name, name);
      const existing = this.executions.get(executionArn);
      if (existing) {
        if (existing.status !== 'RUNNING' || existing.input !== input) {
          throw new AwsServiceError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
        }
        await this.persist();
        return { executionArn, startDate: epochSeconds(new Date(existing.startDate)) };
      }
      const record: StoredExecution = {
        executionArn,
        stateMachineArn: machine.arn,
        stateMachineName: machine.name,
        name,
        input,
        status: 'RUNNING',
        startDate: new Date().toISOString(),
      };
      this.executions.set(executionArn, record);
      try {
        await this.persist();
      } catch (error) {
        if (this.executions.get(executionArn) === record && !this.runs.has(executionArn)) this.executions.delete(executionArn);
        throw error;
      }
      if (record.status === 'RUNNING' && !this.runs.has(executionArn)) {
        this.log(`stepfunctions: execution ${machine.name}:${name} started`);
        this.launch(record, machine);
      }
      this.notify();
      return { executionArn, startDate: epochSeconds(new Date(record.startDate)) };
    },

    DescribeExecution: (body) => {
      const record = this.executionByArn(requireString(body, 'executionArn'));
      const result: Record<string, unknown> = {
        executionArn: record.executionArn,
        stateMachineArn: record.stateMachineArn,
        name: record.name,
        status: record.status,
        startDate: epochSeconds(new Date(record.startDate)),
        input: record.input,
        inputDetails: { included: true },
      };
      if (record.stopDate) result.stopDate = epochSeconds(new Date(record.stopDate));
      if (record.output !== undefined) {
        result.output = record.output;
        result.outputDetails = { included: true };
      }
      if (record.error !== undefined) result.error = record.error;
      if (record.cause !== undefined) result.cause = record.cause;
      return result;
    },

    StopExecution: async (body) => {
      const record = this.executionByArn(requireString(body, 'executionArn'));
      const error = optionalString(body, 'error');
      const cause = optionalString(body, 'cause');
      if (error !== undefined && error.length > 256) throw new AwsServiceError('ValidationException', "Value at 'error' must have length less than or equal to 256");
      if (cause !== undefined && cause.length > 32768) throw new AwsServiceError('ValidationException', "Value at 'cause' must have length less than or equal to 32768");
      if (record.status === 'RUNNING') {
        const run = this.runs.get(record.executionArn);
        if (run) this.closeRun(run);
        await this.record(record, 'ABORTED', { error, cause });
      }
      return { stopDate: epochSeconds(new Date(record.stopDate ?? Date.now())) };
    },

    SendTaskSuccess: (body) => {
      const attempt = this.attemptByToken(body);
      const output = requireString(body, 'output');
      let value: unknown;
      try {
        value = JSON.parse(output);
      } catch {
        throw new AwsServiceError('InvalidOutput', 'Invalid Output: not valid JSON');
      }
      attempt.succeed(value);
      return {};
    },

    SendTaskFailure: (body) => {
      const attempt = this.attemptByToken(body);
      const error = optionalString(body, 'error');
      const cause = optionalString(body, 'cause');
      if (error !== undefined && error.length > 256) throw new AwsServiceError('ValidationException', "Value at 'error' must have length less than or equal to 256");
      if (cause !== undefined && cause.length > 32768) throw new AwsServiceError('ValidationException', "Value at 'cause' must have length less than or equal to 32768");
      const failure = new Error(cause ?? '');
      failure.name = error ?? 'States.TaskFailed';
      attempt.fail(failure);
      return {};
    },

    SendTaskHeartbeat: (body) => {
      this.attemptByToken(body);
      return {};
    },

    ListExecutions: (body) => {
      const machine = this.machineByArn(requireString(body, 'stateMachineArn'));
      const statusFilter = optionalString(body, 'statusFilter');
      if (statusFilter !== undefined && !(EXECUTION_STATUSES as readonly string[]).concat('PENDING_REDRIVE').includes(statusFilter)) {
        throw new AwsServiceError('ValidationException', `Value '${statusFilter}' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set`);
      }
      const maxResults = optionalInteger(body, 'maxResults', 0, 1000) || 100;
      const nextToken = optionalString(body, 'nextToken');
      let offset = 0;
      if (nextToken !== undefined) {
        const decoded = /^\d+$/.test(Buffer.from(nextToken, 'base64url').toString('utf8')) ? Number(Buffer.from(nextToken, 'base64url').toString('utf8')) : Number.NaN;
        if (!Number.isSafeInteger(decoded)) throw new AwsServiceError('InvalidToken', 'Invalid Token: nextToken');
        offset = decoded;
      }
      const matching = [...this.executions.values()]
        .filter((record) => record.stateMachineArn === machine.arn && (statusFilter === undefined || record.status === statusFilter))
        .sort((a, b) => Date.parse(b.startDate) - Date.parse(a.startDate));
      const page = matching.slice(offset, offset + maxResults);
      const result: Record<string, unknown> = {
        executions: page.map((record) => {
          const item: Record<string, unknown> = {
            executionArn: record.executionArn,
            stateMachineArn: record.stateMachineArn,
            name: record.name,
            status: record.status,
            startDate: epochSeconds(new Date(record.startDate)),
          };
          if (record.stopDate) item.stopDate = epochSeconds(new Date(record.stopDate));
          return item;
        }),
      };
      if (offset + maxResults < matching.length) result.nextToken = Buffer.from(String(offset + maxResults)).toString('base64url');
      return result;
    },

    DescribeStateMachine: (body) => {
      const machine = this.machineByArn(requireString(body, 'stateMachineArn'));
      return {
        stateMachineArn: machine.arn,
        name: machine.name,
        status: 'ACTIVE',
        definition: machine.prepared.text,
        roleArn: `arn:aws:iam::${this.accountId}:role/local-stepfunctions`,
        type: 'STANDARD',
        creationDate: epochSeconds(machine.creationDate),
      };
    },
  };

  // ---- test helpers & shutdown ---------------------------------------------------------

  describeExecution(arn: string): ExecutionDescription | undefined {
    const record = this.executions.get(arn);
    return record ? describe(record) : undefined;
  }

  private waitUntil<T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const initial = probe();
      if (initial !== undefined) {
        resolve(initial);
        return;
      }
      const listener = (): void => {
        const value = probe();
        if (value === undefined) return;
        clearTimeout(timer);
        this.listeners.delete(listener);
        resolve(value);
      };
      const timer = setTimeout(() => {
        this.listeners.delete(listener);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      this.listeners.add(listener);
    });
  }

  waitForExecution(arn: string, statuses: readonly ExecutionStatus[] = CLOSED_STATUSES, timeoutMs = 10_000): Promise<ExecutionDescription> {
    return this.waitUntil(
      () => {
        const record = this.executions.get(arn);
        return record && statuses.includes(record.status) ? describe(record) : undefined;
      },
      timeoutMs,
      `${arn} to be ${statuses.join('|')} (now ${this.executions.get(arn)?.status ?? 'absent'})`,
    );
  }

  async waitForIdle(timeoutMs = 10_000): Promise<void> {
    await this.waitUntil(() => (this.runs.size === 0 ? true : undefined), timeoutMs, 'no running execution');
    await this.flush();
  }

  async flush(): Promise<void> {
    await this.store.flush();
  }

  async shutdown(): Promise<void> {
    this.closing = true;
    for (const run of [...this.runs.values()]) this.closeRun(run);
    await this.store.flush();
  }
}

export async function startStepFunctionsServer(options: StepFunctionsServerOptions): Promise<StepFunctionsServer> {
  const engine = new Engine(options);
  await engine.init();
  const http: AwsJsonServer = await startAwsJsonServer({
    port: options.port,
    host: options.host ?? '127.0.0.1',
    targetPrefix: 'AWSStepFunctions',
    jsonVersion: '1.0',
    actions: engine.actions,
    log: options.log,
  });
  engine.resume();
  let closing: Promise<void> | undefined;
  return {
    url: http.url,
    port: http.port,
    region: engine.region,
    accountId: engine.accountId,
    stateMachineArn: (name) => engine.stateMachineArn(name),
    executionArn: (stateMachineName, executionName) => engine.executionArn(stateMachineName, executionName),
    describeExecution: (arn) => engine.describeExecution(arn),
    waitForExecution: (arn, statuses, timeoutMs) => engine.waitForExecution(arn, statuses, timeoutMs),
    waitForIdle: (timeoutMs) => engine.waitForIdle(timeoutMs),
    flush: () => engine.flush(),
    close() {
      closing ??= (async () => {
        const serverClosed = http.close();
        await engine.shutdown();
        await serverClosed;
      })();
      return closing;
    },
  };
}
