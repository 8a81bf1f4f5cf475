/*
 * Which stack manages which resource (stack_resources), and the forms stacks declare.
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export interface StackRecord {
  kind: string;
  name: string;
  stack: string;
  hash: string;
}

export async function allRecords(db: Kysely<Database>): Promise<StackRecord[]> {
  return db.selectFrom('stack_resources').select(['kind', 'name', 'stack', 'hash']).execute();
}

export async function recordsOfStack(db: Kysely<Database>, stack: string): Promise<StackRecord[]> {
  return db.selectFrom('stack_resources').select(['kind', 'name', 'stack', 'hash']).where('stack', '=', stack).execute();
}

export async function putRecord(db: Kysely<Database>, record: StackRecord): Promise<void> {
  const updated_at = new Date().toISOString();
  await db
    .insertInto('stack_resources')
    .values({ ...record, updated_at })
    .onConflict((oc) => oc.columns(['kind', 'name']).doUpdateSet({ stack: record.stack, hash: record.hash, updated_at }))
    .execute();
}

export async function deleteRecord(db: Kysely<Database>, kind: string, name: string): Promise<void> {
  await db.deleteFrom('stack_resources').where('kind', '=', kind).where('name', '=', name).execute();
}

export async function listStackNames(db: Kysely<Database>): Promise<{ stack: string; resources: number }[]> {
  const rows = await db.selectFrom('stack_resources').select(['stack']).select((eb) => eb.fn.countAll<number>().as('resources')).groupBy('stack').orderBy('stack').execute();
  return rows.map((r) => ({ stack: r.stack, resources: Number(r.resources) }));
}

export async function putForm(db: Kysely<Database>, name: string, stack: string, body: string): Promise<void> {
  const updated_at = new Date().toISOString();
  await db
    .insertInto('forms')
    .values({ name, stack, body, updated_at })
    .onConflict((oc) => oc.column('name').doUpdateSet({ stack, body, updated_at }))
    .execute();
}

export async function getForm(db: Kysely<Database>, name: string): Promise<{ name: string; stack: string; body: string; updated_at: string } | undefined> {
  return db.selectFrom('forms').selectAll().where('name', '=', name).executeTakeFirst();
}

export async function listForms(db: Kysely<Database>): Promise<{ name: string; stack: string; body: string; updated_at: string }[]> {
  return db.selectFrom('forms').selectAll().orderBy('name').execute();
}

export async function deleteForm(db: Kysely<Database>, name: string): Promise<void> {
  await db.deleteFrom('forms').where('name', '=', name).execute();
}
