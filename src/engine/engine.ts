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
 *
 * No execution can hold up the others:
 * - each execution has a budget per batch (states entered, and its share of the batch's time); past it the interpreter
 *   parks it behind a timer due at once, so it goes on after the other due executions, and a
 *   batch as a whole stops stepping new executions once it has used its time;
 * - between batches the loop yields to the event loop, so the HTTP server answers meanwhile;
 * - an execution whose step throws ends on its own (broken-execution.ts) in the batch it was
 *   stepped in; a batch that fails as a whole is stepped again one execution at a time, and
 *   an execution that fails alone twice with the same error ends the same way.
 */
import { Alarm } from '../util/alarm.js';
import { RepeatedFailure } from '../util/repeated-failure.js';
import type { Command, HistoryEvent, InterpreterEvent } from '../asl/interpreter/protocol.js';
import { BatchTime } from './batch-time.js';
import { DEFAULT_MAX_HISTORY_EVENTS, type StepBudget } from '../asl/interpreter/step-limits.js';
import type { ExecutionState } from '../asl/interpreter/state.js';
import { step } from '../asl/interpreter/step.js';
import type { StateMachineDefinition } from '../asl/types.js';
import type { Store } from '../store/database.js';
import { isStoreUnavailable, withRetry } from '../store/errors.js';
import { lockExecutions, saveExecution, type ExecutionRow } from '../store/executions.js';
import { deleteEvents, dueEvents, dueExecutions, nextDueAt } from '../store/inbox.js';
import { getDefinition } from '../store/state-machines.js';
import { breakExecution, describeBreak } from './broken-execution.js';
import { StepWrites, type StepOutcome } from './step-writes.js';

export type { StepOutcome } from './step-writes.js';

export interface EngineOptions {
  /** How often to look for work that other servers (or the clock) made due. */
  pollMs?: number;
  /** Executions stepped per transaction. */
  batchSize?: number;
  /** History events an execution may have before it fails with States.Runtime (AWS: 25,000). */
  maxHistoryEvents?: number;
  /**
   * Per execution and batch: states it may enter (20,000) and milliseconds it may take before
   * it yields (default: its share of the batch's time, at least 2 ms: an execution alone in
   * its batch gets all of it, so a big Map is not cut into many small steps for nobody).
   */
  stepBudget?: { transitions?: number; ms?: number };
  /**
   * Milliseconds a batch may hold the event loop, its writes included (60): the stepping gets
   * what the writes leave, and past it the remaining executions wait for the next batch.
   */
  batchBudgetMs?: number;
  now?: () => number;
  /** Monotonic time for the budgets (performance.now unless given). */
  elapsed?: () => number;
}

/** One execution's step: what to write, or nothing when it had nothing to apply. */
type Stepped = { fields: Partial<Omit<ExecutionRow, 'id'>>; history: HistoryEvent[]; commands: Command[]; finished: boolean } | undefined;

export class Engine {
  private running = false;
  private readonly alarm = new Alarm();
  private loop: Promise<void> | undefined;
  private readonly definitions = new Map<string, StateMachineDefinition>();
  private readonly pollMs: number;
  private readonly batchSize: number;
  private readonly maxHistoryEvents: number;
  private readonly budgetTransitions: number;
  /** Per execution; undefined: its share of the batch's time. */
  private readonly budgetMs: number | undefined;
  private readonly batchTime: BatchTime;
  private readonly elapsed: () => number;
  /** Executions whose lone step failed, with the error, to end them at the second same failure. */
  private readonly strikes = new Map<string, string>();
  readonly now: () => number;
  /** Called after each committed batch, e.g. to wake the task dispatcher. */
  onCommitted: (outcome: StepOutcome) => void = () => {};

  constructor(private readonly store: Store, options: EngineOptions = {}) {
    this.pollMs = options.pollMs ?? 250;
    this.batchSize = options.batchSize ?? 50;
    this.maxHistoryEvents = options.maxHistoryEvents ?? DEFAULT_MAX_HISTORY_EVENTS;
    this.budgetTransitions = options.stepBudget?.transitions ?? 20_000;
    this.budgetMs = options.stepBudget?.ms;
    this.batchTime = new BatchTime(options.batchBudgetMs ?? 60);
    this.now = options.now ?? Date.now;
    this.elapsed = options.elapsed ?? (() => performance.now());
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
    // A database that keeps failing (a full disk) is said once, not every poll.
    const failures = new RepeatedFailure('engine: a step batch');
    while (this.running) {
      let processed = 0;
      try {
        processed = await this.processDue();
        failures.succeeded();
      } catch (err) {
        failures.failed(err);
      }
      if (!this.running) break;
      if (processed > 0) {
        // A batch is synchronous work on SQLite; let requests and timers in before the next.
        await yieldToIo();
        continue;
      }
      const next = await nextDueAt(this.store.db).catch(() => undefined);
      const delay = Math.max(0, Math.min(this.pollMs, next === undefined ? this.pollMs : next - this.now()));
      await this.alarm.sleep(delay);
    }
  }

  /** Steps one batch of executions with due events; returns how many events it applied. */
  async processDue(): Promise<number> {
    const locked: string[] = [];
    try {
      return await this.stepBatch(undefined, locked);
    } catch (err) {
      // A database that is down or full fails every execution alike: nothing to isolate.
      if (locked.length === 0 || isStoreUnavailable(err)) throw err;
      // The batch failed as a whole: find the execution it failed on by stepping each alone.
      let applied = 0;
      for (const id of locked) applied += await this.stepAlone(id);
      return applied;
    }
  }

  private async stepAlone(id: string): Promise<number> {
    try {
      const applied = await this.stepBatch([id], []);
      this.strikes.delete(id);
      return applied;
    } catch (err) {
      if (isStoreUnavailable(err)) throw err;
      const message = describeBreak(err);
      if (this.strikes.get(id) !== message) {
        this.strikes.set(id, message);
        console.error(`skybatch engine: stepping execution ${id} failed, will retry once:`, err);
        return 0;
      }
      this.strikes.delete(id);
      console.error(`skybatch engine: execution ${id} failed the same way twice; ending it:`, err);
      await this.endBroken(id, message);
      return 1;
    }
  }

  private async stepBatch(only: string[] | undefined, locked: string[]): Promise<number> {
    const { db, dialect } = this.store;
    const now = this.now();
    let outcome: StepOutcome | undefined;
    let steppingMs = 0;
    let writesFrom = 0;
    const applied = await withRetry(() =>
      db.transaction().execute(async (trx) => {
        const candidates = only ?? (await dueExecutions(trx, now, this.batchSize * 4));
        if (candidates.length === 0) return 0;
        const executions = await lockExecutions(trx, dialect, candidates, this.batchSize);
        if (executions.length === 0) return 0;
        locked.splice(0, locked.length, ...executions.map((e) => e.id));
        const rows = await dueEvents(trx, locked, now);
        const byExecution = new Map<string, { id: number; event: string }[]>();
        for (const row of rows) {
          const list = byExecution.get(row.execution_id) ?? [];
          list.push({ id: row.id, event: row.event });
          byExecution.set(row.execution_id, list);
        }
        const writes = new StepWrites();
        const consumed: number[] = [];
        const batchStart = this.elapsed();
        const batchSteppingMs = this.batchTime.steppingMs();
        const shareMs = this.budgetMs ?? Math.max(2, batchSteppingMs / executions.length);
        for (const [i, execution] of executions.entries()) {
          // Past the batch's time the rest wait for the next batch, their events untouched.
          if (i > 0 && this.elapsed() - batchStart > batchSteppingMs) break;
          const events = byExecution.get(execution.id) ?? [];
          if (events.length === 0) continue; // another server stepped it meanwhile
          for (const e of events) consumed.push(e.id);
          let stepped: Stepped;
          try {
            stepped = await this.stepExecution(
              trx,
              execution,
              events.map((e) => e.event),
              now,
              shareMs,
            );
          } catch (err) {
            writes.broken.push(breakExecution(execution, 'FAILED', 'States.Runtime', describeBreak(err), now));
            continue;
          }
          if (!stepped) continue;
          writes.history.push({ executionId: execution.id, events: stepped.history });
          writes.collect(execution.id, stepped.commands, now);
          await saveExecution(trx, execution.id, stepped.fields);
          if (stepped.finished) writes.outcome.finished.push(execution.id);
        }
        writesFrom = this.elapsed();
        steppingMs = writesFrom - batchStart;
        await writes.flush(trx);
        await deleteEvents(trx, consumed);
        outcome = writes.outcome;
        return consumed.length;
      }),
    );
    if (outcome) {
      this.batchTime.record(steppingMs, this.elapsed() - writesFrom);
      this.onCommitted(outcome);
    }
    return applied;
  }

  /**
   * Ends an execution that cannot be stepped, in a transaction of its own. When even that
   * fails (its history rows are what the database refuses), it ends without the last event.
   */
  private async endBroken(id: string, cause: string): Promise<void> {
    try {
      await this.writeBroken(id, cause, true);
    } catch (err) {
      console.error(`skybatch engine: could not record the end of execution ${id} in its history; ending it without:`, err);
      await this.writeBroken(id, cause, false);
    }
  }

  private async writeBroken(id: string, cause: string, withHistory: boolean): Promise<void> {
    const { db, dialect } = this.store;
    let outcome: StepOutcome | undefined;
    await withRetry(() =>
      db.transaction().execute(async (trx) => {
        const q = trx.selectFrom('executions').selectAll().where('id', '=', id);
        const execution = dialect === 'postgres' ? await q.forUpdate().executeTakeFirst() : await q.executeTakeFirst();
        if (!execution) return;
        const writes = new StepWrites();
        const broken = breakExecution(execution, 'FAILED', 'States.Runtime', cause, this.now());
        if (!withHistory) {
          broken.withoutHistory = true;
          broken.fields.last_event_id = execution.last_event_id;
        }
        writes.broken.push(broken);
        await writes.flush(trx);
        outcome = writes.outcome;
      }),
    );
    if (outcome) this.onCommitted(outcome);
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
        const writes = new StepWrites();
        const now = this.now();
        try {
          const stepped = await this.stepExecution(trx, execution, [JSON.stringify(event)], now, this.budgetMs ?? this.batchTime.steppingMs());
          if (stepped) {
            writes.history.push({ executionId, events: stepped.history });
            writes.collect(executionId, stepped.commands, now);
            await saveExecution(trx, executionId, stepped.fields);
            if (stepped.finished) writes.outcome.finished.push(executionId);
          }
        } catch (err) {
          // A stop must stop even an execution the interpreter cannot step.
          const broken =
            event.type === 'StopExecution' && execution.status === 'RUNNING'
              ? breakExecution(execution, 'ABORTED', event.error ?? '', event.cause ?? describeBreak(err), now)
              : breakExecution(execution, 'FAILED', 'States.Runtime', describeBreak(err), now);
          writes.broken.push(broken);
        }
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

  /**
   * Runs the interpreter over one execution's events and serialises the result, touching no
   * table: whatever it throws concerns this execution alone.
   */
  private async stepExecution(db: Store['db'], execution: ExecutionRow, eventTexts: string[], now: number, budgetMs: number): Promise<Stepped> {
    const definition = await this.definition(db, execution.state_machine, execution.revision);
    let state: ExecutionState | undefined = execution.state === '' ? undefined : (JSON.parse(execution.state) as ExecutionState);
    const history: HistoryEvent[] = [];
    const commands: Command[] = [];
    // Only the start event uses the seed; later steps draw from the state's own generator.
    const seed = hashSeed(execution.id);
    const started = this.elapsed();
    const budget: StepBudget = { transitions: this.budgetTransitions, overdue: () => this.elapsed() - started > budgetMs };
    const limits = { maxHistoryEvents: this.maxHistoryEvents, budget };
    for (const text of eventTexts) {
      const event = JSON.parse(text) as InterpreterEvent;
      if (event.type === 'StartExecution' && state) continue; // already started: a duplicate
      if (event.type !== 'StartExecution' && !state) continue;
      const result = await step(definition, state, event, now, seed, limits);
      state = result.state;
      history.push(...result.events);
      commands.push(...result.commands);
    }
    if (!state) return undefined;
    const ended = state.status !== 'RUNNING';
    const redriven = execution.status !== 'RUNNING' && state.status === 'RUNNING';
    return {
      history,
      commands,
      finished: ended && (execution.status === 'RUNNING' || redriven),
      fields: {
        state: JSON.stringify(state),
        status: state.status,
        output: state.output === undefined ? null : JSON.stringify(state.output),
        // Step Functions leaves out an error or cause nobody gave (a bare stop, a Fail without Error).
        error: state.error || null,
        cause: state.cause || null,
        stop_date: ended ? (execution.stop_date ?? new Date(now).toISOString()) : null,
        redrive_count: state.context.Execution.RedriveCount,
        last_event_id: state.lastEventId,
      },
    };
  }
}

/**
 * Waits until the event loop has polled for I/O once. One setImmediate is not enough: from a
 * timer or an I/O callback it fires in the same turn's check phase, before any new request is
 * read, so two batches would run back to back; the second always comes after a poll.
 */
async function yieldToIo(): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  await new Promise<void>((resolve) => setImmediate(resolve));
}

/** A stable per-execution seed, so a replay of its events draws the same random numbers. */
function hashSeed(id: string): number {
  let h = 2166136261;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 16777619);
  return h | 0;
}
