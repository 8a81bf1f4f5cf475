/*
 * Tasks the interpreter asked for. A task is claimed with a lease; the server holding it
 * renews the lease while the handler runs. A server that dies stops renewing, and another
 * claims the task once the lease has run out.
 * Status: READY (nobody holds it), RUNNING (leased), WAITING (a .waitForTaskToken task whose
 * base integration has run: it holds no lease and is never claimed again; only SendTask*,
 * a timer or a cancellation removes it).
 */
import type { Kysely, Selectable } from 'kysely';
import type { Dialect } from './database.js';
import type { Database, TasksTable } from './schema.js';

type Db = Kysely<Database>;
export type TaskRow = Selectable<TasksTable>;

export async function insertTasks(db: Db, rows: TaskRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 200) await db.insertInto('tasks').values(rows.slice(i, i + 200)).execute();
}

export async function deleteTasks(db: Db, keys: { executionId: string; taskId: string }[]): Promise<void> {
  for (const k of keys) await db.deleteFrom('tasks').where('execution_id', '=', k.executionId).where('task_id', '=', k.taskId).execute();
}

export async function taskIdsOfExecution(db: Db, executionId: string): Promise<string[]> {
  const rows = await db.selectFrom('tasks').select('task_id').where('execution_id', '=', executionId).execute();
  return rows.map((r) => r.task_id);
}

/** Claims up to `limit` tasks that nobody holds (new, or whose lease ran out). */
export async function claimTasks(db: Db, dialect: Dialect, owner: string, now: number, leaseMs: number, limit: number): Promise<TaskRow[]> {
  let q = db
    .selectFrom('tasks')
    .selectAll()
    .where((eb) => eb.or([eb('status', '=', 'READY'), eb('lease_expires', '<', now)]))
    .orderBy('created_at')
    .limit(limit);
  if (dialect === 'postgres') q = q.forUpdate().skipLocked();
  const rows = await q.execute();
  for (const row of rows) {
    await db
      .updateTable('tasks')
      .set((eb) => ({ status: 'RUNNING', lease_owner: owner, lease_expires: now + leaseMs, dispatches: eb('dispatches', '+', 1) }))
      .where('execution_id', '=', row.execution_id)
      .where('task_id', '=', row.task_id)
      .execute();
    row.dispatches += 1;
  }
  return rows;
}

export async function renewLeases(db: Db, owner: string, until: number): Promise<void> {
  await db.updateTable('tasks').set({ lease_expires: until }).where('lease_owner', '=', owner).where('status', '=', 'RUNNING').execute();
}

/** Removes a finished task if this owner still holds it; false when it was cancelled or taken over. */
export async function releaseTask(db: Db, owner: string, executionId: string, taskId: string): Promise<boolean> {
  const result = await db.deleteFrom('tasks').where('execution_id', '=', executionId).where('task_id', '=', taskId).where('lease_owner', '=', owner).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Tasks that a dead server of a single-server (SQLite) deployment was running: ready them again. */
export async function resetAllLeases(db: Db): Promise<void> {
  await db.updateTable('tasks').set({ status: 'READY', lease_owner: null, lease_expires: null }).where('status', '=', 'RUNNING').execute();
}

export function findTaskByToken(db: Db, token: string): Promise<TaskRow | undefined> {
  return db.selectFrom('tasks').selectAll().where('token', '=', token).executeTakeFirst();
}

/** The base integration of a callback task returned: give up the lease and wait for its token. */
export async function parkTask(db: Db, owner: string, executionId: string, taskId: string): Promise<boolean> {
  const result = await db
    .updateTable('tasks')
    .set({ status: 'WAITING', lease_owner: null, lease_expires: null })
    .where('execution_id', '=', executionId)
    .where('task_id', '=', taskId)
    .where('lease_owner', '=', owner)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Deletes one task whoever holds it; false when it was already gone (answered, cancelled). */
export async function deleteTask(db: Db, executionId: string, taskId: string): Promise<boolean> {
  const result = await db.deleteFrom('tasks').where('execution_id', '=', executionId).where('task_id', '=', taskId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
