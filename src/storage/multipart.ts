/*
 * Multipart uploads. Each part streams into its own blob; Complete makes the chosen parts, in
 * order, the object's bytes as they are (no copy: src/storage/content.ts reads across them),
 * replaces the object, drops the upload and the parts not chosen in one transaction, then
 * deletes their blobs. Only an archive storage class writes one new (gzip) blob of them all.
 * The ETag is S3's: the MD5 of the parts' binary MD5s, a dash, and the number of parts.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { ContentBody } from './content-body.js';
import { openPieces, type BlobRef } from './content.js';
import { blobsWritten, commit, deleteBlobs, findBucket, headersColumn, newObjectRow, parseHeaders, replaceObject, toInfo, writeContent, type StorageContext } from './context.js';
import { storageError } from './errors.js';
import { checkKey, checkText } from './names.js';
import { isArchiveClass } from './lifecycle-rules.js';
import type { StoragePartsTable, StorageUploadsTable } from '../store/schema.js';
import { DEFAULT_CONTENT_TYPE, type MultipartUpload, type ObjectChange, type ObjectHeaders, type ObjectInfo, type StorageClass, type UploadedPart, type WriteCondition } from './types.js';

const MAX_PART_NUMBER = 10_000;

export async function createUpload(
  ctx: StorageContext,
  request: { bucket: string; key: string; contentType?: string; metadata?: Record<string, string>; storageClass?: StorageClass; headers?: ObjectHeaders },
): Promise<MultipartUpload> {
  checkKey(request.key);
  checkText(request.contentType, 'The content type');
  await findBucket(ctx, request.bucket);
  const now = ctx.now();
  const row: StorageUploadsTable = {
    upload_id: randomBytes(24).toString('base64url'),
    bucket: request.bucket,
    key: request.key,
    content_type: request.contentType ?? DEFAULT_CONTENT_TYPE,
    metadata: JSON.stringify(request.metadata ?? {}),
    storage_class: request.storageClass ?? 'STANDARD',
    initiated_at: now.toISOString(),
    initiated_ms: now.getTime(),
    headers: headersColumn(request.headers),
  };
  await commit(ctx, (trx) => trx.insertInto('storage_uploads').values(row).execute());
  return { uploadId: row.upload_id, bucket: row.bucket, key: row.key, initiatedAt: row.initiated_at };
}

async function findUpload(ctx: StorageContext, bucket: string, key: string, uploadId: string): Promise<StorageUploadsTable> {
  const row = typeof uploadId === 'string' && /^[\w-]{1,128}$/.test(uploadId) ? await ctx.store.db.selectFrom('storage_uploads').selectAll().where('upload_id', '=', uploadId).executeTakeFirst() : undefined;
  if (!row || row.bucket !== bucket || row.key !== key) {
    throw storageError('NoSuchUpload', 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.');
  }
  return row;
}

export async function uploadPart(ctx: StorageContext, request: { bucket: string; key: string; uploadId: string; partNumber: number; body: Readable; contentMd5?: string }): Promise<UploadedPart> {
  const { partNumber } = request;
  if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > MAX_PART_NUMBER) {
    request.body.destroy();
    throw storageError('InvalidArgument', `Part number must be an integer between 1 and ${MAX_PART_NUMBER}, inclusive`);
  }
  const { backend } = await findBucket(ctx, request.bucket);
  await findUpload(ctx, request.bucket, request.key, request.uploadId);
  const content = await writeContent(backend, request.body, 'STANDARD', request.contentMd5);
  const part: StoragePartsTable = { upload_id: request.uploadId, part_number: partNumber, blob_id: content.blobId, md5: content.md5.toString('hex'), size: content.size, last_modified: ctx.now().toISOString() };
  let replaced: string | undefined;
  try {
    replaced = await commit(
      ctx,
      async (trx) => {
        // Locked, so a Complete or Abort cannot drop the upload between this check and the insert.
        const check = trx.selectFrom('storage_uploads').select('upload_id').where('upload_id', '=', request.uploadId);
        const upload = await (ctx.store.dialect === 'postgres' ? check.forUpdate() : check).executeTakeFirst();
        if (!upload) throw storageError('NoSuchUpload', 'The upload was aborted or completed while the part was sent');
        const old = await trx.deleteFrom('storage_parts').where('upload_id', '=', request.uploadId).where('part_number', '=', partNumber).returning('blob_id').executeTakeFirst();
        await trx.insertInto('storage_parts').values(part).execute();
        return old?.blob_id;
      },
      { retryUnique: true },
    );
  } catch (err) {
    await deleteBlobs(backend, [{ area: 'standard', id: content.blobId }]);
    throw err;
  }
  if (replaced) await deleteBlobs(backend, [{ area: 'standard', id: replaced }]);
  return { partNumber, etag: `"${part.md5}"`, size: part.size, lastModified: part.last_modified };
}

export async function listParts(ctx: StorageContext, bucket: string, key: string, uploadId: string): Promise<UploadedPart[]> {
  await findBucket(ctx, bucket);
  await findUpload(ctx, bucket, key, uploadId);
  const rows = await ctx.store.db.selectFrom('storage_parts').selectAll().where('upload_id', '=', uploadId).orderBy('part_number').execute();
  return rows.map((row) => ({ partNumber: row.part_number, etag: `"${row.md5}"`, size: Number(row.size), lastModified: row.last_modified }));
}

export async function listUploads(ctx: StorageContext, bucket: string): Promise<MultipartUpload[]> {
  await findBucket(ctx, bucket);
  const rows = await ctx.store.db.selectFrom('storage_uploads').selectAll().where('bucket', '=', bucket).orderBy('key').orderBy('initiated_ms').execute();
  return rows.map((row) => ({ uploadId: row.upload_id, bucket: row.bucket, key: row.key, initiatedAt: row.initiated_at }));
}

function unquote(etag: string): string {
  return etag.trim().replace(/^"|"$/g, '').toLowerCase();
}

/** How long a completed upload answers a repeated CompleteMultipartUpload. */
const COMPLETED_UPLOAD_MS = 24 * 3600 * 1000;

