/*
 * The writes one batch of steps asks for, done together before the commit: history, timers,
 * tasks, and the executions that could not be stepped at all (see broken-execution.ts).
 */
import type { Command } from '../asl/interpreter/protocol.js';
import type { Store } from '../store/database.js';
import { appendHistory, type HistoryBatch } from '../store/history.js';
import { cancelTimers, deleteExecutionEvents, enqueue, type InboxEntry } from '../store/inbox.js';
import { saveExecution } from '../store/executions.js';
import { deleteTasks, insertTasks, taskIdsOfExecution, type TaskRow } from '../store/tasks.js';
import type { BrokenExecution } from './broken-execution.js';

export interface StepOutcome {
  newTasks: number;
  cancelledTasks: { executionId: string; taskId: string }[];
  finished: string[];
}

export class StepWrites {
  readonly history: HistoryBatch[] = [];
  readonly inbox: InboxEntry[] = [];
  readonly cancelledTimers: { executionId: string; timerId: string }[] = [];
  readonly tasks: TaskRow[] = [];
  readonly broken: BrokenExecution[] = [];
  readonly outcome: StepOutcome = { newTasks: 0, cancelledTasks: [], finished: [] };

  collect(executionId: string, commands: Command[], now: number): void {
    const createdAt = new Date(now).toISOString();
    for (const c of commands) {
      switch (c.type) {
        case 'StartTimer':
          this.inbox.push({ executionId, timerId: c.timerId, event: { type: 'TimerFired', timerId: c.timerId }, availableAt: c.fireAt });
          break;
        case 'CancelTimer': {
          const pending = this.inbox.findIndex((e) => e.executionId === executionId && e.timerId === c.timerId);
          if (pending >= 0) this.inbox.splice(pending, 1);
          else this.cancelledTimers.push({ executionId, timerId: c.timerId });
          break;
        }
        case 'RunTask':
          this.tasks.push({
            execution_id: executionId,
            task_id: c.taskId,
            state_name: c.stateName,
            resource: c.resource,
            input: JSON.stringify(c.input),
            token: c.taskToken,
            timeout_seconds: c.timeoutSeconds ?? null,
            heartbeat_seconds: c.heartbeatSeconds ?? null,
            status: 'READY',
            lease_owner: null,
            lease_expires: null,
            dispatches: 0,
            created_at: createdAt,
          });
          break;
        case 'CancelTask': {
          const pending = this.tasks.findIndex((t) => t.execution_id === executionId && t.task_id === c.taskId);
          if (pending >= 0) this.tasks.splice(pending, 1);
          else this.outcome.cancelledTasks.push({ executionId, taskId: c.taskId });
          break;
        }
        default:
          // Execution ended: its status is in the saved state.
          break;
      }
    }
  }

  async flush(db: Store['db']): Promise<void> {
    for (const b of this.broken) {
      // Whatever it waited on goes: its timers and events, and its tasks (running ones are cancelled).
      await deleteExecutionEvents(db, b.executionId);
      for (const taskId of await taskIdsOfExecution(db, b.executionId)) this.outcome.cancelledTasks.push({ executionId: b.executionId, taskId });
      await saveExecution(db, b.executionId, b.fields);
      if (!b.withoutHistory) this.history.push({ executionId: b.executionId, events: [b.event] });
      if (b.wasRunning) this.outcome.finished.push(b.executionId);
    }
    await appendHistory(db, this.history);
    await cancelTimers(db, this.cancelledTimers);
    await enqueue(db, this.inbox);
    await insertTasks(db, this.tasks);
    await deleteTasks(db, this.outcome.cancelledTasks);
    this.outcome.newTasks = this.tasks.length;
  }
}
