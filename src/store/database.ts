/*
 * Opens the store: an embedded SQLite file (WAL) by default, PostgreSQL when a
 * postgres:// URL is given. Both sit behind the same kysely instance type, so every query
 * module is written once; the few statements that differ ask `dialect`.
 * Migrations run at open, under kysely's migration lock (several servers may start at once
 * on one PostgreSQL database).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver, type Migration, type SqliteDialectConfig } from 'kysely';
import pg from 'pg';
import * as initial from './migrations/001-initial.js';
import * as batch from './migrations/002-batch.js';
import * as functions from './migrations/003-functions.js';
import * as runnableOrder from './migrations/004-runnable-order.js';
import * as objectEvents from './migrations/005-object-events.js';
import * as storage from './migrations/006-storage.js';
import * as accessKeys from './migrations/007-access-keys.js';
import * as notify from './migrations/008-notify.js';
import * as stacks from './migrations/009-stacks.js';
import * as jobProgress from './migrations/010-job-progress.js';
import * as consoleSessions from './migrations/011-console-sessions.js';
import * as objectHeadersAndParts from './migrations/012-object-headers-and-parts.js';
import * as accessLimitsAndCors from './migrations/013-access-limits-and-cors.js';
import * as objectContent from './migrations/014-object-content.js';
import type { Database } from './schema.js';

export type Dialect = 'sqlite' | 'postgres';

export interface Store {
  db: Kysely<Database>;
  dialect: Dialect;
  /** SKIP LOCKED row locking where the database has it (PostgreSQL); SQLite serialises writers instead. */
  close(): Promise<void>;
}

const MIGRATIONS: Record<string, (db: Kysely<unknown>, dialect: Dialect) => Promise<void>> = {
  '001-initial': initial.up,
  '002-batch': batch.up,
  '003-functions': functions.up,
  '004-runnable-order': runnableOrder.up,
  '005-object-events': objectEvents.up,
  '006-storage': storage.up,
  '007-access-keys': accessKeys.up,
  '008-notify': notify.up,
  '009-stacks': stacks.up,
  '010-job-progress': jobProgress.up,
  '011-console-sessions': consoleSessions.up,
  '012-object-headers-and-parts': objectHeadersAndParts.up,
  '013-access-limits-and-cors': accessLimitsAndCors.up,
  '014-object-content': objectContent.up,
};

// BIGINT columns hold epoch milliseconds, well inside Number's exact range.
pg.types.setTypeParser(20, (value) => Number(value));

export async function openStore(options: { dataDir: string; databaseUrl?: string | undefined }): Promise<Store> {
  const url = options.databaseUrl;
  let db: Kysely<Database>;
  let dialect: Dialect;
  if (url && /^postgres(ql)?:\/\//.test(url)) {
    dialect = 'postgres';
    const pool = new pg.Pool({ connectionString: url, max: 10 });
    // An idle connection that the server drops (restart, failover) emits 'error' on the pool;
    // unheard, it would end the process. The pool replaces the connection on next use.
    pool.on('error', (err) => console.error('skybatch: PostgreSQL connection lost:', err.message));
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  } else if (url) {
    throw new Error(`SKYBATCH_DATABASE_URL must be a postgres:// URL, got "${url}"`);
  } else {
    dialect = 'sqlite';
    mkdirSync(options.dataDir, { recursive: true });
    const file = new SQLite(join(options.dataDir, 'skybatch.db'));
    file.pragma('journal_mode = WAL');
    // NORMAL in WAL mode keeps the database consistent and loses nothing when the process is
    // killed; only an OS crash or power loss can lose the last commits.
    file.pragma('synchronous = NORMAL');
    file.pragma('busy_timeout = 5000');
    // Bursts of steps write megabytes of history: a larger page cache and fewer, larger WAL
    // checkpoints keep that from turning into many small copies.
    file.pragma('cache_size = -65536');
    file.pragma('wal_autocheckpoint = 8192');
    db = new Kysely<Database>({ dialect: new StoreSqliteDialect(file, { database: withStatementCache(file) }) });
  }
  await migrate(db, dialect);
  return { db, dialect, close: () => db.destroy() };
}

/**
 * SQLite ends a transaction by itself on some errors (SQLITE_FULL, SQLITE_IOERR, SQLITE_NOMEM).
 * kysely answers any error in a transaction with ROLLBACK, which then fails ("cannot rollback -
 * no transaction is active") and is thrown instead of the real error: a full disk looked like a
 * bug in the store. Only a transaction still open is rolled back, so the cause comes through.
 */
class StoreSqliteDialect extends SqliteDialect {
  constructor(
    private readonly file: SQLite.Database,
    private readonly config: SqliteDialectConfig,
  ) {
    super(config);
  }

  override createDriver(): Driver {
    return new StoreSqliteDriver(this.file, this.config);
  }
}

class StoreSqliteDriver extends SqliteDriver {
  constructor(
    private readonly file: SQLite.Database,
    config: SqliteDialectConfig,
  ) {
    super(config);
  }

  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    if (this.file.inTransaction) await super.rollbackTransaction(connection);
  }
}

/**
 * kysely prepares every query anew; preparing costs as much as running a small statement
 * here, and the engine repeats the same few statements, so keep them prepared.
 */
function withStatementCache(file: SQLite.Database): SQLite.Database {
  const cache = new Map<string, SQLite.Statement>();
  const prepare = file.prepare.bind(file);
  return new Proxy(file, {
    get(target, property, receiver) {
      if (property !== 'prepare') return Reflect.get(target, property, receiver) as unknown;
      return (sql: string) => {
        let statement = cache.get(sql);
        if (!statement) {
          statement = prepare(sql);
          // Batch inserts vary in their number of rows; keep the cache from growing without bound.
          if (cache.size > 2000) cache.clear();
          cache.set(sql, statement);
        }
        return statement;
      };
    },
  });
}

async function migrate(db: Kysely<Database>, dialect: Dialect): Promise<void> {
  const migrations: Record<string, Migration> = {};
  for (const [name, up] of Object.entries(MIGRATIONS)) migrations[name] = { up: (d) => up(d, dialect) };
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
}