type CompleteRequest = { bucket: string; key: string; uploadId: string; parts: { partNumber: number; etag: string }[]; condition?: WriteCondition };

export async function completeUpload(ctx: StorageContext, request: CompleteRequest): Promise<ObjectInfo> {
  const { backend } = await findBucket(ctx, request.bucket);
  let upload: StorageUploadsTable;
  try {
    upload = await findUpload(ctx, request.bucket, request.key, request.uploadId);
  } catch (err) {
    const repeated = await repeatedCompletion(ctx, request);
    if (repeated) return repeated;
    throw err;
  }
  if (!Array.isArray(request.parts) || request.parts.length === 0) throw storageError('MalformedXML', 'You must specify at least one part');
  const stored = new Map((await ctx.store.db.selectFrom('storage_parts').selectAll().where('upload_id', '=', request.uploadId).execute()).map((p) => [p.part_number, p]));
  const chosen: StoragePartsTable[] = [];
  let previous = 0;
  for (const [index, wanted] of request.parts.entries()) {
    if (!Number.isInteger(wanted.partNumber) || wanted.partNumber <= previous) throw storageError('InvalidPartOrder', 'The list of parts was not in ascending order. Parts must be ordered by part number.');
    previous = wanted.partNumber;
    const part = stored.get(wanted.partNumber);
    if (!part || unquote(wanted.etag) !== part.md5) throw storageError('InvalidPart', `Part ${wanted.partNumber} was not uploaded or its ETag does not match`);
    if (index < request.parts.length - 1 && Number(part.size) < ctx.minPartSize) throw storageError('EntityTooSmall', `Part ${wanted.partNumber} is smaller than the minimum allowed size of ${ctx.minPartSize} bytes`);
    chosen.push(part);
  }
  const storageClass = upload.storage_class as StorageClass;
  // The parts become the object's bytes as they are; only an archive class needs a new blob
  // (one gzip stream of them all).
  const archiving = isArchiveClass(storageClass);
  const size = chosen.reduce((sum, part) => sum + Number(part.size), 0);
  const content = archiving
    ? await writeContent(backend, new ContentBody(await openPieces(backend, 'standard', chosen.map((p) => ({ id: p.blob_id, size: Number(p.size) })))), storageClass, undefined, { md5: false })
    : { blobId: chosen[0]!.blob_id, area: 'standard' as const, size, partsUploadId: request.uploadId };
  const etag = `"${createHash('md5').update(Buffer.concat(chosen.map((p) => Buffer.from(p.md5, 'hex')))).digest('hex')}-${chosen.length}"`;
  const now = ctx.now();
  const change: ObjectChange = { eventName: 'ObjectCreated:CompleteMultipartUpload', bucket: request.bucket, key: request.key, size, etag, eventTime: now.toISOString() };
  const row = newObjectRow(
    { bucket: request.bucket, key: request.key, etag, contentType: upload.content_type, metadata: upload.metadata, tags: '{}', storageClass, headers: parseHeaders(upload.headers), partSizes: chosen.map((p) => Number(p.size)) },
    content,
    now,
  );
  let released: BlobRef[];
  try {
    released = await commit(
      ctx,
      async (trx) => {
        const gone = await trx.deleteFrom('storage_uploads').where('upload_id', '=', request.uploadId).executeTakeFirst();
        if (Number(gone.numDeletedRows) === 0) throw storageError('NoSuchUpload', 'The upload was aborted or completed meanwhile');
        // Read again under the upload's deletion: a part sent again since the check above has
        // a new blob, and the object must name the blobs that stay.
        const present = await trx.selectFrom('storage_parts').select(['part_number', 'blob_id']).where('upload_id', '=', request.uploadId).execute();
        const current = new Map(present.map((p) => [p.part_number, p.blob_id]));
        const changed = chosen.find((p) => current.get(p.part_number) !== p.blob_id);
        if (changed) throw storageError('InvalidPart', `Part ${changed.part_number} was uploaded again while the upload was being completed`);
        const kept = new Set(archiving ? [] : chosen.map((p) => p.part_number));
        const dropped = present.filter((p) => !kept.has(p.part_number)).map((p) => p.part_number);
        const parts = dropped.length === 0 ? [] : await trx.deleteFrom('storage_parts').where('upload_id', '=', request.uploadId).where('part_number', 'in', dropped).returning('blob_id').execute();
        const old = await replaceObject(trx, ctx, row, change, request.condition);
        await trx.deleteFrom('storage_completed_uploads').where('completed_ms', '<', now.getTime() - COMPLETED_UPLOAD_MS).execute();
        await trx
          .insertInto('storage_completed_uploads')
          .values({ upload_id: request.uploadId, bucket: request.bucket, key: request.key, parts: partList(request.parts), etag, completed_ms: now.getTime() })
          .execute();
        return [...parts.map((p) => ({ area: 'standard' as const, id: p.blob_id })), ...old];
      },
      { retryUnique: true },
    );
  } catch (err) {
    if (archiving) await deleteBlobs(backend, blobsWritten(content));
    throw err;
  }
  await deleteBlobs(backend, released);
  ctx.emit(change);
  return toInfo(row, now.getTime());
}

