/*
 * Runs one execution to its end in this process, with no store: the driver behind
 * `skybatch exec`, the conformance suite and the in-memory benchmark.
 */
import type { Json } from '../asl/types.js';
import type { HistoryEvent } from '../asl/interpreter/protocol.js';
import type { TaskRegistry } from './task-registry.js';

export interface Clock {
  now(): number;
  /** Resolves when the clock reaches `at` (epoch ms). A virtual clock jumps there at once. */
  sleepUntil(at: number): Promise<void>;
}

export interface RunOptions {
  registry?: TaskRegistry;
  clock?: Clock;
  executionName?: string;
  stateMachineName?: string;
  /** Seed for States.MathRandom and States.UUID; drawn at random when absent. */
  seed?: number;
}

export interface RunResult {
  status: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  output?: Json;
  error?: string;
  cause?: string;
  events: HistoryEvent[];
}

/** Runs `definition` (already validated) on `input` until the execution ends. */
export async function runExecution(_definition: unknown, _input: Json, _options: RunOptions = {}): Promise<RunResult> {
  throw new Error('not implemented yet');
}
