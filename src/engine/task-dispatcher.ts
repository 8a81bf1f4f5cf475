/*
 * Runs the tasks the engine stored: claims them with a lease, calls the handler the task
 * registry resolves for the resource, and turns the result into an inbox event in the same
 * transaction that releases the task. A task is delivered at least once: a server that
 * dies mid-task loses its lease and another runs the task again, so integrations use the
 * task id as their idempotency key.
 *
 * `.waitForTaskToken` is handled here and not in the registry: what differs is not the code
 * that runs (the base integration's) but what happens to the task row afterwards, which only
 * the dispatcher owns. The row is parked as WAITING, without a lease, until SendTaskSuccess /
 * SendTaskFailure (src/integrations/task-tokens.ts) or a timer of the interpreter ends it.
 */
import { Alarm } from '../util/alarm.js';
import { RepeatedFailure } from '../util/repeated-failure.js';
import type { InterpreterEvent } from '../asl/interpreter/protocol.js';
import type { Json } from '../asl/types.js';
import type { Store } from '../store/database.js';
import { withRetry } from '../store/errors.js';
import { enqueue } from '../store/inbox.js';
import { claimTasks, parkTask, releaseTask, renewLeases, type TaskRow } from '../store/tasks.js';
import { describeFailure } from './local-runner.js';
import type { TaskRegistry } from './task-registry.js';
import { MAX_JSON_DEPTH, jsonDepth } from '../util/json-limits.js';

const CALLBACK_SUFFIX = '.waitForTaskToken';

/** The resource a `.waitForTaskToken` resource runs first, or undefined for any other resource. */
export function callbackBase(resource: string): string | undefined {
  return resource.endsWith(CALLBACK_SUFFIX) ? resource.slice(0, -CALLBACK_SUFFIX.length) : undefined;
}

export interface DispatcherOptions {
  owner: string;
  leaseMs?: number;
  concurrency?: number;
  pollMs?: number;
  now?: () => number;
}

export class TaskDispatcher {
  private running = false;
  private readonly inFlight = new Map<string, AbortController>();
  private readonly alarm = new Alarm();
  private readonly claimFailures = new RepeatedFailure('task dispatcher: claiming tasks');
  private loop: Promise<void> | undefined;
  private renewTimer: NodeJS.Timeout | undefined;
  private readonly leaseMs: number;
  private readonly concurrency: number;
  private readonly pollMs: number;
  private readonly now: () => number;
  /** Called when a task result was enqueued, to wake the engine. */
  onResult: () => void = () => {};

  constructor(
    private readonly store: Store,
    private readonly registry: TaskRegistry,
    private readonly options: DispatcherOptions,
  ) {
    this.leaseMs = options.leaseMs ?? 6000;
    this.concurrency = options.concurrency ?? 256;
    this.pollMs = options.pollMs ?? 500;
    this.now = options.now ?? Date.now;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.renewTimer = setInterval(() => {
      if (this.inFlight.size > 0) renewLeases(this.store.db, this.options.owner, this.now() + this.leaseMs).catch((err: unknown) => console.error('skybatch: lease renewal failed:', err));
    }, this.leaseMs / 3);
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearInterval(this.renewTimer);
    for (const controller of this.inFlight.values()) controller.abort();
    this.wake();
    await this.loop;
  }

  wake(): void {
    this.alarm.wake();
  }

  /** Stops local handlers of tasks the interpreter cancelled (timeouts, aborted branches). */
  cancel(keys: { executionId: string; taskId: string }[]): void {
    for (const k of keys) this.inFlight.get(`${k.executionId}/${k.taskId}`)?.abort();
  }

  private async run(): Promise<void> {
    while (this.running) {
      let claimed: TaskRow[] = [];
      const room = this.concurrency - this.inFlight.size;
      if (room > 0) {
        try {
          claimed = await withRetry(() => this.store.db.transaction().execute((trx) => claimTasks(trx, this.store.dialect, this.options.owner, this.now(), this.leaseMs, room)));
          this.claimFailures.succeeded();
        } catch (err) {
          this.claimFailures.failed(err);
        }
      }
      for (const task of claimed) this.dispatch(task);
      if (claimed.length > 0 && claimed.length === room) continue;
      await this.alarm.sleep(this.pollMs);
    }
  }

