/**
 * Runs executions: one library run per execution, every Task through a local handler that
 * calls the configured function, issues task tokens, enforces timeouts and records the
 * execution's history in the shape of GetExecutionHistory. Executions are persisted (see
 * store.ts); on start, those still RUNNING are re-run from the start with the same input.
 * The history is kept in memory only: after a restart a re-run execution's history starts
 * again with its re-run.
 */
import { readFileSync } from 'node:fs';
import { type RunOptions, StateMachine } from 'aws-local-stepfunctions';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../net';
import { lambdaFunctionName, type PreparedDefinition, prepareDefinition, substitute, type TaskInfo } from './definition';
import { executionFailure, type LibraryStateEvent, readStateEvents, statesTimeoutErrorFactory, UncatchableError } from './library';
import { ExecutionStore, type ExecutionStatus, type StoredExecution } from './store';
import { type LongTimer, setLongTimeout } from './timers';
import { newTaskToken } from './tokens';
import type { LocalFunction, StepFunctionsServerOptions } from './types';

export interface Machine {
  name: string;
  arn: string;
  prepared: PreparedDefinition;
  /** The definition as DescribeStateMachine returns it: the file with its substitutions made. */
  definition: string;
  /** When this engine loaded it (DescribeStateMachine's creationDate). */
  creationDate: Date;
  stateMachine: StateMachine;
  functions: Record<string, LocalFunction>;
}

/** One event of an execution's history, as GetExecutionHistory returns it (details under `<type>EventDetails`). */
export interface HistoryEvent {
  id: number;
  previousEventId: number;
  timestamp: Date;
  type: string;
  details?: { key: string; value: Record<string, unknown> };
}

/** One attempt of one Task: settled by its function, SendTask*, its timeout, or the run closing. */
export interface Attempt {
  settled: boolean;
  succeed(value: unknown): void;
  fail(error: Error): void;
}

interface PendingEvent {
  stateName: string;
  type: string;
  details: Record<string, unknown>;
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
  /** The state the library's event log last entered: task events wait until their state's StateEntered is in the history. */
  enteredState?: string;
  pendingEvents: PendingEvent[];
}

const jsonClone = (value: unknown): unknown => (value === undefined ? null : JSON.parse(JSON.stringify(value)));
const lowerFirst = (text: string) => text.charAt(0).toLowerCase() + text.slice(1);

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

export class ExecutionRunner {
  readonly region: string;
  readonly accountId: string;
  private readonly machines = new Map<string, Machine>();
  private readonly executions = new Map<string, StoredExecution>();
  private readonly histories = new Map<string, HistoryEvent[]>();
  private readonly runs = new Map<string, Run>();
  private readonly tokens = new Map<string, Attempt>();
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

