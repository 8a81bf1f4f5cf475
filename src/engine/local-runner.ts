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

/** Wall-clock time: Wait states really wait. */
export function realClock(): Clock {
  return {
    now: () => Date.now(),
    sleepUntil: (at) => new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now()))),
  };
}

/** Simulated time starting at `start`: every wait ends at once and moves the clock forward. */
export function virtualClock(start = Date.UTC(2026, 0, 1)): Clock {
  let current = start;
  return {
    now: () => current,
    sleepUntil: async (at) => {
      if (at > current) current = at;
    },
  };
}
