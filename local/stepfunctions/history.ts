/**
 * Executions' histories in the shape of GetExecutionHistory, in memory only (after a restart a
 * re-run execution's history starts again with its re-run). The library's event log gives the
 * states entered and exited; the engine's task handlers give the Task* events, each kept back
 * until its state's StateEntered is in the history.
 */
import type { LibraryStateEvent } from './library';
import type { Run } from './run';

/** One event of an execution's history, as GetExecutionHistory returns it (details under `<type>EventDetails`). */
export interface HistoryEvent {
  id: number;
  previousEventId: number;
  timestamp: Date;
  type: string;
  details?: { key: string; value: Record<string, unknown> };
}

/** A task event kept back until its state is entered. */
export interface PendingEvent {
  stateName: string;
  type: string;
  details: Record<string, unknown>;
}

const lowerFirst = (text: string) => text.charAt(0).toLowerCase() + text.slice(1);

export class ExecutionHistories {
  private readonly histories = new Map<string, HistoryEvent[]>();

  of(executionArn: string): readonly HistoryEvent[] {
    return this.histories.get(executionArn) ?? [];
  }

  /** Starts an execution's history again (a run from the start). */
  clear(executionArn: string): void {
    this.histories.delete(executionArn);
  }

  /** Details go under `<type>EventDetails` (e.g. taskScheduledEventDetails), or `detailsKey` (every *StateEntered has stateEnteredEventDetails). */
  append(executionArn: string, type: string, details?: Record<string, unknown>, detailsKey = `${lowerFirst(type)}EventDetails`): void {
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
  appendTaskEvent(run: Run, stateName: string, type: string, details: Record<string, unknown>): void {
    if (run.closed) return;
    if (run.enteredState === stateName) this.append(run.record.executionArn, type, details);
    else run.pendingEvents.push({ stateName, type, details });
  }

  /** A state entered or exited in the library's event log, with the task events kept back for it. */
  onStateEvent(run: Run, event: LibraryStateEvent): void {
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

  /** Appends the task events a closing run still held back. */
  flushPending(run: Run): void {
    for (const pending of run.pendingEvents) this.append(run.record.executionArn, pending.type, pending.details);
    run.pendingEvents = [];
  }
}
