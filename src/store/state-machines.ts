/* Queries on state machines and their revisions. */
import type { Kysely } from 'kysely';
import type { Database, StateMachinesTable } from './schema.js';

type Db = Kysely<Database>;

export async function insertStateMachine(db: Db, row: { name: string; roleArn: string; definition: string; now: string }): Promise<number> {
  // A deleted machine's revisions stay for its running executions; a new machine of the
  // same name numbers its revisions after them.
  const last = await db.selectFrom('state_machine_revisions').select((eb) => eb.fn.max('revision').as('max')).where('name', '=', row.name).executeTakeFirst();
  const revision = Number(last?.max ?? 0) + 1;
  await db.insertInto('state_machines').values({ name: row.name, revision, role_arn: row.roleArn, created_at: row.now, updated_at: row.now }).execute();
  await db.insertInto('state_machine_revisions').values({ name: row.name, revision, definition: row.definition, created_at: row.now }).execute();
  return revision;
}

export async function addRevision(db: Db, name: string, definition: string, now: string): Promise<number | undefined> {
  const updated = await db
    .updateTable('state_machines')
    .set((eb) => ({ revision: eb('revision', '+', 1), updated_at: now }))
    .where('name', '=', name)
    .returning('revision')
    .executeTakeFirst();
  if (!updated) return undefined;
  await db.insertInto('state_machine_revisions').values({ name, revision: updated.revision, definition, created_at: now }).execute();
  return updated.revision;
}

export function getStateMachine(db: Db, name: string): Promise<StateMachinesTable | undefined> {
  return db.selectFrom('state_machines').selectAll().where('name', '=', name).executeTakeFirst();
}

export async function getDefinition(db: Db, name: string, revision: number): Promise<string | undefined> {
  const row = await db.selectFrom('state_machine_revisions').select('definition').where('name', '=', name).where('revision', '=', revision).executeTakeFirst();
  return row?.definition;
}

export function listStateMachines(db: Db, options: { limit: number; after?: string | undefined }): Promise<StateMachinesTable[]> {
  let q = db.selectFrom('state_machines').selectAll().orderBy('name').limit(options.limit);
  if (options.after !== undefined) q = q.where('name', '>', options.after);
  return q.execute();
}

export function listRevisions(db: Db, name: string): Promise<{ revision: number; created_at: string }[]> {
  return db.selectFrom('state_machine_revisions').select(['revision', 'created_at']).where('name', '=', name).orderBy('revision').execute();
}

export async function deleteStateMachine(db: Db, name: string): Promise<boolean> {
  const result = await db.deleteFrom('state_machines').where('name', '=', name).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
