/*
 * ObjectStorage: the object store the S3 API, lifecycle and object events use. The catalogue
 * (buckets, objects, uploads, rules) is in the platform's database; bytes are in blob backends
 * (local disk by default, or S3), chosen per bucket when it is made.
 *
 * Every write goes: body -> new blob (streamed, hashed) -> one transaction that switches the
 * catalogue row and writes the object-event outbox rows -> delete the replaced blobs -> tell
 * onChange listeners. A crash before the commit leaves at worst an unreferenced blob; after it,
 * the object and its events are both there.
 */
import type { Readable } from 'node:stream';
import type { Store } from '../store/database.js';
import { isUniqueViolation } from '../store/errors.js';
import { BlobNotFoundError, type BlobBackend } from './blobs/blob-backend.js';
import { LocalBlobs } from './blobs/local.js';
import { blobsOf, commit, deleteBlobs, findBucket, findObject, replaceObject, toInfo, writeContent, type ObjectRow, type StorageContext } from './context.js';
import { storageError } from './errors.js';
import { checkNotificationRules, recordEvent } from './events.js';
import { checkLifecycleRules, DAY_MS, isArchiveClass, isStorageClass } from './lifecycle-rules.js';
import { collectGarbage } from './garbage.js';
import { makeRestoredCopy, runLifecycle } from './lifecycle.js';
import { listObjects } from './listing.js';
import { abortUpload, completeUpload, createUpload, listParts, listUploads, uploadPart } from './multipart.js';
import { checkBucketName, checkKey, checkText } from './names.js';
import type {
  BucketInfo,
  ByteRange,
  GetObjectResult,
  LifecycleRule,
  LifecycleRunResult,
  ListObjectsRequest,
  ListObjectsResult,
  MultipartUpload,
  NotificationRule,
  ObjectChange,
  ObjectInfo,
  ObjectStore,
  ObjectStoreNotifications,
  PutObjectRequest,
  StorageClass,
  UploadedPart,
} from './types.js';

/** Glacier Flexible Retrieval's standard retrievals take 3 to 5 hours; we take the middle. */
export const DEFAULT_RESTORE_DELAY_SECONDS = 4 * 60 * 60;
export const DEFAULT_MIN_PART_SIZE = 5 * 1024 * 1024;
/** Far longer than any blob takes from its last byte written to its row's commit. */
export const DEFAULT_GARBAGE_GRACE_MS = 60 * 60 * 1000;

export interface ObjectStorageOptions {
  store: Store;
  /** The local backend keeps its blobs under `<dataDir>/storage/`. */
  dataDir: string;
  /** More backends by name (e.g. `s3`); `local` is always there. */
  backends?: Record<string, BlobBackend>;
  /** The backend of new buckets (default `local`). */
  defaultBackend?: string;
  /** Bucket name -> backend name, for buckets that differ from the default. */
  bucketBackends?: Record<string, string>;
  now?: () => Date;
  /** How long a restore takes before the object is readable (default 4 hours). */
  restoreDelaySeconds?: number;
  /** Minimum size of every multipart part but the last (default 5 MiB, as S3). */
  minPartSize?: number;
  /** awsRegion in event records (default us-east-1). */
  region?: string;
}

export class ObjectStorage implements ObjectStore, ObjectStoreNotifications {
  private readonly ctx: StorageContext;
  private readonly backends: Map<string, BlobBackend>;
  private readonly listeners = new Set<(change: ObjectChange) => void>();

  constructor(private readonly options: ObjectStorageOptions) {
    this.backends = new Map(Object.entries({ local: new LocalBlobs(`${options.dataDir}/storage`), ...options.backends }));
    for (const name of [options.defaultBackend, ...Object.values(options.bucketBackends ?? {})]) {
      if (name !== undefined && !this.backends.has(name)) throw new Error(`storage backend "${name}" is not configured`);
    }
    const now = options.now ?? (() => new Date());
    this.ctx = {
      store: options.store,
      now,
      region: options.region ?? 'us-east-1',
      minPartSize: options.minPartSize ?? DEFAULT_MIN_PART_SIZE,
      restoreDelayMs: (options.restoreDelaySeconds ?? DEFAULT_RESTORE_DELAY_SECONDS) * 1000,
      backend: (name) => {
        const backend = this.backends.get(name);
        if (!backend) throw storageError('InternalError', `The bucket's storage backend "${name}" is not configured on this server`);
        return backend;
      },
      emit: (change) => {
        for (const listener of this.listeners) {
          try {
            listener(change);
          } catch (err) {
            console.error('skybatch: object change listener failed:', (err as Error).message);
          }
        }
      },
    };
  }

  // Buckets

