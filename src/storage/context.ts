/*
 * What the store's modules share: the catalogue database, the blob backends, the clock and the
 * change listeners. Catalogue rows become ObjectInfo here, and bodies become blobs.
 */
import { createGzip } from 'node:zlib';
import { pipeline, Readable } from 'node:stream';
import { sql, type Transaction } from 'kysely';
import type { Store } from '../store/database.js';
import { isTransient, isUniqueViolation } from '../store/errors.js';
import type { Database, StorageObjectsTable } from '../store/schema.js';
import { Digest, newBlobId, type BlobArea, type BlobBackend } from './blobs/blob-backend.js';
import { storageError } from './errors.js';
import { etagMatches } from './etags.js';
import { recordEvent } from './events.js';
import { isArchiveClass } from './lifecycle-rules.js';
import { checkKey } from './names.js';
import { releaseContent, type BlobRef, type ContentArea } from './content.js';
import type { ObjectChange, ObjectHeaders, ObjectInfo, StorageClass, WriteCondition } from './types.js';

export type ObjectRow = StorageObjectsTable;

export interface StorageContext {
  store: Store;
  now(): Date;
  region: string;
  /** Smallest size of a multipart upload's parts but the last (S3: 5 MiB). */
  minPartSize: number;
  restoreDelayMs: number;
  /** Bodies of at most this many bytes are kept in the catalogue, not in a blob (0: never). */
  inlineBytes: number;
  backend(name: string): BlobBackend;
  emit(change: ObjectChange): void;
}

export async function findBucket(ctx: StorageContext, name: string): Promise<{ name: string; backend: BlobBackend; createdAt: string }> {
  // No valid bucket name could match; PostgreSQL would also refuse NUL in text.
  if (typeof name !== 'string' || name.length > 255 || name.includes('\0')) throw storageError('NoSuchBucket', 'The specified bucket does not exist');
  const row = await ctx.store.db.selectFrom('storage_buckets').selectAll().where('name', '=', name).executeTakeFirst();
  if (!row) throw storageError('NoSuchBucket', `The specified bucket does not exist: ${name}`);
  return { name: row.name, backend: ctx.backend(row.backend), createdAt: row.created_at };
}

export async function findObject(ctx: StorageContext, bucket: string, key: string): Promise<ObjectRow> {
  checkKey(key);
  const row = await ctx.store.db.selectFrom('storage_objects').selectAll().where('bucket', '=', bucket).where('key', '=', key).executeTakeFirst();
  if (!row) throw storageError('NoSuchKey', `The specified key does not exist: ${key}`);
  return row;
}

/**
 * Runs `work` in a transaction, again on serialization failures and, when asked, on unique
 * violations (two writers replacing the same key at once on PostgreSQL: the loser retries and
 * then replaces the winner's row).
 */
export async function commit<T>(ctx: StorageContext, work: (trx: Transaction<Database>) => Promise<T>, options: { retryUnique?: boolean; onForeignKey?: () => Error } = {}): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await ctx.store.db.transaction().execute(work);
    } catch (err) {
      const again = isTransient(err) || (options.retryUnique === true && isUniqueViolation(err));
      if (!again || attempt >= 5) throw isForeignKeyViolation(err) ? (options.onForeignKey?.() ?? storageError('NoSuchBucket', 'The specified bucket does not exist')) : err;
      await new Promise((resolve) => setTimeout(resolve, 5 * 2 ** attempt));
    }
  }
}

/**
 * PostgreSQL only (SQLite runs one writer at a time): a write into a bucket deleted meanwhile,
 * or the deletion of a bucket written into meanwhile, fails on a foreign key.
 */
function isForeignKeyViolation(err: unknown): boolean {
  return (err as { code?: string })?.code === '23503';
}

/**
 * Replaces (bucket, key) with `row` and records its event; returns the blobs the replaced row
 * held, to delete after the commit. A condition is checked here, under the key's lock, so two
 * create-only writers of one key cannot both succeed.
 */
