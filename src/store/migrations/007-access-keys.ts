/*
 * S3 access keys issued by Skybatch. Unlike API tokens, the secret is kept as it is: SigV4
 * signatures are HMACs keyed by it, so the server must hold it to recompute them. It is
 * returned once, when the key is created, and never again.
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../database.js';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('access_keys')
    .addColumn('access_key_id', 'text', (c) => c.primaryKey())
    .addColumn('secret_access_key', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
}