  async createBucket(name: string, options: { backend?: string } = {}): Promise<BucketInfo> {
    checkBucketName(name);
    const backend = options.backend ?? this.options.bucketBackends?.[name] ?? this.options.defaultBackend ?? 'local';
    this.ctx.backend(backend);
    const createdAt = this.ctx.now().toISOString();
    try {
      await this.ctx.store.db.insertInto('storage_buckets').values({ name, backend, created_at: createdAt }).execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw storageError('BucketAlreadyOwnedByYou', `Your previous request to create the named bucket succeeded and you already own it: ${name}`);
      throw err;
    }
    return { name, createdAt };
  }

  async deleteBucket(name: string): Promise<void> {
    await findBucket(this.ctx, name);
    await commit(this.ctx, async (trx) => {
      const object = await trx.selectFrom('storage_objects').select('key').where('bucket', '=', name).limit(1).executeTakeFirst();
      const upload = await trx.selectFrom('storage_uploads').select('upload_id').where('bucket', '=', name).limit(1).executeTakeFirst();
      if (object || upload) throw storageError('BucketNotEmpty', `The bucket you tried to delete is not empty: ${name}`);
      await trx.deleteFrom('storage_lifecycle_rules').where('bucket', '=', name).execute();
      await trx.deleteFrom('storage_notification_rules').where('bucket', '=', name).execute();
      await trx.deleteFrom('storage_buckets').where('name', '=', name).execute();
    }).catch((err: unknown) => {
      // PostgreSQL: an object written meanwhile holds the bucket through its foreign key.
      if ((err as { code?: string }).code === '23503') throw storageError('BucketNotEmpty', `The bucket you tried to delete is not empty: ${name}`);
      throw err;
    });
  }

  async headBucket(name: string): Promise<BucketInfo> {
    const bucket = await findBucket(this.ctx, name);
    return { name: bucket.name, createdAt: bucket.createdAt };
  }

  async listBuckets(): Promise<BucketInfo[]> {
    const rows = await this.ctx.store.db.selectFrom('storage_buckets').select(['name', 'created_at']).orderBy('name').execute();
    return rows.map((row) => ({ name: row.name, createdAt: row.created_at }));
  }

  // Objects

  async putObject(request: PutObjectRequest): Promise<ObjectInfo> {
    let backend: BlobBackend;
    const storageClass = request.storageClass ?? 'STANDARD';
    try {
      checkKey(request.key);
      checkText(request.contentType, 'The content type');
      if (!isStorageClass(storageClass)) throw storageError('InvalidArgument', `Unknown storage class "${String(storageClass)}"`);
      backend = (await findBucket(this.ctx, request.bucket)).backend;
    } catch (err) {
      request.body.destroy();
      throw err;
    }
    const content = await writeContent(backend, request.body, storageClass, request.contentMd5);
    const etag = `"${content.md5.toString('hex')}"`;
    return this.commitObject(backend, content, { bucket: request.bucket, key: request.key, etag, contentType: request.contentType, metadata: request.metadata, tags: request.tags, storageClass }, 'ObjectCreated:Put');
  }

  private async commitObject(
    backend: BlobBackend,
    content: { blobId: string; area: 'standard' | 'archive'; size: number },
    object: { bucket: string; key: string; etag: string; contentType: string | undefined; metadata: Record<string, string> | undefined; tags: Record<string, string> | undefined; storageClass: StorageClass },
    eventName: ObjectChange['eventName'],
  ): Promise<ObjectInfo> {
    const now = this.ctx.now();
    const row: ObjectRow = {
      bucket: object.bucket,
      key: object.key,
      size: content.size,
      etag: object.etag,
      content_type: object.contentType ?? 'application/octet-stream',
      metadata: JSON.stringify(lowerCaseNames(object.metadata ?? {})),
      tags: JSON.stringify(object.tags ?? {}),
      storage_class: object.storageClass,
      blob_id: content.blobId,
      blob_area: content.area,
      last_modified: now.toISOString(),
      last_modified_ms: now.getTime(),
      restore_ready_at: null,
      restore_expires_at: null,
      restored_blob_id: null,
    };
    const change: ObjectChange = { eventName, bucket: row.bucket, key: row.key, size: content.size, etag: row.etag, eventTime: row.last_modified };
    let old: ObjectRow | undefined;
    try {
      old = await commit(this.ctx, (trx) => replaceObject(trx, this.ctx, row, change), { retryUnique: true });
    } catch (err) {
      await deleteBlobs(backend, [{ area: content.area, id: content.blobId }]);
      throw err;
    }
    if (old) await deleteBlobs(backend, blobsOf(old));
    this.ctx.emit(change);
    return toInfo(row, now.getTime());
  }

