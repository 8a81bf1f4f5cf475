/*
 * The execution state the interpreter threads through `step`. It is plain JSON so that a
 * durable runtime can store it as is and load it after a restart.
 *
 * An execution is a tree of frames: the root frame runs the top-level machine; a Parallel
 * state's frame owns one child frame per branch, a Map state's frame one per running
 * iteration. A frame is always at exactly one state, and is either runnable (inside a step),
 * waiting for a task, waiting for a timer, or waiting for its children.
 */
import type { Json } from '../types.js';
import type { ExecutionStatus } from './protocol.js';

export type FrameWait =
  | { kind: 'task'; taskId: string; timeoutTimer?: string; heartbeatTimer?: string; heartbeatSeconds?: number }
  | { kind: 'timer'; timerId: string; purpose: 'wait' | 'retry' }
  | { kind: 'children' }
  /** About to enter its state (name and input are set) once the continue timer fires: see step-limits.ts. */
  | { kind: 'parked' };

export interface ChildGroup {
  kind: 'parallel' | 'map';
  /** Inputs of the children not launched yet are derived from `items` on demand. */
  items: Json[];
  results: Json[];
  launched: number;
  finished: number;
  failed: number;
  /** Running children: frame id -> index. */
  running: Record<string, number>;
  maxConcurrency: number;
  toleratedFailureCount: number;
  toleratedFailurePercentage: number;
  /** The state's input after InputPath/Arguments: what ItemSelector and branches see. */
  effectiveInput: Json;
}

export interface Frame {
  id: string;
  parentId?: string;
  /** Index of this frame among its parent's children (branch or iteration index). */
  index: number;
  machineId: number;
  stateName: string;
  /** The raw input of the current state; kept so a retry can start the state again. */
  input: Json;
  enteredAt: number;
  /** Attempts made so far per retrier of the current state. */
  retryCounts: number[];
  /** Total retries of the current state, exposed as $$.State.RetryCount. */
  retryCount: number;
  variables: Record<string, Json>;
  wait?: FrameWait;
  children?: ChildGroup;
  lastEventId: number;
}

export interface ContextStatic {
  Execution: { Id: string; Name: string; StartTime: string; RoleArn: string; RedriveCount: number; Input: Json };
  StateMachine: { Id: string; Name: string };
}

export interface ExecutionState {
  status: ExecutionStatus;
  context: ContextStatic;
  nextId: number;
  lastEventId: number;
  /** PRNG state for States.MathRandom, States.UUID and retry jitter. */
  rng: number;
  frames: Record<string, Frame>;
  /** Frames parked by the step budget, in the order they are to enter their states. */
  parked?: string[];
  /** taskId or timerId -> the frame it resumes. */
  pending: Record<string, string>;
  output?: Json;
  error?: string;
  cause?: string;
  /** Where a redrive starts: the top-level state the execution stopped in, with its input. */
  redrive?: { stateName: string; input: Json; variables: Record<string, Json> };
}