export async function replaceObject(trx: Transaction<Database>, ctx: StorageContext, row: ObjectRow, change: ObjectChange, condition?: WriteCondition): Promise<BlobRef[]> {
  await lockKey(trx, ctx, row.bucket, row.key);
  const bucket = await trx.selectFrom('storage_buckets').select('name').where('name', '=', row.bucket).executeTakeFirst();
  if (!bucket) throw storageError('NoSuchBucket', `The specified bucket does not exist: ${row.bucket}`);
  if (condition) {
    const current = await trx.selectFrom('storage_objects').select('etag').where('bucket', '=', row.bucket).where('key', '=', row.key).executeTakeFirst();
    checkWriteCondition(condition, current?.etag, row.key);
  }
  const old = await trx.deleteFrom('storage_objects').where('bucket', '=', row.bucket).where('key', '=', row.key).returningAll().executeTakeFirst();
  await trx.insertInto('storage_objects').values(row).execute();
  await recordEvent(trx, change, ctx.region);
  return old ? releaseContent(trx, old) : [];
}

/** If-None-Match: * wants no object there; If-Match wants the object with that ETag. */
export function checkWriteCondition(condition: WriteCondition, currentEtag: string | undefined, key: string): void {
  if ('absent' in condition) {
    if (currentEtag !== undefined) throw storageError('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold: the object already exists (If-None-Match: *)');
    return;
  }
  if (currentEtag === undefined) throw storageError('NoSuchKey', `The specified key does not exist: ${key}`);
  if (!etagMatches(condition.etag, currentEtag)) {
    throw storageError('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold: the ETag differs (If-Match)');
  }
}

/**
 * Serialises writers of one key on PostgreSQL until the transaction ends, so replacing reads
 * the row it replaces (SQLite runs one writer at a time anyway). Bucket names hold no `/`.
 */
export async function lockKey(trx: Transaction<Database>, ctx: StorageContext, bucket: string, key: string): Promise<void> {
  if (ctx.store.dialect === 'postgres') await sql`select pg_advisory_xact_lock(hashtextextended(${`${bucket}/${key}`}, 0))`.execute(trx);
}

/** Best effort: a blob left behind by a failure here is garbage, never a lost object. */
export async function deleteBlobs(backend: BlobBackend, blobs: BlobRef[]): Promise<void> {
  for (const blob of blobs) {
    await backend.delete(blob.area, blob.id).catch((err: unknown) => console.error(`skybatch: could not delete blob ${blob.area}/${blob.id}:`, (err as Error).message));
  }
}

export interface WrittenContent {
  blobId: string;
  area: ContentArea;
  size: number;
  md5: Buffer;
  /** The bytes of an `inline` content, to store with the object's row. */
  inline?: Buffer;
}

/** The blobs a content written but never committed holds: none when it is inline. */
export function blobsWritten(content: { blobId: string; area: ContentArea }): BlobRef[] {
  return content.area === 'inline' ? [] : [{ area: content.area, id: content.blobId }];
}

/**
 * Streams a body into a new blob, hashing it on the way; archive classes are gzip-compressed
 * into the archive area. A body that ends within `inlineBytes` becomes inline content instead
 * (kept in the catalogue, in the transaction that commits its row: no file, no fsync of its
 * own). With `contentMd5`, a body that does not match is removed (BadDigest). `md5: false`
 * skips hashing (the returned md5 is empty), for content whose ETag is known otherwise.
 */