function partList(parts: { partNumber: number; etag: string }[]): string {
  return JSON.stringify(parts.map((p) => [p.partNumber, unquote(p.etag)]));
}

/**
 * A client that timed out waiting for CompleteMultipartUpload sends it again: S3 answers the
 * same success while the object it made is still there, for the same part list.
 */
async function repeatedCompletion(ctx: StorageContext, request: CompleteRequest): Promise<ObjectInfo | undefined> {
  if (typeof request.uploadId !== 'string' || !Array.isArray(request.parts)) return undefined;
  const done = await ctx.store.db.selectFrom('storage_completed_uploads').selectAll().where('upload_id', '=', request.uploadId).executeTakeFirst();
  if (!done || done.bucket !== request.bucket || done.key !== request.key || done.parts !== partList(request.parts)) return undefined;
  if (Number(done.completed_ms) < ctx.now().getTime() - COMPLETED_UPLOAD_MS) return undefined;
  const current = await ctx.store.db.selectFrom('storage_objects').selectAll().where('bucket', '=', request.bucket).where('key', '=', request.key).executeTakeFirst();
  if (!current || current.etag !== done.etag) return undefined;
  return toInfo(current, ctx.now().getTime());
}

export async function abortUpload(ctx: StorageContext, bucket: string, key: string, uploadId: string): Promise<void> {
  const { backend } = await findBucket(ctx, bucket);
  await findUpload(ctx, bucket, key, uploadId);
  const parts = await commit(ctx, async (trx) => {
    const gone = await trx.deleteFrom('storage_uploads').where('upload_id', '=', uploadId).executeTakeFirst();
    if (Number(gone.numDeletedRows) === 0) throw storageError('NoSuchUpload', 'The upload was aborted or completed meanwhile');
    return trx.deleteFrom('storage_parts').where('upload_id', '=', uploadId).returning('blob_id').execute();
  });
  await deleteBlobs(
    backend,
    parts.map((p) => ({ area: 'standard' as const, id: p.blob_id })),
  );
}
