/**
 * Runs executions: one library run per execution (its Tasks through tasks.ts, its history in
 * history.ts), from start to its end (succeeded, failed, timed out, stopped). Executions are
 * persisted (see store.ts); on start, those still RUNNING are re-run from the start with the
 * same input.
 */
import { readFileSync } from 'node:fs';
import { type RunOptions, StateMachine } from 'aws-local-stepfunctions';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../net';
import { type PreparedDefinition, prepareDefinition, substitute } from './definition';
import { ExecutionHistories, type HistoryEvent } from './history';
import { executionFailure, readStateEvents, UncatchableError } from './library';
import type { Attempt, Machine, Run } from './run';
import { ExecutionStore, type ExecutionStatus, type StoredExecution } from './store';
import { findFunction, TaskRunner } from './tasks';
import { setLongTimeout } from './timers';
import { newTaskToken } from './tokens';
import type { StepFunctionsServerOptions } from './types';

export class ExecutionRunner {
  readonly region: string;
  readonly accountId: string;
  private readonly machines = new Map<string, Machine>();
  private readonly executions = new Map<string, StoredExecution>();
  private readonly histories = new ExecutionHistories();
  private readonly tasks: TaskRunner;
  private readonly runs = new Map<string, Run>();
  private readonly store: ExecutionStore;
  private readonly log: (line: string) => void;
  private readonly timeScale: number;
  private closing = false;

  constructor(private readonly options: StepFunctionsServerOptions) {
    this.region = options.region ?? LOCAL_REGION;
    this.accountId = options.accountId ?? LOCAL_ACCOUNT;
    this.log = options.log ?? (() => {});
    this.timeScale = options.timeScale ?? 1;
    this.store = new ExecutionStore(options.dataDir);
    this.tasks = new TaskRunner(this.region, this.timeScale, this.histories);
  }

  stateMachineArn(name: string): string {
    return `arn:aws:states:${this.region}:${this.accountId}:stateMachine:${name}`;
  }

  executionArn(stateMachineName: string, executionName: string): string {
    return `arn:aws:states:${this.region}:${this.accountId}:execution:${stateMachineName}:${executionName}`;
  }

  /** Loads the definitions (an error names the machine) and the persisted executions. */
  async init(): Promise<void> {
    await this.tasks.init();
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
    return this.histories.of(executionArn);
  }

  /** The open task attempt holding this token, if any. */
  attemptByToken(token: string): Attempt | undefined {
    return this.tasks.attemptByToken(token);
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

  private launch(record: StoredExecution, machine: Machine): void {
    if (this.closing) return;
    const run: Run = { record, machine, closed: false, attempts: new Set(), pendingEvents: [] };
    this.runs.set(record.executionArn, run);
    this.histories.clear(record.executionArn);
    const roleArn = `arn:aws:iam::${this.accountId}:role/local-stepfunctions`;
    this.histories.append(record.executionArn, 'ExecutionStarted', { input: record.input, roleArn });

    if (machine.prepared.timeoutSeconds !== undefined) {
      const left = machine.prepared.timeoutSeconds * 1000 * this.timeScale - (Date.now() - Date.parse(record.startDate));
      run.deadline = setLongTimeout(() => {
        this.finish(run, 'TIMED_OUT', { error: 'States.Timeout', cause: 'The execution timed out' });
      }, left);
    }

    const handlers = this.tasks.handlers(run);
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
    const eventsRead = readStateEvents(execution.eventLogs, (event) => this.histories.onStateEvent(run, event)).catch(() => {});
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

  /** Closes a run: no more tasks, its tokens answer TaskTimedOut, its timers are cleared, the library run is aborted. */
  private closeRun(run: Run): void {
    if (run.closed) return;
    this.histories.flushPending(run);
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
    if (status === 'SUCCEEDED') this.histories.append(record.executionArn, 'ExecutionSucceeded', { output: fields.output ?? 'null' });
    else if (status === 'FAILED') this.histories.append(record.executionArn, 'ExecutionFailed', errorFields);
    else if (status === 'TIMED_OUT') this.histories.append(record.executionArn, 'ExecutionTimedOut', errorFields);
    else this.histories.append(record.executionArn, 'ExecutionAborted', errorFields);
    this.log(`stepfunctions: execution ${record.stateMachineName}:${record.name} ${status}${record.error ? ` (${record.error})` : ''}`);
    return this.persist(record).catch(() => {});
  }

  private persist(record: StoredExecution): Promise<void> {
    const saving = this.store.save({ ...record }, () => [...this.executions.values()]);
    saving.catch((error: unknown) => this.log(`stepfunctions: could not write ${this.store.file}: ${(error as Error).message}`));
    return saving;
  }
}
