/*
 * The object store's catalogue: buckets, objects, multipart uploads and their parts, and each
 * bucket's lifecycle and notification rules. The bytes live in a blob backend under ids we
 * generate (never derived from keys); a row names its blob.
 *
 * Keys compare in byte order as S3 lists them: SQLite's default BINARY collation does that for
 * UTF-8 text, PostgreSQL needs the "C" collation on the key columns.
 */
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../database.js';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const keyType = dialect === 'postgres' ? sql`text collate "C"` : sql`text`;
  await db.schema
    .createTable('storage_buckets')
    .addColumn('name', 'text', (c) => c.primaryKey())
    /** Which blob backend holds this bucket's bytes, fixed when the bucket is made. */
    .addColumn('backend', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('storage_objects')
    .addColumn('bucket', 'text', (c) => c.notNull().references('storage_buckets.name'))
    .addColumn('key', keyType, (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('etag', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('metadata', 'text', (c) => c.notNull())
    .addColumn('tags', 'text', (c) => c.notNull())
    .addColumn('storage_class', 'text', (c) => c.notNull())
    .addColumn('blob_id', 'text', (c) => c.notNull())
    /** 'standard' (the bytes as written) or 'archive' (gzip-compressed, unreadable until restored). */
    .addColumn('blob_area', 'text', (c) => c.notNull())
    .addColumn('last_modified', 'text', (c) => c.notNull())
    /** Epoch ms of last_modified: lifecycle rules age objects from it. */
    .addColumn('last_modified_ms', 'bigint', (c) => c.notNull())
    /** Epoch ms when a requested restore becomes readable; null when none was asked. */
    .addColumn('restore_ready_at', 'bigint')
    /** Epoch ms when the restored copy goes away again. */
    .addColumn('restore_expires_at', 'bigint')
    /** The restored, uncompressed copy (a standard-area blob), once made. */
    .addColumn('restored_blob_id', 'text')
    .addPrimaryKeyConstraint('storage_objects_pk', ['bucket', 'key'])
    .execute();
  await db.schema.createIndex('storage_objects_restores').on('storage_objects').columns(['restore_ready_at']).execute();
  await db.schema
    .createTable('storage_uploads')
    .addColumn('upload_id', 'text', (c) => c.primaryKey())
    .addColumn('bucket', 'text', (c) => c.notNull().references('storage_buckets.name'))
    .addColumn('key', keyType, (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('metadata', 'text', (c) => c.notNull())
    .addColumn('storage_class', 'text', (c) => c.notNull())
    .addColumn('initiated_at', 'text', (c) => c.notNull())
    .addColumn('initiated_ms', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('storage_uploads_bucket').on('storage_uploads').columns(['bucket', 'key']).execute();
  await db.schema
    .createTable('storage_parts')
    .addColumn('upload_id', 'text', (c) => c.notNull())
    .addColumn('part_number', 'integer', (c) => c.notNull())
    .addColumn('blob_id', 'text', (c) => c.notNull())
    /** MD5 of the part (hex): its ETag, and input to the multipart ETag. */
    .addColumn('md5', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('last_modified', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('storage_parts_pk', ['upload_id', 'part_number'])
    .execute();
  for (const table of ['storage_lifecycle_rules', 'storage_notification_rules']) {
    await db.schema
      .createTable(table)
      .addColumn('bucket', 'text', (c) => c.notNull().references('storage_buckets.name'))
      .addColumn('position', 'integer', (c) => c.notNull())
      .addColumn('rule_id', 'text', (c) => c.notNull())
      /** The rule as the store's types describe it (LifecycleRule / NotificationRule), JSON. */
      .addColumn('body', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint(`${table}_pk`, ['bucket', 'position'])
      .execute();
  }
}
