/** What the parts of the local Step Functions share about a state machine and a run of it. */
import type { StateMachine } from 'aws-local-stepfunctions';
import type { PreparedDefinition } from './definition';
import type { PendingEvent } from './history';
import type { LongTimer } from './timers';
import type { StoredExecution } from './store';
import type { LocalFunction } from './types';

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

/** One attempt of one Task: settled by its function, SendTask*, its timeout, or the run closing. */
export interface Attempt {
  settled: boolean;
  succeed(value: unknown): void;
  fail(error: Error): void;
}

/** One execution while it runs in this process (a re-run after a restart is a new Run). */
export interface Run {
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
