/* Queries on compute environments, job queues and job definitions. */
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

type Db = Kysely<Database>;
type NamedTable = 'compute_environments' | 'job_queues';

export async function putNamed(db: Db, table: NamedTable, name: string, body: unknown): Promise<void> {
  const text = JSON.stringify(body);
  const updated = await db.updateTable(table).set({ body: text }).where('name', '=', name).executeTakeFirst();
  if (Number(updated.numUpdatedRows) === 0) await db.insertInto(table).values({ name, body: text }).execute();
}

export async function getNamed<T>(db: Db, table: NamedTable, name: string): Promise<T | undefined> {
  const row = await db.selectFrom(table).select('body').where('name', '=', name).executeTakeFirst();
  return row ? (JSON.parse(row.body) as T) : undefined;
}

export async function listNamed<T>(db: Db, table: NamedTable): Promise<T[]> {
  const rows = await db.selectFrom(table).select('body').orderBy('name').execute();
  return rows.map((r) => JSON.parse(r.body) as T);
}

export async function deleteNamed(db: Db, table: NamedTable, name: string): Promise<boolean> {
  const result = await db.deleteFrom(table).where('name', '=', name).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function nextDefinitionRevision(db: Db, name: string): Promise<number> {
  const row = await db.selectFrom('job_definitions').select((eb) => eb.fn.max('revision').as('max')).where('name', '=', name).executeTakeFirst();
  return Number(row?.max ?? 0) + 1;
}

export async function insertDefinition(db: Db, name: string, revision: number, body: unknown): Promise<void> {
  await db.insertInto('job_definitions').values({ name, revision, status: 'ACTIVE', body: JSON.stringify(body) }).execute();
}

/** The named revision, or the newest ACTIVE one. */
export async function getDefinition<T>(db: Db, name: string, revision?: number): Promise<T | undefined> {
  let q = db.selectFrom('job_definitions').select('body').where('name', '=', name);
  q = revision === undefined ? q.where('status', '=', 'ACTIVE').orderBy('revision', 'desc').limit(1) : q.where('revision', '=', revision);
  const row = await q.executeTakeFirst();
  return row ? (JSON.parse(row.body) as T) : undefined;
}

export async function listDefinitions<T>(db: Db, options: { name?: string; status?: string }): Promise<T[]> {
  let q = db.selectFrom('job_definitions').select('body').orderBy('name').orderBy('revision');
  if (options.name !== undefined) q = q.where('name', '=', options.name);
  if (options.status !== undefined) q = q.where('status', '=', options.status);
  return (await q.execute()).map((r) => JSON.parse(r.body) as T);
}

export async function setDefinitionStatus(db: Db, name: string, revision: number, status: string, body: unknown): Promise<boolean> {
  const result = await db.updateTable('job_definitions').set({ status, body: JSON.stringify(body) }).where('name', '=', name).where('revision', '=', revision).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