  async getObject(bucket: string, key: string, range?: ByteRange): Promise<GetObjectResult> {
    const { backend } = await findBucket(this.ctx, bucket);
    // A concurrent replace may delete the blob between reading the row and opening the blob:
    // read the row again and serve the newer object.
    for (let attempt = 1; ; attempt++) {
      let row = await findObject(this.ctx, bucket, key);
      const nowMs = this.ctx.now().getTime();
      let blob = { area: row.blob_area, id: row.blob_id };
      if (row.blob_area === 'archive') {
        const readyAt = row.restore_ready_at === null ? undefined : Number(row.restore_ready_at);
        const restored = readyAt !== undefined && readyAt <= nowMs && Number(row.restore_expires_at) > nowMs;
        if (!restored) throw storageError('InvalidObjectState', `The operation is not valid for the object's storage class (${row.storage_class}): restore it first`);
        if (!row.restored_blob_id) row = (await makeRestoredCopy(this.ctx, row, this.ctx.now())) ?? row;
        if (!row.restored_blob_id) throw storageError('InvalidObjectState', 'The object changed while it was being restored');
        blob = { area: 'standard', id: row.restored_blob_id };
      }
      const size = Number(row.size);
      const served = range ? checkRange(range, size) : undefined;
      try {
        const body = await backend.read(blob.area, blob.id, served);
        const result: GetObjectResult = { info: toInfo(row, nowMs), body };
        if (served) result.range = served;
        return result;
      } catch (err) {
        if (!(err instanceof BlobNotFoundError) || attempt >= 3) throw err;
      }
    }
  }

  async headObject(bucket: string, key: string): Promise<ObjectInfo> {
    await findBucket(this.ctx, bucket);
    return toInfo(await findObject(this.ctx, bucket, key), this.ctx.now().getTime());
  }

  async deleteObject(bucket: string, key: string): Promise<void> {
    checkKey(key);
    const { backend } = await findBucket(this.ctx, bucket);
    const eventTime = this.ctx.now().toISOString();
    const gone = await commit(this.ctx, async (trx) => {
      const row = await trx.deleteFrom('storage_objects').where('bucket', '=', bucket).where('key', '=', key).returningAll().executeTakeFirst();
      if (row) await recordEvent(trx, removed(row, eventTime), this.ctx.region);
      return row;
    });
    if (!gone) return;
    await deleteBlobs(backend, blobsOf(gone));
    this.ctx.emit(removed(gone, eventTime));
  }

