/*
 * The inbox: every event waiting to be applied to an execution, including timers, which are
 * events whose available_at lies in the future. One queue means one code path for task
 * results, timers, stops and starts, and a restart loses none of them.
 */
import type { Kysely } from 'kysely';
import type { InterpreterEvent } from '../asl/interpreter/protocol.js';
import type { Dialect } from './database.js';
import type { Database } from './schema.js';

type Db = Kysely<Database>;

export interface InboxEntry {
  executionId: string;
  event: InterpreterEvent;
  availableAt: number;
  timerId?: string;
}

export async function enqueue(db: Db, entries: InboxEntry[]): Promise<void> {
  const rows = entries.map((e) => ({ execution_id: e.executionId, timer_id: e.timerId ?? null, event: JSON.stringify(e.event), available_at: e.availableAt }));
  for (let i = 0; i < rows.length; i += 500) await db.insertInto('inbox').values(rows.slice(i, i + 500)).execute();
}

/** Executions with events due at `now`, oldest event first. */
export async function dueExecutions(db: Db, now: number, limit: number): Promise<string[]> {
  // Walk the due index in order and dedupe here: a GROUP BY lets the planner scan the whole
  // inbox, waiting timers included, on every poll.
  const rows = await db.selectFrom('inbox').select('execution_id').where('available_at', '<=', now).orderBy('available_at').orderBy('id').limit(limit * 4).execute();
  const ids = new Set<string>();
  for (const row of rows) {
    ids.add(row.execution_id);
    if (ids.size >= limit) break;
  }
  return [...ids];
}

export interface InboxRow {
  id: number;
  execution_id: string;
  event: string;
}

export function dueEvents(db: Db, executionIds: string[], now: number): Promise<InboxRow[]> {
  return db.selectFrom('inbox').select(['id', 'execution_id', 'event']).where('execution_id', 'in', executionIds).where('available_at', '<=', now).orderBy('id').execute();
}

export async function deleteEvents(db: Db, ids: number[]): Promise<void> {
  for (let i = 0; i < ids.length; i += 500) await db.deleteFrom('inbox').where('id', 'in', ids.slice(i, i + 500)).execute();
}

/** Everything waiting for one execution, timers included: it will never be stepped again. */
export async function deleteExecutionEvents(db: Db, executionId: string): Promise<void> {
  await db.deleteFrom('inbox').where('execution_id', '=', executionId).execute();
}

export async function cancelTimers(db: Db, timers: { executionId: string; timerId: string }[]): Promise<void> {
  for (const t of timers) await db.deleteFrom('inbox').where('execution_id', '=', t.executionId).where('timer_id', '=', t.timerId).execute();
}

/** When the next event falls due, to sleep exactly that long. */
export async function nextDueAt(db: Db): Promise<number | undefined> {
  const row = await db.selectFrom('inbox').select((eb) => eb.fn.min('available_at').as('at')).executeTakeFirst();
  return row?.at === null || row?.at === undefined ? undefined : Number(row.at);
}

export type { Dialect };
