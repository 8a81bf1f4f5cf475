/*
 * Console sessions become rows. They were signed values with an expiry and no state, so
 * logging out could only clear the browser's cookie: a copy of it stayed valid for a week.
 * A row (keyed by the session's hash, as tokens are) is what logout deletes.
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../database.js';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('console_sessions')
    .addColumn('session_hash', 'text', (c) => c.primaryKey())
    // Epoch milliseconds.
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('console_sessions_expiry').on('console_sessions').column('expires_at').execute();
}
