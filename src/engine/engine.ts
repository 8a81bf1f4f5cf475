/*
 * The durable runtime around the pure interpreter.
 *
 * Loop: lock a batch of executions that have due inbox events, apply those events in order
 * with `step`, and write in the same transaction the new execution state, the history the
 * step produced, the inbox rows it consumed and the timers and tasks its commands asked for.
 * A crash before the commit leaves the events in the inbox; after it, nothing needs redoing:
 * a transition is persisted exactly once. On PostgreSQL executions are locked with
 * FOR UPDATE SKIP LOCKED, so several servers share the work without stepping one execution
 * twice at the same time.
 */
import { Alarm } from '../util/alarm.js';
import type { Command, HistoryEvent, InterpreterEvent } from '../asl/interpreter/protocol.js';
import type { ExecutionState } from '../asl/interpreter/state.js';
import { step } from '../asl/interpreter/step.js';
import type { StateMachineDefinition } from '../asl/types.js';
import type { Store } from '../store/database.js';
import { withRetry } from '../store/errors.js';
import { lockExecutions, saveExecution, type ExecutionRow } from '../store/executions.js';
import { appendHistory, type HistoryBatch } from '../store/history.js';
import { cancelTimers, deleteEvents, dueEvents, dueExecutions, enqueue, nextDueAt, type InboxEntry } from '../store/inbox.js';
import { getDefinition } from '../store/state-machines.js';
import { deleteTasks, insertTasks, type TaskRow } from '../store/tasks.js';

export interface EngineOptions {
  /** How often to look for work that other servers (or the clock) made due. */
  pollMs?: number;
  /** Executions stepped per transaction. */
  batchSize?: number;
  now?: () => number;
}

export interface StepOutcome {
  newTasks: number;
  cancelledTasks: { executionId: string; taskId: string }[];
  finished: string[];
}

export class Engine {
  private running = false;
  private readonly alarm = new Alarm();
  private loop: Promise<void> | undefined;
  private readonly definitions = new Map<string, StateMachineDefinition>();
  private readonly pollMs: number;
  private readonly batchSize: number;
  readonly now: () => number;
  /** Called after each committed batch, e.g. to wake the task dispatcher. */
  onCommitted: (outcome: StepOutcome) => void = () => {};

  constructor(private readonly store: Store, options: EngineOptions = {}) {
    this.pollMs = options.pollMs ?? 250;
    this.batchSize = options.batchSize ?? 50;
    this.now = options.now ?? Date.now;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
  }

  /** Look for work now (an event was just enqueued by this process). */
  wake(): void {
    this.alarm.wake();
  }

  private async run(): Promise<void> {
    while (this.running) {
      let processed = 0;
      try {
        processed = await this.processDue();
      } catch (err) {
        console.error('skybatch engine: step batch failed, will retry:', err);
      }
      if (processed > 0 || !this.running) continue;
      const next = await nextDueAt(this.store.db).catch(() => undefined);
      const delay = Math.max(0, Math.min(this.pollMs, next === undefined ? this.pollMs : next - this.now()));
      await this.alarm.sleep(delay);
    }
  }

  /** Steps one batch of executions with due events; returns how many events it applied. */
  async processDue(): Promise<number> {
    const { db, dialect } = this.store;
    const now = this.now();
    let outcome: StepOutcome | undefined;
    const applied = await withRetry(() =>
      db.transaction().execute(async (trx) => {
        const candidates = await dueExecutions(trx, now, this.batchSize * 4);
        if (candidates.length === 0) return 0;
        const executions = await lockExecutions(trx, dialect, candidates, this.batchSize);
        if (executions.length === 0) return 0;
        const rows = await dueEvents(
          trx,
          executions.map((e) => e.id),
          now,
        );
        const byExecution = new Map<string, { id: number; event: InterpreterEvent }[]>();
        for (const row of rows) {
          const list = byExecution.get(row.execution_id) ?? [];
          list.push({ id: row.id, event: JSON.parse(row.event) as InterpreterEvent });
          byExecution.set(row.execution_id, list);
        }
        const writes = new Writes();
        for (const execution of executions) {
          const events = byExecution.get(execution.id) ?? [];
          await this.applyEvents(trx, execution, events.map((e) => e.event), now, writes);
        }
        await writes.flush(trx);
        await deleteEvents(
          trx,
          rows.map((r) => r.id),
        );
        outcome = writes.outcome;
        return rows.length;
      }),
    );
    if (outcome) this.onCommitted(outcome);
    return applied;
  }

