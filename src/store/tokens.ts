/* Access tokens, stored as SHA-256 hashes: a copy of the database does not leak them. */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database, TokensTable } from './schema.js';

type Db = Kysely<Database>;

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export async function insertToken(db: Db, token: string, scope: string, jobId: string | null, now: string): Promise<void> {
  await db.insertInto('tokens').values({ token_hash: hashToken(token), scope, job_id: jobId, created_at: now }).execute();
}

export function findToken(db: Db, token: string): Promise<TokensTable | undefined> {
  return db.selectFrom('tokens').selectAll().where('token_hash', '=', hashToken(token)).executeTakeFirst();
}
