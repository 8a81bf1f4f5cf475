/*
 * An access key may be limited (read-only, to some buckets, to some prefixes in them): its
 * limits as JSON, null for an unlimited key (every key made before). And a bucket's CORS
 * rules, kept as its lifecycle and notification rules are: one row per rule, in order.
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../database.js';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable('access_keys').addColumn('limits', 'text').execute();
  await db.schema
    .createTable('storage_cors_rules')
    .addColumn('bucket', 'text', (c) => c.notNull().references('storage_buckets.name'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('rule_id', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('storage_cors_rules_pk', ['bucket', 'position'])
    .execute();
}