export async function writeContent(backend: BlobBackend, body: Readable, storageClass: StorageClass, contentMd5?: string, options: { md5?: boolean; inlineBytes?: number } = {}): Promise<WrittenContent> {
  const digest = new Digest(options.md5 ?? true);
  const area: BlobArea = isArchiveClass(storageClass) ? 'archive' : 'standard';
  const noop = () => {};
  const source = area === 'archive' ? pipeline(body, digest, createGzip(), noop) : pipeline(body, digest, noop);
  const inlineBytes = area === 'standard' ? (options.inlineBytes ?? 0) : 0;
  // One iterator for both: its first chunks decide, the rest streams on to the blob.
  const chunks = inlineBytes > 0 ? (source.iterator({ destroyOnReturn: false }) as AsyncIterator<Buffer>) : undefined;
  const head: Buffer[] = [];
  let held = 0;
  while (chunks && held <= inlineBytes) {
    const next = await chunks.next();
    if (next.done === true) {
      const md5 = digest.digest();
      checkContentMd5(md5, contentMd5);
      return { blobId: newBlobId(), area: 'inline', size: digest.byteCount, md5, inline: Buffer.concat(head) };
    }
    head.push(next.value);
    held += next.value.length;
  }
  const written = await backend.write(area, chunks ? Readable.from(rest(head, chunks, source), { objectMode: false }) : source);
  const md5 = digest.digest();
  try {
    checkContentMd5(md5, contentMd5);
  } catch (err) {
    await backend.delete(area, written.id);
    throw err;
  }
  return { blobId: written.id, area, size: digest.byteCount, md5 };
}

/** The chunks already read, then the rest; a reader that stops early destroys the source. */
async function* rest(head: Buffer[], chunks: AsyncIterator<Buffer>, source: Readable): AsyncGenerator<Buffer> {
  let finished = false;
  try {
    yield* head;
    for (let next = await chunks.next(); next.done !== true; next = await chunks.next()) yield next.value;
    finished = true;
  } finally {
    if (!finished) source.destroy();
  }
}

function checkContentMd5(md5: Buffer, contentMd5: string | undefined): void {
  if (contentMd5 !== undefined && md5.toString('base64') !== contentMd5) throw storageError('BadDigest', 'The Content-MD5 you specified did not match what we received');
}

/** A new object's catalogue row: its content just written, nothing restored. */
export function newObjectRow(
  object: { bucket: string; key: string; etag: string; contentType: string; metadata: string; tags: string; storageClass: StorageClass; headers?: ObjectHeaders | undefined; partSizes?: number[] | undefined },
  content: { blobId: string; area: ContentArea; size: number; partsUploadId?: string },
  now: Date,
): ObjectRow {
  return {
    bucket: object.bucket,
    key: object.key,
    size: content.size,
    etag: object.etag,
    content_type: object.contentType,
    metadata: object.metadata,
    tags: object.tags,
    storage_class: object.storageClass,
    blob_id: content.blobId,
    blob_area: content.area,
    last_modified: now.toISOString(),
    last_modified_ms: now.getTime(),
    restore_ready_at: null,
    restore_expires_at: null,
    restored_blob_id: null,
    headers: headersColumn(object.headers),
    part_sizes: object.partSizes && object.partSizes.length > 0 ? JSON.stringify(object.partSizes) : null,
    parts_upload_id: content.partsUploadId ?? null,
  };
}

/** ObjectHeaders as a column: null when there are none (as rows written before they were kept). */
export function headersColumn(headers: ObjectHeaders | undefined): string | null {
  const present = Object.fromEntries(Object.entries(headers ?? {}).filter(([, value]) => value !== undefined && value !== ''));
  return Object.keys(present).length === 0 ? null : JSON.stringify(present);
}

export function parseHeaders(column: string | null): ObjectHeaders {
  return column === null ? {} : (JSON.parse(column) as ObjectHeaders);
}

export function parseJsonRecord(text: string): Record<string, string> {
  return JSON.parse(text) as Record<string, string>;
}

export function toInfo(row: ObjectRow, nowMs: number): ObjectInfo {
  const info: ObjectInfo = {
    bucket: row.bucket,
    key: row.key,
    size: Number(row.size),
    etag: row.etag,
    lastModified: row.last_modified,
    contentType: row.content_type,
    metadata: parseJsonRecord(row.metadata),
    tags: parseJsonRecord(row.tags),
    storageClass: row.storage_class as StorageClass,
    headers: parseHeaders(row.headers),
  };
  if (row.part_sizes !== null) info.partSizes = JSON.parse(row.part_sizes) as number[];
  if (row.restore_ready_at !== null && row.restore_expires_at !== null && row.restore_expires_at > nowMs) {
    info.restore = { ongoing: Number(row.restore_ready_at) > nowMs, expiresAt: new Date(Number(row.restore_expires_at)).toISOString() };
  }
  return info;
}
