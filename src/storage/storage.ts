/*
 * ObjectStorage: the object store the S3 API, lifecycle and object events use. The catalogue
 * (buckets, objects, uploads, rules) is in the platform's database; bytes are in blob backends
 * (local disk by default, or S3), chosen per bucket when it is made.
 *
 * Every write goes: body -> new blob (streamed, hashed) -> one transaction that switches the
 * catalogue row and writes the object-event outbox rows -> delete the replaced blobs -> tell
 * onChange listeners. A crash before the commit leaves at worst an unreferenced blob; after it,
 * the object and its events are both there.
 *
 * Every method is async, so bad input always rejects (a StorageError), never throws.
 */
import type { Readable } from 'node:stream';
import type { Store } from '../store/database.js';
import { isUniqueViolation } from '../store/errors.js';
import type { BlobBackend } from './blobs/blob-backend.js';
import { LocalBlobs } from './blobs/local.js';
import { commit, findBucket, type StorageContext } from './context.js';
import { storageError } from './errors.js';
import { checkNotificationRules } from './events.js';
import { checkLifecycleRules } from './lifecycle-rules.js';
import { collectGarbage } from './garbage.js';
import { requestRestore, runLifecycle } from './lifecycle.js';
import { checkCorsRules, type CorsRule } from './cors.js';
import { getRules, rulesOf, setRules } from './rules.js';
import { listObjects } from './listing.js';
import { copyObject, deleteObject, getObject, headObject, lowerCaseNames, putObject, type CopyObjectRequest } from './objects.js';
import { abortUpload, completeUpload, createUpload, listParts, listUploads, uploadPart } from './multipart.js';
import { checkBucketName } from './names.js';
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
  UploadedPart,
} from './types.js';

/** Glacier Flexible Retrieval's standard retrievals take 3 to 5 hours; we take the middle. */
export const DEFAULT_RESTORE_DELAY_SECONDS = 4 * 60 * 60;
/**
 * Small bodies are kept in the catalogue: a 1 KiB PUT then costs one transaction instead of a
 * file, its fsync, a rename and a folder sync; a GET one query instead of opening a file.
 */
export const DEFAULT_INLINE_BYTES = 16 * 1024;
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
  /** Bodies up to this size live in the catalogue, not in blobs (default 16 KiB; 0: never). */
  inlineBytes?: number;
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
      inlineBytes: options.inlineBytes ?? DEFAULT_INLINE_BYTES,
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
      await trx.deleteFrom('storage_cors_rules').where('bucket', '=', name).execute();
      await trx.deleteFrom('storage_buckets').where('name', '=', name).execute();
      // An object written meanwhile holds the bucket through its foreign key.
    }, { onForeignKey: () => storageError('BucketNotEmpty', `The bucket you tried to delete is not empty: ${name}`) });
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
    return putObject(this.ctx, request);
  }

  async getObject(bucket: string, key: string, range?: ByteRange): Promise<GetObjectResult> {
    return getObject(this.ctx, bucket, key, range);
  }

  async headObject(bucket: string, key: string): Promise<ObjectInfo> {
    return headObject(this.ctx, bucket, key);
  }

  async deleteObject(bucket: string, key: string): Promise<void> {
    return deleteObject(this.ctx, bucket, key);
  }

  async copyObject(request: CopyObjectRequest): Promise<ObjectInfo> {
    return copyObject(this.ctx, request);
  }

  async listObjects(request: ListObjectsRequest): Promise<ListObjectsResult> {
    return listObjects(this.ctx, request);
  }

  // Multipart uploads

  async createMultipartUpload(request: Parameters<ObjectStore['createMultipartUpload']>[0]): Promise<MultipartUpload> {
    return createUpload(this.ctx, { ...request, ...(request.metadata ? { metadata: lowerCaseNames(request.metadata) } : {}) });
  }

  async uploadPart(request: { bucket: string; key: string; uploadId: string; partNumber: number; body: Readable; contentMd5?: string }): Promise<UploadedPart> {
    return uploadPart(this.ctx, request);
  }

  async completeMultipartUpload(request: Parameters<ObjectStore['completeMultipartUpload']>[0]): Promise<ObjectInfo> {
    return completeUpload(this.ctx, request);
  }

  async abortMultipartUpload(bucket: string, key: string, uploadId: string): Promise<void> {
    return abortUpload(this.ctx, bucket, key, uploadId);
  }

  async listParts(bucket: string, key: string, uploadId: string): Promise<UploadedPart[]> {
    return listParts(this.ctx, bucket, key, uploadId);
  }

  async listMultipartUploads(bucket: string): Promise<MultipartUpload[]> {
    return listUploads(this.ctx, bucket);
  }

  // Lifecycle and restores

  async getCors(bucket: string): Promise<CorsRule[]> {
    const rules = await getRules<CorsRule>(this.ctx, 'storage_cors_rules', bucket);
    if (rules.length === 0) throw storageError('NoSuchCORSConfiguration', 'The CORS configuration does not exist');
    return rules;
  }

  async putCors(bucket: string, rules: CorsRule[]): Promise<void> {
    return setRules(this.ctx, 'storage_cors_rules', bucket, checkCorsRules(rules));
  }

  async deleteCors(bucket: string): Promise<void> {
    return setRules(this.ctx, 'storage_cors_rules', bucket, []);
  }

  async getLifecycle(bucket: string): Promise<LifecycleRule[]> {
    const rules = await getRules<LifecycleRule>(this.ctx, 'storage_lifecycle_rules', bucket);
    if (rules.length === 0) throw storageError('NoSuchLifecycleConfiguration', 'The lifecycle configuration does not exist');
    return rules;
  }

  async lifecycleRules(bucket: string): Promise<LifecycleRule[]> {
    return rulesOf<LifecycleRule>(this.ctx, 'storage_lifecycle_rules', bucket);
  }

  async putLifecycle(bucket: string, rules: LifecycleRule[]): Promise<void> {
    return setRules(this.ctx, 'storage_lifecycle_rules', bucket, checkLifecycleRules(rules));
  }

  async deleteLifecycle(bucket: string): Promise<void> {
    return setRules(this.ctx, 'storage_lifecycle_rules', bucket, []);
  }

  async restoreObject(bucket: string, key: string, days: number): Promise<{ alreadyRestored: boolean }> {
    return requestRestore(this.ctx, bucket, key, days);
  }

  async runLifecycle(now: Date): Promise<LifecycleRunResult> {
    return runLifecycle(this.ctx, now);
  }

  /**
   * Deletes blobs that no catalogue row names and that were last written more than `graceMs`
   * ago (by the wall clock: the files' own times): leftovers of a crash between a blob's write
   * and its commit, or between a commit and the old blob's deletion.
   */
  async collectGarbage(graceMs = DEFAULT_GARBAGE_GRACE_MS): Promise<{ deleted: number }> {
    return collectGarbage(this.ctx, this.backends.values(), graceMs);
  }

  // Notifications

  async getNotification(bucket: string): Promise<NotificationRule[]> {
    return getRules<NotificationRule>(this.ctx, 'storage_notification_rules', bucket);
  }

  async putNotification(bucket: string, rules: NotificationRule[]): Promise<void> {
    return setRules(this.ctx, 'storage_notification_rules', bucket, checkNotificationRules(rules));
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
