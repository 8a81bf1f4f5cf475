/*
 * Where an object's bytes live, beyond one blob.
 *
 * A completed multipart upload no longer copies its parts into one new blob: the object keeps
 * the parts' blobs, and their rows in storage_parts stay, under the upload's id, for as long
 * as the object does. `parts_upload_id` names that upload; null for an object held in one blob
 * (every object written before). Completing a 1 GiB upload then costs a transaction, not a
 * second write of the gigabyte.
 *
 * A small object's bytes live in the catalogue: storage_inline_bodies, under the row's blob
 * id, with blob_area 'inline', written in the transaction that commits the row.
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../database.js';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema.alterTable('storage_objects').addColumn('parts_upload_id', 'text').execute();
  await db.schema
    .createTable('storage_inline_bodies')
    .addColumn('blob_id', 'text', (c) => c.primaryKey())
    .addColumn('body', dialect === 'postgres' ? 'bytea' : 'blob', (c) => c.notNull())
    .execute();
}