  async copyObject(request: { sourceBucket: string; sourceKey: string; bucket: string; key: string; metadata?: Record<string, string>; contentType?: string; storageClass?: StorageClass }): Promise<ObjectInfo> {
    checkKey(request.key);
    checkText(request.contentType, 'The content type');
    const storageClass = request.storageClass ?? 'STANDARD';
    if (!isStorageClass(storageClass)) throw storageError('InvalidArgument', `Unknown storage class "${String(storageClass)}"`);
    const { backend } = await findBucket(this.ctx, request.bucket);
    const source = await this.getObject(request.sourceBucket, request.sourceKey);
    const content = await writeContent(backend, source.body, storageClass);
    const etag = `"${content.md5.toString('hex')}"`;
    // As S3's x-amz-metadata-directive: new metadata replaces the source's, else it is copied.
    const replacing = request.metadata !== undefined || request.contentType !== undefined;
    return this.commitObject(
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
      },
      'ObjectCreated:Copy',
    );
  }

  listObjects(request: ListObjectsRequest): Promise<ListObjectsResult> {
    return listObjects(this.ctx, request);
  }

  // Multipart uploads

  createMultipartUpload(request: { bucket: string; key: string; contentType?: string; metadata?: Record<string, string>; storageClass?: StorageClass }): Promise<MultipartUpload> {
    return createUpload(this.ctx, { ...request, ...(request.metadata ? { metadata: lowerCaseNames(request.metadata) } : {}) });
  }

  uploadPart(request: { bucket: string; key: string; uploadId: string; partNumber: number; body: Readable; contentMd5?: string }): Promise<UploadedPart> {
    return uploadPart(this.ctx, request);
  }

  completeMultipartUpload(request: { bucket: string; key: string; uploadId: string; parts: { partNumber: number; etag: string }[] }): Promise<ObjectInfo> {
    return completeUpload(this.ctx, request);
  }

  abortMultipartUpload(bucket: string, key: string, uploadId: string): Promise<void> {
    return abortUpload(this.ctx, bucket, key, uploadId);
  }

  listParts(bucket: string, key: string, uploadId: string): Promise<UploadedPart[]> {
    return listParts(this.ctx, bucket, key, uploadId);
  }

  listMultipartUploads(bucket: string): Promise<MultipartUpload[]> {
    return listUploads(this.ctx, bucket);
  }

  // Lifecycle and restores

  async getLifecycle(bucket: string): Promise<LifecycleRule[]> {
    const rules = await this.rules('storage_lifecycle_rules', bucket);
    if (rules.length === 0) throw storageError('NoSuchLifecycleConfiguration', 'The lifecycle configuration does not exist');
    return rules as LifecycleRule[];
  }

  async putLifecycle(bucket: string, rules: LifecycleRule[]): Promise<void> {
    await this.setRules('storage_lifecycle_rules', bucket, checkLifecycleRules(rules));
  }

  async deleteLifecycle(bucket: string): Promise<void> {
    await this.setRules('storage_lifecycle_rules', bucket, []);
  }

  async restoreObject(bucket: string, key: string, days: number): Promise<{ alreadyRestored: boolean }> {
    checkKey(key);
    if (!Number.isInteger(days) || days < 1) throw storageError('InvalidArgument', 'Days must be a whole number of at least 1');
    await findBucket(this.ctx, bucket);
    const nowMs = this.ctx.now().getTime();
    const outcome = await commit(this.ctx, async (trx) => {
      const row = await trx.selectFrom('storage_objects').selectAll().where('bucket', '=', bucket).where('key', '=', key).executeTakeFirst();
      if (!row) throw storageError('NoSuchKey', `The specified key does not exist: ${key}`);
      if (!isArchiveClass(row.storage_class as StorageClass)) throw storageError('InvalidObjectState', `Restore is not allowed for the object's storage class (${row.storage_class})`);
      const readyAt = row.restore_ready_at === null ? undefined : Number(row.restore_ready_at);
      const live = readyAt !== undefined && Number(row.restore_expires_at) > nowMs;
      if (live && readyAt > nowMs) throw storageError('RestoreAlreadyInProgress', 'Object restore is already in progress');
      const where = trx.updateTable('storage_objects').where('bucket', '=', bucket).where('key', '=', key);
      // Asking again for a restored object only moves its expiry, as S3 does.
      if (live) {
        await where.set({ restore_expires_at: nowMs + days * DAY_MS }).execute();
        return { alreadyRestored: true, stale: undefined };
      }
      const ready = nowMs + this.ctx.restoreDelayMs;
      await where.set({ restore_ready_at: ready, restore_expires_at: ready + days * DAY_MS, restored_blob_id: null }).execute();
      return { alreadyRestored: false, stale: row.restored_blob_id ?? undefined };
    });
    if (outcome.stale) await deleteBlobs((await findBucket(this.ctx, bucket)).backend, [{ area: 'standard', id: outcome.stale }]);
    return { alreadyRestored: outcome.alreadyRestored };
  }

  runLifecycle(now: Date): Promise<LifecycleRunResult> {
    return runLifecycle(this.ctx, now);
  }

  /**
   * Deletes blobs that no catalogue row names and that were last written more than `graceMs`
   * ago (by the wall clock: the files' own times): leftovers of a crash between a blob's write
   * and its commit, or between a commit and the old blob's deletion.
   */
  collectGarbage(graceMs = DEFAULT_GARBAGE_GRACE_MS): Promise<{ deleted: number }> {
    return collectGarbage(this.ctx, this.backends.values(), graceMs);
  }

  // Notifications

  async getNotification(bucket: string): Promise<NotificationRule[]> {
    return (await this.rules('storage_notification_rules', bucket)) as NotificationRule[];
  }

  async putNotification(bucket: string, rules: NotificationRule[]): Promise<void> {
    await this.setRules('storage_notification_rules', bucket, checkNotificationRules(rules));
  }

  private async rules(table: 'storage_lifecycle_rules' | 'storage_notification_rules', bucket: string): Promise<unknown[]> {
    await findBucket(this.ctx, bucket);
    const rows = await this.ctx.store.db.selectFrom(table).select('body').where('bucket', '=', bucket).orderBy('position').execute();
    return rows.map((row) => JSON.parse(row.body) as unknown);
  }

  private async setRules(table: 'storage_lifecycle_rules' | 'storage_notification_rules', bucket: string, rules: (LifecycleRule | NotificationRule)[]): Promise<void> {
    await findBucket(this.ctx, bucket);
    await commit(this.ctx, async (trx) => {
      await trx.deleteFrom(table).where('bucket', '=', bucket).execute();
      if (rules.length > 0) await trx.insertInto(table).values(rules.map((rule, position) => ({ bucket, position, rule_id: rule.id, body: JSON.stringify(rule) }))).execute();
    });
  }

  onChange(listener: (change: ObjectChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.listeners.clear();
    for (const backend of this.backends.values()) await backend.close();
  }
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

function lowerCaseNames(metadata: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(metadata).map(([name, value]) => [name.toLowerCase(), value]));
}
