/*
 * The interpreter's protocol with its runtime.
 *
 *   step(definition, state, event, now) -> { state, commands, events }
 *
 * Events are what happened outside (a task finished, a timer fired, a stop was asked for);
 * commands are what the runtime must do next (run a task, start or cancel a timer, report the
 * end of the execution); history events are the Step Functions history the runtime stores.
 * The interpreter never reads a clock, never draws a random number and never does I/O:
 * `now` comes with every call and randomness comes from the seed kept in the state, so a
 * runtime can replay a history and land on the same state.
 */
import type { Json } from '../types.js';

export interface ExecutionContextSeed {
  executionId: string;
  executionName: string;
  stateMachineId: string;
  stateMachineName: string;
  roleArn?: string;
  redriveCount?: number;
}

export type InterpreterEvent =
  | { type: 'StartExecution'; input: Json; context: ExecutionContextSeed }
  | { type: 'TaskSucceeded'; taskId: string; output: Json }
  | { type: 'TaskFailed'; taskId: string; error: string; cause: string }
  /** The task is running now (optional: lets the history show TaskStarted). */
  | { type: 'TaskStarted'; taskId: string }
  | { type: 'TaskHeartbeat'; taskId: string }
  | { type: 'TimerFired'; timerId: string }
  | { type: 'StopExecution'; error?: string; cause?: string }
  /** Restarts a FAILED, TIMED_OUT or ABORTED execution from the top-level state it stopped in. */
  | { type: 'RedriveExecution' };

export interface RunTaskCommand {
  type: 'RunTask';
  taskId: string;
  stateName: string;
  resource: string;
  input: Json;
  /** Present for `.waitForTaskToken` resources and always available to the task as $$.Task.Token. */
  taskToken: string;
  timeoutSeconds?: number;
  heartbeatSeconds?: number;
}

export type Command =
  | RunTaskCommand
  | { type: 'CancelTask'; taskId: string }
  | { type: 'StartTimer'; timerId: string; fireAt: number }
  | { type: 'CancelTimer'; timerId: string }
  | { type: 'ExecutionSucceeded'; output: Json }
  | { type: 'ExecutionFailed'; error: string; cause: string }
  | { type: 'ExecutionTimedOut'; error: string; cause: string }
  | { type: 'ExecutionAborted'; error: string; cause: string };

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** A Step Functions history event: `type` and one `*EventDetails` field as AWS names them. */
export interface HistoryEvent {
  id: number;
  previousEventId: number;
  timestamp: string;
  type: string;
  [details: string]: unknown;
}
