/*
 * What S3 keeps with an object beyond its bytes and metadata:
 * - the standard headers (Cache-Control, Content-Disposition, Content-Encoding,
 *   Content-Language, Expires) it returns on GET and HEAD, on objects and on the multipart
 *   uploads that become objects;
 * - a multipart object's part sizes, for GET/HEAD ?partNumber=N and x-amz-mp-parts-count;
 * - completed multipart uploads for a day, so a client that retries CompleteMultipartUpload
 *   after a timeout gets its answer again instead of NoSuchUpload.
 * Null columns mean "none", as every row written before had.
 */
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../database.js';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema.alterTable('storage_objects').addColumn('headers', 'text').execute();
  await db.schema.alterTable('storage_objects').addColumn('part_sizes', 'text').execute();
  await db.schema.alterTable('storage_uploads').addColumn('headers', 'text').execute();
  // Keys compare byte by byte, as in storage_objects.
  const keyType = dialect === 'postgres' ? sql`text collate "C"` : sql`text`;
  await db.schema
    .createTable('storage_completed_uploads')
    .addColumn('upload_id', 'text', (c) => c.primaryKey())
    .addColumn('bucket', 'text', (c) => c.notNull())
    .addColumn('key', keyType, (c) => c.notNull())
    /** The part list the upload was completed with, JSON [[number, etag], ...]. */
    .addColumn('parts', 'text', (c) => c.notNull())
    .addColumn('etag', 'text', (c) => c.notNull())
    /** Epoch ms. */
    .addColumn('completed_ms', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('storage_completed_uploads_age').on('storage_completed_uploads').column('completed_ms').execute();
}
