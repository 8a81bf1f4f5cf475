/*
 * Queries on functions, their versions and aliases. The tables are declared here and added to
 * the shared Database type with kysely's withTables, so the schema of the other subsystems
 * does not have to know about them.
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export interface FunctionsTable {
  name: string;
  latest_version: number;
  created_at: string;
  updated_at: string;
}

export interface FunctionVersionsTable {
  name: string;
  version: number;
  /** The source as published (JS or TS). */
  code: string;
  /** What the workers import: the source, or TypeScript stripped to JavaScript. */
  module: string;
  code_sha256: string;
  handler: string;
  runtime: string;
  timeout_seconds: number;
  memory_mib: number;
  description: string;
  created_at: string;
}

export interface FunctionAliasesTable {
  name: string;
  alias: string;
  version: number;
  created_at: string;
  updated_at: string;
}

// A type, not an interface: withTables wants a record type.
export type FunctionTables = {
  functions: FunctionsTable;
  function_versions: FunctionVersionsTable;
  function_aliases: FunctionAliasesTable;
};

export type Db = Kysely<Database & FunctionTables>;

/** The store's database with the function tables known to the type checker. */
export function functionsDb(db: Kysely<Database>): Db {
  return db.withTables<FunctionTables>();
}

/** Version columns without the (possibly large) code: enough to describe or run a version. */
export type VersionConfig = Omit<FunctionVersionsTable, 'code' | 'module'>;
const CONFIG_COLUMNS = ['name', 'version', 'code_sha256', 'handler', 'runtime', 'timeout_seconds', 'memory_mib', 'description', 'created_at'] as const;

export type NewVersion = Omit<FunctionVersionsTable, 'version'>;

/**
 * Adds version latest+1, unless `unchanged` says the latest version already is this one
 * (Lambda's PublishVersion does the same), in one transaction. The no-op update first locks
 * the function row on PostgreSQL, so concurrent publishes of one name number their versions
 * in turn; concurrent first publishes collide on the primary key and the caller runs again.
 */
export async function publishVersion(db: Db, row: NewVersion, unchanged: (latest: VersionConfig) => boolean): Promise<{ version: number; created: boolean }> {
  return db.transaction().execute(async (trx) => {
    const locked = await trx
      .updateTable('functions')
      .set((eb) => ({ latest_version: eb.ref('latest_version') }))
      .where('name', '=', row.name)
      .returning('latest_version')
      .executeTakeFirst();
    if (!locked) {
      await trx.insertInto('functions').values({ name: row.name, latest_version: 1, created_at: row.created_at, updated_at: row.created_at }).execute();
      await trx.insertInto('function_versions').values({ ...row, version: 1 }).execute();
      return { version: 1, created: true };
    }
    const latest = await getVersion(trx, row.name, locked.latest_version);
    if (latest && unchanged(latest)) return { version: locked.latest_version, created: false };
    const version = locked.latest_version + 1;
    await trx.updateTable('functions').set({ latest_version: version, updated_at: row.created_at }).where('name', '=', row.name).execute();
    await trx.insertInto('function_versions').values({ ...row, version }).execute();
    return { version, created: true };
  });
}

export function getFunction(db: Db, name: string): Promise<FunctionsTable | undefined> {
  return db.selectFrom('functions').selectAll().where('name', '=', name).executeTakeFirst();
}

export function getVersion(db: Db, name: string, version: number): Promise<VersionConfig | undefined> {
  return db.selectFrom('function_versions').select(CONFIG_COLUMNS).where('name', '=', name).where('version', '=', version).executeTakeFirst();
}

export function getCode(db: Db, name: string, version: number): Promise<{ code: string; module: string } | undefined> {
  return db.selectFrom('function_versions').select(['code', 'module']).where('name', '=', name).where('version', '=', version).executeTakeFirst();
}

export function listVersions(db: Db, name: string): Promise<{ version: number; description: string; created_at: string }[]> {
  return db.selectFrom('function_versions').select(['version', 'description', 'created_at']).where('name', '=', name).orderBy('version').execute();
}

/** Functions by name with the configuration of their latest version. */
export function listFunctions(db: Db, options: { limit: number; after?: string | undefined }): Promise<(VersionConfig & { updated_at: string })[]> {
  let q = db
    .selectFrom('functions as f')
    .innerJoin('function_versions as v', (join) => join.onRef('v.name', '=', 'f.name').onRef('v.version', '=', 'f.latest_version'))
    .select(['f.updated_at', ...CONFIG_COLUMNS.map((c) => `v.${c}` as const)])
    .orderBy('f.name')
    .limit(options.limit);
  if (options.after !== undefined) q = q.where('f.name', '>', options.after);
  return q.execute();
}

export async function deleteFunction(db: Db, name: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const result = await trx.deleteFrom('functions').where('name', '=', name).executeTakeFirst();
    await trx.deleteFrom('function_versions').where('name', '=', name).execute();
    await trx.deleteFrom('function_aliases').where('name', '=', name).execute();
    return Number(result.numDeletedRows) > 0;
  });
}

export function getAlias(db: Db, name: string, alias: string): Promise<FunctionAliasesTable | undefined> {
  return db.selectFrom('function_aliases').selectAll().where('name', '=', name).where('alias', '=', alias).executeTakeFirst();
}

export function listAliases(db: Db, name: string): Promise<FunctionAliasesTable[]> {
  return db.selectFrom('function_aliases').selectAll().where('name', '=', name).orderBy('alias').execute();
}

export async function insertAlias(db: Db, row: FunctionAliasesTable): Promise<void> {
  await db.insertInto('function_aliases').values(row).execute();
}

export async function updateAlias(db: Db, row: { name: string; alias: string; version: number; updated_at: string }): Promise<boolean> {
  const result = await db.updateTable('function_aliases').set({ version: row.version, updated_at: row.updated_at }).where('name', '=', row.name).where('alias', '=', row.alias).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function deleteAlias(db: Db, name: string, alias: string): Promise<boolean> {
  const result = await db.deleteFrom('function_aliases').where('name', '=', name).where('alias', '=', alias).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