  /** Applies `event` to one execution at once, in its own transaction (stop, redrive). */
  async applyNow(executionId: string, event: InterpreterEvent): Promise<boolean> {
    const { db, dialect } = this.store;
    let outcome: StepOutcome | undefined;
    const done = await withRetry(() =>
      db.transaction().execute(async (trx) => {
        // Wait for the row rather than skip it: the caller asked for this very execution.
        const q = trx.selectFrom('executions').selectAll().where('id', '=', executionId);
        const execution = dialect === 'postgres' ? await q.forUpdate().executeTakeFirst() : await q.executeTakeFirst();
        if (!execution || execution.state === '') return false;
        const writes = new Writes();
        await this.applyEvents(trx, execution, [event], this.now(), writes);
        await writes.flush(trx);
        outcome = writes.outcome;
        return true;
      }),
    );
    if (outcome) this.onCommitted(outcome);
    return done;
  }

  private async definition(db: Store['db'], name: string, revision: number): Promise<StateMachineDefinition> {
    const key = `${name}\u0000${revision}`;
    let def = this.definitions.get(key);
    if (!def) {
      const text = await getDefinition(db, name, revision);
      if (text === undefined) throw new Error(`definition ${name}:${revision} is missing`);
      def = JSON.parse(text) as StateMachineDefinition;
      if (this.definitions.size > 1000) this.definitions.clear();
      this.definitions.set(key, def);
    }
    return def;
  }

  private async applyEvents(db: Store['db'], execution: ExecutionRow, events: InterpreterEvent[], now: number, writes: Writes): Promise<void> {
    const definition = await this.definition(db, execution.state_machine, execution.revision);
    let state: ExecutionState | undefined = execution.state === '' ? undefined : (JSON.parse(execution.state) as ExecutionState);
    const history: HistoryEvent[] = [];
    const commands: Command[] = [];
    // Only the start event uses the seed; later steps draw from the state's own generator.
    const seed = hashSeed(execution.id);
    for (const event of events) {
      if (event.type === 'StartExecution' && state) continue; // already started: a duplicate
      if (event.type !== 'StartExecution' && !state) continue;
      const result = await step(definition, state, event, now, seed);
      state = result.state;
      history.push(...result.events);
      commands.push(...result.commands);
    }
    if (!state) return;
    writes.history.push({ executionId: execution.id, events: history });
    writes.collect(execution.id, commands, now);
    const ended = state.status !== 'RUNNING';
    const redriven = execution.status !== 'RUNNING' && state.status === 'RUNNING';
    await saveExecution(db, execution.id, {
      state: JSON.stringify(state),
      status: state.status,
      output: state.output === undefined ? null : JSON.stringify(state.output),
      // Step Functions leaves out an error or cause nobody gave (a bare stop, a Fail without Error).
      error: state.error || null,
      cause: state.cause || null,
      stop_date: ended ? (execution.stop_date ?? new Date(now).toISOString()) : null,
      redrive_count: state.context.Execution.RedriveCount,
      last_event_id: state.lastEventId,
    });
    if (ended && (execution.status === 'RUNNING' || redriven)) writes.outcome.finished.push(execution.id);
  }
}

/** The writes one batch of steps asks for, done together before the commit. */
class Writes {
  readonly history: HistoryBatch[] = [];
  readonly inbox: InboxEntry[] = [];
  readonly cancelledTimers: { executionId: string; timerId: string }[] = [];
  readonly tasks: TaskRow[] = [];
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
    await appendHistory(db, this.history);
    await cancelTimers(db, this.cancelledTimers);
    await enqueue(db, this.inbox);
    await insertTasks(db, this.tasks);
    await deleteTasks(db, this.outcome.cancelledTasks);
    this.outcome.newTasks = this.tasks.length;
  }
}

/** A stable per-execution seed, so a replay of its events draws the same random numbers. */
function hashSeed(id: string): number {
  let h = 2166136261;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 16777619);
  return h | 0;
}
