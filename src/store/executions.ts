/* Queries on executions. */
import type { Kysely, Selectable } from 'kysely';
import type { Dialect } from './database.js';
import type { Database, ExecutionsTable } from './schema.js';

type Db = Kysely<Database>;
export type ExecutionRow = Selectable<ExecutionsTable>;

export async function insertExecution(db: Db, row: ExecutionRow): Promise<void> {
  await db.insertInto('executions').values(row).execute();
}

export function findExecution(db: Db, id: string): Promise<ExecutionRow | undefined> {
  return db.selectFrom('executions').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findExecutionByName(db: Db, stateMachine: string, name: string): Promise<ExecutionRow | undefined> {
  return db.selectFrom('executions').selectAll().where('state_machine', '=', stateMachine).where('name', '=', name).executeTakeFirst();
}

export interface ExecutionFilter {
  stateMachine?: string | undefined;
  status?: string | undefined;
  limit: number;
  /** Keyset pagination: start_date and id of the last row of the previous page. */
  before?: { startDate: string; id: string } | undefined;
}

export function listExecutions(db: Db, filter: ExecutionFilter) {
  let q = db
    .selectFrom('executions')
    .select(['id', 'name', 'state_machine', 'status', 'start_date', 'stop_date'])
    .orderBy('start_date', 'desc')
    .orderBy('id', 'desc')
    .limit(filter.limit);
  if (filter.stateMachine !== undefined) q = q.where('state_machine', '=', filter.stateMachine);
  if (filter.status !== undefined) q = q.where('status', '=', filter.status);
  const before = filter.before;
  if (before) q = q.where((eb) => eb.or([eb('start_date', '<', before.startDate), eb.and([eb('start_date', '=', before.startDate), eb('id', '<', before.id)])]));
  return q.execute();
}

/**
 * Locks the given executions for this transaction. On PostgreSQL rows another server holds
 * are skipped, so two servers never step the same execution at once; SQLite has one writer.
 */
export function lockExecutions(db: Db, dialect: Dialect, ids: string[], limit: number): Promise<ExecutionRow[]> {
  // LIMIT with SKIP LOCKED takes the first free rows, so no more are held than are stepped.
  const q = db.selectFrom('executions').selectAll().where('id', 'in', ids).orderBy('id').limit(limit);
  return dialect === 'postgres' ? q.forUpdate().skipLocked().execute() : q.execute();
}

export async function saveExecution(db: Db, id: string, fields: Partial<Omit<ExecutionRow, 'id'>>): Promise<void> {
  await db.updateTable('executions').set(fields).where('id', '=', id).execute();
}
