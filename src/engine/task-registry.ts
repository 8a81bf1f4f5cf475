/*
 * How a runtime finds the code behind a Task state's Resource. The batch, functions and
 * notification integrations register here; `skybatch exec` has none that need a server.
 */
import type { Json } from '../asl/types.js';

export interface TaskInvocation {
  resource: string;
  stateName: string;
  taskToken: string;
  /** Unique per task of an execution and stable across re-deliveries: an idempotency key. */
  taskId: string;
  /** Aborted when the task is cancelled (timeout, stop, a failed sibling branch). */
  signal: AbortSignal;
  /** Reports liveness for states with HeartbeatSeconds. */
  heartbeat(): void;
}

export type TaskHandler = (input: Json, invocation: TaskInvocation) => Promise<Json>;

/** Resolves a Resource string to its handler, or undefined when nothing here can run it. */
export type TaskRegistry = (resource: string) => TaskHandler | undefined;

/** Thrown by a task handler to fail the task with an ASL error name and cause. */
export class TaskFailure extends Error {
  readonly error: string;
  override readonly cause: string;
  constructor(error: string, cause = '') {
    super(cause ? `${error}: ${cause}` : error);
    this.error = error;
    this.cause = cause;
  }
}

export const noTasks: TaskRegistry = () => undefined;
