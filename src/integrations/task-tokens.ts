/*
 * SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat. A `.waitForTaskToken` task is a row
 * in `tasks` found by its token; answering it deletes the row and enqueues the result in one
 * transaction, so an answer is applied once however often (or concurrently) it is sent: the
 * second sender finds no row and is told the task is over, as Step Functions does.
 */
import type { InterpreterEvent } from '../asl/interpreter/protocol.js';
import { callbackBase } from '../engine/task-dispatcher.js';
import type { TaskTokens } from '../engine/types.js';
import { BadRequestError, NotFoundError, PayloadTooLargeError } from '../errors.js';
import type { Store } from '../store/database.js';
import { withRetry } from '../store/errors.js';
import { findExecutionByName } from '../store/executions.js';
import { enqueue } from '../store/inbox.js';
import { deleteTask, findTaskByToken, type TaskRow } from '../store/tasks.js';

/** Step Functions' limits on SendTask* arguments. */
export const MAX_TOKEN_LENGTH = 1024;
export const MAX_OUTPUT_BYTES = 256 * 1024;
export const MAX_ERROR_LENGTH = 256;
export const MAX_CAUSE_LENGTH = 32768;

export type TaskTokenErrorName = 'TaskTimedOut' | 'InvalidToken';

/** A token that names no waiting task. `details.error` is the name Step Functions' API uses. */
export class TaskTokenError extends NotFoundError {
  override readonly details: { error: TaskTokenErrorName };
  constructor(error: TaskTokenErrorName, reason: string) {
    super(`${error === 'TaskTimedOut' ? 'Task Timed Out' : 'Invalid Token'}: ${reason}`);
    this.details = { error };
  }
}

export function createTaskTokens(store: Store, wake: () => void): TaskTokens {
  /** Runs `answer` on the waiting task of `token` in one transaction with finding it. */
  const answer = async (token: string, remove: boolean, event: (task: TaskRow) => InterpreterEvent): Promise<void> => {
    checkToken(token);
    const outcome = await withRetry(() =>
      store.db.transaction().execute(async (trx) => {
        const task = await findTaskByToken(trx, token);
        if (!task) return 'gone';
        if (callbackBase(task.resource) === undefined) return 'not-callback';
        // The delete decides between concurrent answers: only one of them removes the row.
        if (remove && !(await deleteTask(trx, task.execution_id, task.task_id))) return 'gone';
        await enqueue(trx, [{ executionId: task.execution_id, event: event(task), availableAt: Date.now() }]);
        return 'sent';
      }),
    );
    if (outcome === 'not-callback') throw new TaskTokenError('InvalidToken', 'this task does not wait for a task token (its resource has no .waitForTaskToken)');
    if (outcome === 'gone') throw await unknownToken(store, token);
    wake();
  };

  return {
    async success(token, output) {
      const text = JSON.stringify(output);
      const bytes = Buffer.byteLength(text);
      if (bytes > MAX_OUTPUT_BYTES) throw new PayloadTooLargeError(`task output is ${bytes} bytes; the limit is ${MAX_OUTPUT_BYTES}`);
      await answer(token, true, (task) => ({ type: 'TaskSucceeded', taskId: task.task_id, output }));
    },

    async failure(token, options = {}) {
      const error = options.error ?? '';
      const cause = options.cause ?? '';
      if (error.length > MAX_ERROR_LENGTH) throw new BadRequestError(`error is ${error.length} characters; the limit is ${MAX_ERROR_LENGTH}`);
      if (cause.length > MAX_CAUSE_LENGTH) throw new BadRequestError(`cause is ${cause.length} characters; the limit is ${MAX_CAUSE_LENGTH}`);
      await answer(token, true, (task) => ({ type: 'TaskFailed', taskId: task.task_id, error, cause }));
    },

    async heartbeat(token) {
      await answer(token, false, (task) => ({ type: 'TaskHeartbeat', taskId: task.task_id }));
    },
  };
}

function checkToken(token: string): void {
  if (token === '') throw new BadRequestError('taskToken must not be empty');
  if (token.length > MAX_TOKEN_LENGTH) throw new TaskTokenError('InvalidToken', `a task token has at most ${MAX_TOKEN_LENGTH} characters`);
}

/**
 * Why a token finds no task. A token is the execution ARN and the task id (see taskToken in
 * the interpreter): if it names an execution that exists, the task did exist and is over
 * (answered, timed out, cancelled); anything else was never a token of this platform.
 */
async function unknownToken(store: Store, token: string): Promise<TaskTokenError> {
  const [arn, taskId] = Buffer.from(token, 'base64url').toString('utf8').split('\n');
  const m = /^arn:aws:states:[^:]*:[^:]*:execution:([^:]+):([^:]+)$/.exec(arn ?? '');
  if (m && taskId && (await findExecutionByName(store.db, m[1] as string, m[2] as string))) {
    return new TaskTokenError('TaskTimedOut', 'the task of this token has already finished, timed out or been cancelled');
  }
  return new TaskTokenError('InvalidToken', 'no task has this token');
}
