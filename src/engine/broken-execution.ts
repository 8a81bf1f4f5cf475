/*
 * An execution the interpreter could not step: its state or an event made `step` throw
 * (a stack overflow on a value nested too deep, a missing definition), or the database
 * refused its writes twice in a row. Retrying a deterministic failure only fails again, and
 * a batch that fails as a whole holds up every other execution in it, so such an execution
 * ends at once: FAILED with States.Runtime and the cause (or ABORTED when the step that
 * broke was a stop), without the interpreter, from what the row and, where it still parses
 * and serialises, the stored state hold.
 */
import type { HistoryEvent } from '../asl/interpreter/protocol.js';
import type { ExecutionState } from '../asl/interpreter/state.js';
import type { ExecutionRow } from '../store/executions.js';

export interface BrokenExecution {
  executionId: string;
  wasRunning: boolean;
  fields: Partial<Omit<ExecutionRow, 'id'>>;
  event: HistoryEvent;
  /** The database refused the execution's history: end it without its last event. */
  withoutHistory?: boolean;
}

export function describeBreak(err: unknown): string {
  const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return `The execution could not be stepped: ${message}`;
}

export function breakExecution(execution: ExecutionRow, status: 'FAILED' | 'ABORTED', error: string, cause: string, now: number): BrokenExecution {
  const eventId = execution.last_event_id + 1;
  const timestamp = new Date(now).toISOString();
  const kind = status === 'FAILED' ? 'Failed' : 'Aborted';
  const event: HistoryEvent = { id: eventId, previousEventId: execution.last_event_id, timestamp, type: `Execution${kind}`, [`execution${kind}EventDetails`]: { error, cause } };
  return {
    executionId: execution.id,
    wasRunning: execution.status === 'RUNNING',
    event,
    fields: {
      state: endedState(execution, status, error, cause, eventId),
      status,
      error,
      cause,
      stop_date: execution.stop_date ?? timestamp,
      last_event_id: eventId,
    },
  };
}

/** The stored state, ended; or, when that cannot be read or written, a state with nothing left to run. */
function endedState(execution: ExecutionRow, status: 'FAILED' | 'ABORTED', error: string, cause: string, lastEventId: number): string {
  try {
    const state = JSON.parse(execution.state) as ExecutionState;
    const root = Object.values(state.frames).find((f) => f.parentId === undefined);
    if (root) state.redrive = { stateName: root.stateName, input: root.input, variables: root.variables };
    Object.assign(state, { status, error, cause, lastEventId, frames: {}, pending: {} });
    delete state.parked;
    return JSON.stringify(state);
  } catch {
    const minimal: ExecutionState = {
      status,
      error,
      cause,
      lastEventId,
      nextId: 1,
      rng: 0,
      frames: {},
      pending: {},
      context: {
        Execution: { Id: execution.id, Name: execution.name, StartTime: execution.start_date, RoleArn: '', RedriveCount: execution.redrive_count, Input: null },
        StateMachine: { Id: execution.state_machine, Name: execution.state_machine },
      },
    };
    return JSON.stringify(minimal);
  }
}
