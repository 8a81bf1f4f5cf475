/*
 * Single objects: PUT, GET (with ranges, and through a restored copy for archived objects),
 * HEAD, DELETE and COPY. A write is body -> new blob -> one transaction switching the row and
 * writing the outbox rows -> delete the replaced blobs -> onChange listeners.
 */
import { BlobNotFoundError, type BlobBackend } from './blobs/blob-backend.js';
import { blobsWritten, commit, deleteBlobs, findBucket, findObject, newObjectRow, replaceObject, toInfo, writeContent, type ObjectRow, type StorageContext } from './context.js';
import { ContentBody } from './content-body.js';
import { openContent, releaseContent, storeInline, type BlobRef, type ContentArea } from './content.js';
import { storageError } from './errors.js';
import { recordEvent } from './events.js';
import { isStorageClass } from './lifecycle-rules.js';
import { makeRestoredCopy } from './lifecycle.js';
import { checkKey, checkText } from './names.js';
import { DEFAULT_CONTENT_TYPE, type ByteRange, type CopyObjectRequest, type GetObjectResult, type ObjectChange, type ObjectHeaders, type ObjectInfo, type PutObjectRequest, type StorageClass, type WriteCondition } from './types.js';

export type { CopyObjectRequest } from './types.js';

export async function putObject(ctx: StorageContext, request: PutObjectRequest): Promise<ObjectInfo> {
  let backend: BlobBackend;
  const storageClass = request.storageClass ?? 'STANDARD';
  try {
    checkKey(request.key);
    checkText(request.contentType, 'The content type');
    if (!isStorageClass(storageClass)) throw storageError('InvalidArgument', `Unknown storage class "${String(storageClass)}"`);
    backend = (await findBucket(ctx, request.bucket)).backend;
  } catch (err) {
    request.body.destroy();
    throw err;
  }
  const content = await writeContent(backend, request.body, storageClass, request.contentMd5, { inlineBytes: ctx.inlineBytes });
  const etag = `"${content.md5.toString('hex')}"`;
  return commitObject(
    ctx,
    backend,
    content,
    { bucket: request.bucket, key: request.key, etag, contentType: request.contentType, metadata: request.metadata, tags: request.tags, storageClass, headers: request.headers },
    'ObjectCreated:Put',
    request.condition,
  );
}

async function commitObject(
  ctx: StorageContext,
  backend: BlobBackend,
  content: { blobId: string; area: ContentArea; size: number; inline?: Buffer },
  object: { bucket: string; key: string; etag: string; contentType: string | undefined; metadata: Record<string, string> | undefined; tags: Record<string, string> | undefined; storageClass: StorageClass; headers: ObjectHeaders | undefined },
  eventName: ObjectChange['eventName'],
  condition: WriteCondition | undefined,
): Promise<ObjectInfo> {
  const now = ctx.now();
  const row = newObjectRow(
    {
      bucket: object.bucket,
      key: object.key,
      etag: object.etag,
      contentType: object.contentType ?? DEFAULT_CONTENT_TYPE,
      metadata: JSON.stringify(lowerCaseNames(object.metadata ?? {})),
      tags: JSON.stringify(object.tags ?? {}),
      storageClass: object.storageClass,
      headers: object.headers,
    },
    content,
    now,
  );
  const change: ObjectChange = { eventName, bucket: row.bucket, key: row.key, size: content.size, etag: row.etag, eventTime: row.last_modified };
  let released: BlobRef[];
  try {
    released = await commit(
      ctx,
      async (trx) => {
        await storeInline(trx, content);
        return replaceObject(trx, ctx, row, change, condition);
      },
      { retryUnique: true },
    );
  } catch (err) {
    await deleteBlobs(backend, blobsWritten(content));
    throw err;
  }
  await deleteBlobs(backend, released);
  ctx.emit(change);
  return toInfo(row, now.getTime());
}

