/*
 * Runs one execution to its end in this process, with no store: the driver behind
 * `skybatch exec`, the conformance suite and the in-memory benchmark.
 */
import { randomUUID } from 'node:crypto';
import type { Command, HistoryEvent, InterpreterEvent, RunTaskCommand } from '../asl/interpreter/protocol.js';
import { step } from '../asl/interpreter/step.js';
import type { Json, StateMachineDefinition } from '../asl/types.js';
import { noTasks, TaskFailure, type TaskInvocation, type TaskRegistry } from './task-registry.js';
import { setLongTimeout } from '../util/long-timer.js';

export interface Clock {
  now(): number;
  /** Resolves when the clock reaches `at` (epoch ms) or `signal` aborts. A virtual clock jumps there at once. */
  sleepUntil(at: number, signal?: AbortSignal): Promise<void>;
}

export interface RunOptions {
  registry?: TaskRegistry;
  clock?: Clock;
  executionName?: string;
  stateMachineName?: string;
  /** Seed for States.MathRandom and States.UUID; drawn at random when absent. */
  seed?: number;
  /** History events before the execution fails with States.Runtime (default 25,000, as on AWS). */
  maxHistoryEvents?: number;
}

export interface RunResult {
  status: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  output?: Json;
  error?: string;
  cause?: string;
  events: HistoryEvent[];
}

/** Runs `definition` (already validated) on `input` until the execution ends. */
export async function runExecution(definition: unknown, input: Json, options: RunOptions = {}): Promise<RunResult> {
  const def = definition as StateMachineDefinition;
  const clock = options.clock ?? realClock();
  const registry = options.registry ?? noTasks;
  const machineName = options.stateMachineName ?? 'local';
  const executionName = options.executionName ?? randomUUID();
  const history: HistoryEvent[] = [];
  const timers = new Map<string, number>();
  const inbox: InterpreterEvent[] = [];
  const live = new Set<string>();
  const aborts = new Map<string, AbortController>();
  let wake: (() => void) | undefined;
  let result: RunResult | undefined;
  const limits = options.maxHistoryEvents === undefined ? {} : { maxHistoryEvents: options.maxHistoryEvents };

  const deliver = (event: InterpreterEvent) => {
    inbox.push(event);
    wake?.();
  };

  const runTask = (command: RunTaskCommand) => {
    const handler = registry(command.resource);
    if (!handler) {
      deliver({ type: 'TaskFailed', taskId: command.taskId, error: 'States.TaskFailed', cause: `resource "${command.resource}" is not available here: it needs a Skybatch server (skybatch up) or a registered handler` });
      return;
    }
    live.add(command.taskId);
    const controller = new AbortController();
    aborts.set(command.taskId, controller);
    const invocation: TaskInvocation = {
      resource: command.resource,
      stateName: command.stateName,
      taskToken: command.taskToken,
      taskId: command.taskId,
      signal: controller.signal,
      heartbeat: () => {
        if (live.has(command.taskId)) deliver({ type: 'TaskHeartbeat', taskId: command.taskId });
      },
    };
    Promise.resolve()
      .then(() => handler(command.input, invocation))
      // A settled task needs no abort any more; a long run must not keep one per task.
      .finally(() => aborts.delete(command.taskId))
      .then(
        (output) => {
          if (live.delete(command.taskId)) deliver({ type: 'TaskSucceeded', taskId: command.taskId, output: output ?? null });
        },
        (err: unknown) => {
          if (!live.delete(command.taskId)) return;
          const { error, cause } = describeFailure(err);
          deliver({ type: 'TaskFailed', taskId: command.taskId, error, cause });
        },
      );
  };

  const perform = (commands: Command[]) => {
    for (const command of commands) {
      switch (command.type) {
        case 'RunTask':
          runTask(command);
          break;
        case 'CancelTask':
          live.delete(command.taskId);
          aborts.get(command.taskId)?.abort();
          aborts.delete(command.taskId);
          break;
        case 'StartTimer':
          timers.set(command.timerId, command.fireAt);
          break;
        case 'CancelTimer':
          timers.delete(command.timerId);
          break;
        case 'ExecutionSucceeded':
          result = { status: 'SUCCEEDED', output: command.output, events: history };
          break;
        default:
          result = { status: statusOf(command.type), error: command.error, cause: command.cause, events: history };
      }
    }
  };

  const start = await step(
    def,
    undefined,
    {
      type: 'StartExecution',
      input,
      context: {
        executionId: `arn:aws:states:local:000000000000:execution:${machineName}:${executionName}`,
        executionName,
        stateMachineId: `arn:aws:states:local:000000000000:stateMachine:${machineName}`,
        stateMachineName: machineName,
      },
    },
    clock.now(),
    options.seed ?? Math.floor(Math.random() * 2 ** 31),
    limits,
  );
  let state = start.state;
  history.push(...start.events);
  perform(start.commands);

  while (!result) {
    // Let task promises that are already settled report before time moves on.
    await new Promise<void>((resolve) => setImmediate(resolve));
    let event = inbox.shift();
    if (!event) {
      const next = earliest(timers);
      if (next === undefined && live.size === 0) throw new Error('execution is stuck: nothing to wait for');
      const woken = new Promise<void>((resolve) => (wake = resolve));
      const abort = new AbortController();
      await Promise.race(next === undefined ? [woken] : [woken, clock.sleepUntil(next[1], abort.signal)]);
      abort.abort();
      wake = undefined;
      event = inbox.shift();
      if (!event && next && clock.now() >= next[1]) {
        timers.delete(next[0]);
        event = { type: 'TimerFired', timerId: next[0] };
      }
      if (!event) continue;
    }
    const out = await step(def, state, event, clock.now(), undefined, limits);
    state = out.state;
    history.push(...out.events);
    perform(out.commands);
  }
  live.clear();
  for (const controller of aborts.values()) controller.abort();
  return result;
}

function earliest(timers: Map<string, number>): [string, number] | undefined {
  let best: [string, number] | undefined;
  for (const entry of timers) if (!best || entry[1] < best[1]) best = entry;
  return best;
}

function statusOf(type: string): RunResult['status'] {
  if (type === 'ExecutionTimedOut') return 'TIMED_OUT';
  if (type === 'ExecutionAborted') return 'ABORTED';
  return 'FAILED';
}

/** Maps what a handler threw to an ASL error name and cause, as Lambda reports errors. */
export function describeFailure(err: unknown): { error: string; cause: string } {
  if (err instanceof TaskFailure) return { error: err.error, cause: err.cause };
  if (err instanceof Error) return { error: err.name || 'Error', cause: err.message };
  return { error: 'Error', cause: String(err) };
}

/** Wall-clock time: Wait states really wait. */
export function realClock(): Clock {
  return {
    now: () => Date.now(),
    sleepUntil: (at, signal) =>
      new Promise((resolve) => {
        const timer = setLongTimeout(resolve, at - Date.now());
        signal?.addEventListener('abort', () => {
          timer.clear();
          resolve();
        });
      }),
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
