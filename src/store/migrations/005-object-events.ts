/*
 * The object-event outbox. The object store writes one row per (change, matching notification
 * rule) in the same transaction as the change itself, so an accepted upload can never lose its
 * event to a crash; the object-events dispatcher delivers rows at least once and marks them
 * delivered. Targets are made idempotent by the row id (an execution named after it, a job's
 * clientToken), so a redelivery after a crash starts nothing twice.
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../database.js';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('object_event_outbox')
    .addColumn('id', dialect === 'postgres' ? 'bigserial' : 'integer', (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('bucket', 'text', (c) => c.notNull())
    .addColumn('rule_id', 'text', (c) => c.notNull())
    .addColumn('target_arn', 'text', (c) => c.notNull())
    /** The S3 event message, `{"Records":[...]}`, as JSON text. */
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    /** Epoch ms; the dispatcher takes rows whose time has come, oldest first. */
    .addColumn('available_at', 'bigint', (c) => c.notNull())
    .addColumn('lease_owner', 'text')
    .addColumn('lease_expires', 'bigint')
    .addColumn('last_error', 'text')
    /** ISO; null while pending. Kept for the console and `skybatch` to show. */
    .addColumn('delivered_at', 'text')
    /** What the target made: an execution ARN, a job id, a message id. */
    .addColumn('result', 'text')
    .execute();
  await db.schema.createIndex('object_event_outbox_pending').on('object_event_outbox').columns(['delivered_at', 'available_at', 'id']).execute();
}
