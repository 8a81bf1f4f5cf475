/* Console sessions (migration 011), stored as SHA-256 hashes like tokens: a copy of the database does not leak them. */
import type { Kysely } from 'kysely';
import type { ConsoleSessionsTable, Database } from './schema.js';
import { hashToken } from './tokens.js';

type Db = Kysely<Database>;

export async function insertSession(db: Db, session: string, expiresAt: number, now: number): Promise<void> {
  await db.insertInto('console_sessions').values({ session_hash: hashToken(session), expires_at: expiresAt, created_at: now }).execute();
}

export function findSession(db: Db, session: string): Promise<ConsoleSessionsTable | undefined> {
  return db.selectFrom('console_sessions').selectAll().where('session_hash', '=', hashToken(session)).executeTakeFirst();
}

export async function deleteSession(db: Db, session: string): Promise<void> {
  await db.deleteFrom('console_sessions').where('session_hash', '=', hashToken(session)).execute();
}

/** Sessions whose expiry has passed are of no use to anyone: dropped as new ones are issued. */
export async function deleteExpiredSessions(db: Db, now: number): Promise<void> {
  await db.deleteFrom('console_sessions').where('expires_at', '<=', now).execute();
}