  private dispatch(task: TaskRow): void {
    const key = `${task.execution_id}/${task.task_id}`;
    const controller = new AbortController();
    this.inFlight.set(key, controller);
    const finish = (event: InterpreterEvent) => {
      // A handler that ends after this server stopped has nowhere to report: the task's lease
      // runs out and the task is dispatched again.
      if (!this.running) {
        this.inFlight.delete(key);
        return Promise.resolve();
      }
      return this.complete(task, recordable(event))
        .catch(async (err: unknown) => {
          // The store refused this result (not for a passing reason: withRetry took those).
          // Record the refusal as the task's failure, so the execution goes on and the row
          // does not come back to be run again.
          console.error(`skybatch: could not record the result of task ${key}; failing the task:`, err);
          const cause = `the task's result could not be recorded: ${err instanceof Error ? err.message : String(err)}`;
          await this.complete(task, { type: 'TaskFailed', taskId: task.task_id, error: 'States.Runtime', cause }).catch((again: unknown) => console.error(`skybatch: could not fail task ${key} either:`, again));
        })
        .finally(() => this.inFlight.delete(key));
    };
    const base = callbackBase(task.resource);
    const resource = base ?? task.resource;
    const handler = this.registry(resource);
    if (!handler) {
      void finish({ type: 'TaskFailed', taskId: task.task_id, error: 'States.TaskFailed', cause: `no integration can run resource "${resource}"` });
      return;
    }
    let lastBeat = 0;
    Promise.resolve()
      .then(() =>
        handler(JSON.parse(task.input) as Json, {
          resource,
          stateName: task.state_name,
          taskToken: task.token,
          signal: controller.signal,
          taskId: `${task.execution_id}/${task.task_id}`,
          heartbeat: () => {
            // Heartbeats are events in the execution's inbox; at most one a second is enough.
            if (this.now() - lastBeat < 1000) return;
            lastBeat = this.now();
            void enqueue(this.store.db, [{ executionId: task.execution_id, event: { type: 'TaskHeartbeat', taskId: task.task_id }, availableAt: this.now() }]).then(() => this.onResult());
          },
        }),
      )
      .then(
        (output) => (base === undefined ? finish({ type: 'TaskSucceeded', taskId: task.task_id, output: output ?? null }) : this.park(task, key)),
        (err: unknown) => {
          if (controller.signal.aborted) {
            this.inFlight.delete(key);
            return;
          }
          const { error, cause } = describeFailure(err);
          return finish({ type: 'TaskFailed', taskId: task.task_id, error, cause });
        },
      );
  }

  /** The base of a callback task is done; its result is not the task's (the token's answer is). */
  private park(task: TaskRow, key: string): Promise<void> {
    if (!this.running) {
      this.inFlight.delete(key);
      return Promise.resolve();
    }
    // Nothing to do when the row is gone: the token was answered while the base still ran,
    // or the task was cancelled.
    return withRetry(() => parkTask(this.store.db, this.options.owner, task.execution_id, task.task_id))
      .then(() => undefined)
      .catch((err: unknown) => console.error(`skybatch: could not park task ${key} to wait for its token:`, err))
      .finally(() => this.inFlight.delete(key));
  }

  private async complete(task: TaskRow, event: InterpreterEvent): Promise<void> {
    const recorded = await withRetry(() =>
      this.store.db.transaction().execute(async (trx) => {
        if (!(await releaseTask(trx, this.options.owner, task.execution_id, task.task_id))) return false;
        await enqueue(trx, [{ executionId: task.execution_id, event, availableAt: this.now() }]);
        return true;
      }),
    );
    if (recorded) this.onResult();
  }
}

/**
 * The event as it can be stored: an output that cannot be JSON (a BigInt, a cycle) or nests
 * past the limit fails the task instead, with the reason, rather than failing every attempt
 * to write it.
 */
export function recordable(event: InterpreterEvent): InterpreterEvent {
  if (event.type !== 'TaskSucceeded') return event;
  let problem: string | undefined;
  if (jsonDepth(event.output) > MAX_JSON_DEPTH) problem = `it nests deeper than ${MAX_JSON_DEPTH} levels`;
  else {
    try {
      JSON.stringify(event.output);
    } catch (err) {
      problem = `it is not JSON (${err instanceof Error ? err.message : String(err)})`;
    }
  }
  return problem === undefined ? event : { type: 'TaskFailed', taskId: event.taskId, error: 'States.Runtime', cause: `the task's output cannot be recorded: ${problem}` };
}