export async function getObject(ctx: StorageContext, bucket: string, key: string, range?: ByteRange): Promise<GetObjectResult> {
  const { backend } = await findBucket(ctx, bucket);
  // A concurrent replace may delete the blob between reading the row and opening the blob:
  // read the row again and serve the newer object.
  for (let attempt = 1; ; attempt++) {
    let row = await findObject(ctx, bucket, key);
    const nowMs = ctx.now().getTime();
    let readable = row;
    if (row.blob_area === 'archive') {
      const readyAt = row.restore_ready_at === null ? undefined : Number(row.restore_ready_at);
      const restored = readyAt !== undefined && readyAt <= nowMs && Number(row.restore_expires_at) > nowMs;
      if (!restored) throw storageError('InvalidObjectState', `The operation is not valid for the object's storage class (${row.storage_class}): restore it first`);
      if (!row.restored_blob_id) row = (await makeRestoredCopy(ctx, row, ctx.now())) ?? row;
      if (!row.restored_blob_id) throw storageError('InvalidObjectState', 'The object changed while it was being restored');
      // The restored copy: one standard blob.
      readable = { ...row, blob_area: 'standard', blob_id: row.restored_blob_id, parts_upload_id: null };
    }
    const size = Number(row.size);
    const served = range ? checkRange(range, size) : undefined;
    try {
      const body = await openContent(ctx.store.db, backend, readable, served);
      if (!body) throw new BlobNotFoundError(row.blob_id);
      const result: GetObjectResult = { info: toInfo(row, nowMs), body: new ContentBody(body) };
      if (served) result.range = served;
      return result;
    } catch (err) {
      if (!(err instanceof BlobNotFoundError) || attempt >= 3) throw err;
    }
  }
}

export async function headObject(ctx: StorageContext, bucket: string, key: string): Promise<ObjectInfo> {
  await findBucket(ctx, bucket);
  return toInfo(await findObject(ctx, bucket, key), ctx.now().getTime());
}

export async function deleteObject(ctx: StorageContext, bucket: string, key: string): Promise<void> {
  checkKey(key);
  const { backend } = await findBucket(ctx, bucket);
  const eventTime = ctx.now().toISOString();
  const gone = await commit(ctx, async (trx) => {
    const row = await trx.deleteFrom('storage_objects').where('bucket', '=', bucket).where('key', '=', key).returningAll().executeTakeFirst();
    if (!row) return undefined;
    await recordEvent(trx, removed(row, eventTime), ctx.region);
    return { row, released: await releaseContent(trx, row) };
  });
  if (!gone) return;
  await deleteBlobs(backend, gone.released);
  ctx.emit(removed(gone.row, eventTime));
}

export async function copyObject(ctx: StorageContext, request: CopyObjectRequest): Promise<ObjectInfo> {
  checkKey(request.key);
  checkText(request.contentType, 'The content type');
  const storageClass = request.storageClass ?? 'STANDARD';
  if (!isStorageClass(storageClass)) throw storageError('InvalidArgument', `Unknown storage class "${String(storageClass)}"`);
  const { backend } = await findBucket(ctx, request.bucket);
  const source = await getObject(ctx, request.sourceBucket, request.sourceKey);
  try {
    request.sourceCheck?.(source.info);
  } catch (err) {
    source.body.destroy();
    throw err;
  }
  const content = await writeContent(backend, source.body, storageClass, undefined, { inlineBytes: ctx.inlineBytes });
  const etag = `"${content.md5.toString('hex')}"`;
  // As S3's x-amz-metadata-directive: new metadata replaces the source's, else it is copied.
  const replacing = request.metadata !== undefined || request.contentType !== undefined || request.headers !== undefined;
  return commitObject(
    ctx,
    backend,
    content,
    {
      bucket: request.bucket,
      key: request.key,
      etag,
      contentType: replacing ? request.contentType : source.info.contentType,
      metadata: replacing ? request.metadata : source.info.metadata,
      tags: source.info.tags,
      storageClass,
      headers: replacing ? request.headers : source.info.headers,
    },
    'ObjectCreated:Copy',
    request.condition,
  );
}

function removed(row: ObjectRow, eventTime: string): ObjectChange {
  return { eventName: 'ObjectRemoved:Delete', bucket: row.bucket, key: row.key, size: Number(row.size), etag: row.etag, eventTime };
}

function checkRange(range: ByteRange, size: number): { start: number; end: number } {
  const end = Math.min(range.end ?? size - 1, size - 1);
  if (!Number.isInteger(range.start) || range.start < 0 || range.start >= size || end < range.start) {
    throw storageError('InvalidRange', `The requested range is not satisfiable (object size ${size})`);
  }
  return { start: range.start, end };
}

export function lowerCaseNames(metadata: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(metadata).map(([name, value]) => [name.toLowerCase(), value]));
}