  /** Loads the definitions (an error names the machine) and the persisted executions. */
  async init(): Promise<void> {
    this.newTimeoutError = await statesTimeoutErrorFactory();
    for (const options of this.options.stateMachines) {
      if (this.machines.has(this.stateMachineArn(options.name))) throw new Error(`State machine ${options.name} is defined twice`);
      let prepared: PreparedDefinition;
      let definition: string;
      try {
        const text = readFileSync(options.definitionFile, 'utf8');
        definition = substitute(text, options.substitutions ?? {});
        prepared = prepareDefinition(text, options.substitutions ?? {}, this.timeScale, this.options.validate ?? true);
      } catch (error) {
        throw new Error(`State machine ${options.name} (${options.definitionFile}): ${(error as Error).message}`);
      }
      const missing = [...prepared.tasks.values()]
        .map((task) => task.functionName)
        .filter((name): name is string => name !== undefined && !findFunction(options.functions, name));
      if (missing.length > 0) throw new Error(`State machine ${options.name}: no local function for ${[...new Set(missing)].join(', ')}`);
      for (const warning of prepared.warnings) this.log(`stepfunctions: ${options.name}: ${warning}`);
      const arn = this.stateMachineArn(options.name);
      this.machines.set(arn, {
        name: options.name,
        arn,
        prepared,
        definition,
        creationDate: new Date(),
        stateMachine: new StateMachine(prepared.runnable, { validationOptions: { noValidate: true } }),
        functions: options.functions,
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
        this.log(
          `stepfunctions: execution ${record.stateMachineName}:${record.name} is RUNNING but its state machine is not configured; left as is`,
        );
        continue;
      }
      this.log(`stepfunctions: execution ${machine.name}:${record.name} resumed (re-run from the start)`);
      this.launch(record, machine);
    }
  }

  machine(arn: string): Machine | undefined {
    return this.machines.get(arn);
  }

  /** Every configured state machine, in the order configured. */
  allMachines(): Machine[] {
    return [...this.machines.values()];
  }

  /**
   * StopExecution: a RUNNING execution ends ABORTED with this error and cause (ExecutionAborted in its
   * history), its open task tokens close (SendTask* answers TaskTimedOut) and, persisted as ABORTED,
   * it is not re-run at the next start. An execution that has ended already is left as it is.
   */
  async stop(record: StoredExecution, fields: { error?: string; cause?: string }): Promise<StoredExecution> {
    if (record.status !== 'RUNNING') return record;
    // Not running here (its state machine is not configured): only its record ends. finish() reads no more than the record.
    const run = this.runs.get(record.executionArn) ?? {
      record,
      machine: {} as Machine,
      closed: false,
      attempts: new Set(),
      pendingEvents: [],
    };
    await this.finish(run, 'ABORTED', fields);
    return record;
  }

  execution(arn: string): StoredExecution | undefined {
    return this.executions.get(arn);
  }

  /** The machine's executions, newest first. */
  executionsOf(machineArn: string): StoredExecution[] {
    return [...this.executions.values()]
      .filter((record) => record.stateMachineArn === machineArn)
      .sort((a, b) => Date.parse(b.startDate) - Date.parse(a.startDate));
  }

  history(executionArn: string): readonly HistoryEvent[] {
    return this.histories.get(executionArn) ?? [];
  }

  /** The open task attempt holding this token, if any. */
  attemptByToken(token: string): Attempt | undefined {
    const attempt = this.tokens.get(token);
    return attempt && !attempt.settled ? attempt : undefined;
  }

  /**
   * Records and launches an execution. A RUNNING one with the same name and input is
   * returned as is (StartExecution is idempotent); any other with that name is a conflict.
   */
  async start(machine: Machine, name: string, input: string): Promise<StoredExecution | 'conflict'> {
    const executionArn = this.executionArn(machine.name, name);
    const existing = this.executions.get(executionArn);
    if (existing) {
      if (existing.status !== 'RUNNING' || existing.input !== input) return 'conflict';
      await this.persist(existing);
      return existing;
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
      await this.persist(record);
    } catch (error) {
      if (this.executions.get(executionArn) === record && !this.runs.has(executionArn)) this.executions.delete(executionArn);
      throw error;
    }
    if (record.status === 'RUNNING' && !this.runs.has(executionArn)) {
      this.log(`stepfunctions: execution ${machine.name}:${name} started`);
      this.launch(record, machine);
    }
    return record;
  }

  /** Aborts running executions without recording them as finished (the next start re-runs them). */
  async shutdown(): Promise<void> {
    this.closing = true;
    for (const run of [...this.runs.values()]) this.closeRun(run);
    await this.store.flush();
  }

  // ---- history -------------------------------------------------------------------------

  /** Details go under `<type>EventDetails` (e.g. taskScheduledEventDetails), or `detailsKey` (every *StateEntered has stateEnteredEventDetails). */
  private append(
    executionArn: string,
    type: string,
    details?: Record<string, unknown>,
    detailsKey = `${lowerFirst(type)}EventDetails`,
  ): void {
    let events = this.histories.get(executionArn);
    if (!events) {
      events = [];
      this.histories.set(executionArn, events);
    }
    const event: HistoryEvent = { id: events.length + 1, previousEventId: events.length, timestamp: new Date(), type };
    if (details) event.details = { key: detailsKey, value: details };
    events.push(event);
  }

  /** A task event, kept back until the library's event log has put its state's StateEntered in the history. */
  private appendTaskEvent(run: Run, stateName: string, type: string, details: Record<string, unknown>): void {
    if (run.closed) return;
    if (run.enteredState === stateName) this.append(run.record.executionArn, type, details);
    else run.pendingEvents.push({ stateName, type, details });
  }

  private onStateEvent(run: Run, event: LibraryStateEvent): void {
    if (run.closed) return;
    const arn = run.record.executionArn;
    const { name, input, output } = event.state;
    const type = run.machine.prepared.scaledWaits.has(name) ? 'Wait' : event.state.type;
    if (event.type === 'StateEntered') {
      this.append(arn, `${type}StateEntered`, { name, input: JSON.stringify(input ?? null) }, 'stateEnteredEventDetails');
      run.enteredState = name;
      const [mine, others] = [run.pendingEvents.filter((e) => e.stateName === name), run.pendingEvents.filter((e) => e.stateName !== name)];
      run.pendingEvents = others;
      for (const pending of mine) this.append(arn, pending.type, pending.details);
    } else {
      this.append(arn, `${type}StateExited`, { name, output: JSON.stringify(output ?? null) }, 'stateExitedEventDetails');
      run.enteredState = undefined;
    }
  }

  // ---- running -------------------------------------------------------------------------

  private launch(record: StoredExecution, machine: Machine): void {
    if (this.closing) return;
    const run: Run = { record, machine, closed: false, attempts: new Set(), pendingEvents: [] };
    this.runs.set(record.executionArn, run);
    this.histories.delete(record.executionArn);
    const roleArn = `arn:aws:iam::${this.accountId}:role/local-stepfunctions`;
    this.append(record.executionArn, 'ExecutionStarted', { input: record.input, roleArn });

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
    for (const stateName of machine.prepared.scaledWaits) {
      handlers[stateName] = (input) => this.runScaledWait(run, stateName, input);
    }
    const context = {
      Execution: { Id: record.executionArn, Name: record.name, RoleArn: roleArn, StartTime: record.startDate },
      StateMachine: { Id: machine.arn, Name: machine.name },
      Task: {
        get Token(): string {
          run.pendingToken ??= newTaskToken();
          return run.pendingToken;
        },
      },
    };
    // The run itself begins on the next turn of the event loop: StartExecution answers first (in
    // the cloud the execution runs elsewhere; here its first state would otherwise run, up to its
    // function's first call, before the caller had its answer).
    setImmediate(() => this.run(run, handlers, context));
  }

  private run(run: Run, handlers: Record<string, (input: unknown) => Promise<unknown>>, context: Record<string, unknown>): void {
    if (run.closed) return;
    const { record, machine } = run;
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
    const eventsRead = readStateEvents(execution.eventLogs, (event) => this.onStateEvent(run, event)).catch(() => {});
    // The library closes its event log with the result: wait for the last states to be in the history.
    execution.result.then(
      async (output) => {
        await eventsRead;
        this.finish(run, 'SUCCEEDED', { output: JSON.stringify(output ?? null) });
      },
      async (error: unknown) => {
        await eventsRead;
        this.finish(run, 'FAILED', executionFailure(error));
      },
    );
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
            call().then(() => this.appendTaskEvent(run, task.stateName, 'TaskSubmitted', taskResource(task)), attempt.fail);
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
      this.appendTaskEvent(run, task.stateName, `Task${type}`, { ...taskResource(task), ...details });
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

  /** Closes a run: no more tasks, its tokens answer TaskTimedOut, its timers are cleared, the library run is aborted. */
  private closeRun(run: Run): void {
    if (run.closed) return;
    for (const pending of run.pendingEvents) this.append(run.record.executionArn, pending.type, pending.details);
    run.pendingEvents = [];
    run.closed = true;
    run.deadline?.clear();
    run.pendingToken = undefined;
    for (const attempt of [...run.attempts]) attempt.fail(new UncatchableError('States.Runtime', 'Execution closed'));
    run.abort?.();
    if (this.runs.get(run.record.executionArn) === run) this.runs.delete(run.record.executionArn);
  }

  private finish(run: Run, status: ExecutionStatus, fields: { output?: string; error?: string; cause?: string }): Promise<void> {
    if (run.closed) return Promise.resolve();
    this.closeRun(run);
    const record = run.record;
    record.status = status;
    record.stopDate = new Date().toISOString();
    delete record.output;
    delete record.error;
    delete record.cause;
    if (fields.output !== undefined) record.output = fields.output;
    if (fields.error !== undefined) record.error = fields.error;
    if (fields.cause !== undefined) record.cause = fields.cause;
    const errorFields = {
      ...(fields.error === undefined ? {} : { error: fields.error }),
      ...(fields.cause === undefined ? {} : { cause: fields.cause }),
    };
    if (status === 'SUCCEEDED') this.append(record.executionArn, 'ExecutionSucceeded', { output: fields.output ?? 'null' });
    else if (status === 'FAILED') this.append(record.executionArn, 'ExecutionFailed', errorFields);
    else if (status === 'TIMED_OUT') this.append(record.executionArn, 'ExecutionTimedOut', errorFields);
    else this.append(record.executionArn, 'ExecutionAborted', errorFields);
    this.log(`stepfunctions: execution ${record.stateMachineName}:${record.name} ${status}${record.error ? ` (${record.error})` : ''}`);
    return this.persist(record).catch(() => {});
  }

  private persist(record: StoredExecution): Promise<void> {
    const saving = this.store.save({ ...record }, () => [...this.executions.values()]);
    saving.catch((error: unknown) => this.log(`stepfunctions: could not write ${this.store.file}: ${(error as Error).message}`));
    return saving;
  }
}

function findFunction(functions: Record<string, LocalFunction>, nameOrArn: string): LocalFunction | undefined {
  if (Object.hasOwn(functions, nameOrArn)) return functions[nameOrArn];
  const name = lambdaFunctionName(nameOrArn);
  return Object.hasOwn(functions, name) ? functions[name] : undefined;
}
