/*
 * The object store's contract: what the S3 HTTP API, the lifecycle sweeper, object events and
 * the stack files use. One implementation (ObjectStorage in storage.ts) keeps the catalogue
 * (buckets, objects, uploads, lifecycle rules) in the platform's database and the bytes in a
 * blob backend: the local disk by default, or an S3 bucket (@aws-sdk/client-s3).
 *
 * Bodies are always streams: a 5 GiB object never sits in memory. Errors are StorageError
 * with S3's own codes, so the HTTP layer maps them to S3's XML error bodies one to one.
 */
import type { Readable } from 'node:stream';
import type { ContentBody } from './content-body.js';
import type { CorsRule } from './cors.js';

export type StorageClass = 'STANDARD' | 'STANDARD_IA' | 'ONEZONE_IA' | 'INTELLIGENT_TIERING' | 'GLACIER_IR' | 'GLACIER' | 'DEEP_ARCHIVE';

/** Classes whose objects cannot be read until restored (as S3 Glacier Flexible Retrieval and Deep Archive). */
export const ARCHIVE_CLASSES: ReadonlySet<StorageClass> = new Set(['GLACIER', 'DEEP_ARCHIVE']);

export type StorageErrorCode =
  | 'NoSuchBucket'
  | 'NoSuchKey'
  | 'NoSuchUpload'
  | 'NoSuchLifecycleConfiguration'
  | 'NoSuchCORSConfiguration'
  | 'InvalidRequest'
  | 'BucketAlreadyOwnedByYou'
  | 'BucketNotEmpty'
  | 'InvalidBucketName'
  | 'KeyTooLongError'
  | 'InvalidArgument'
  | 'InvalidObjectState'
  | 'InvalidPart'
  | 'InvalidPartOrder'
  | 'EntityTooSmall'
  | 'InvalidRange'
  | 'RestoreAlreadyInProgress'
  | 'PreconditionFailed'
  | 'BadDigest'
  | 'MalformedXML'
  | 'InternalError';

/** What S3 calls an object stored without a Content-Type. */
export const DEFAULT_CONTENT_TYPE = 'binary/octet-stream';

export class StorageError extends Error {
  constructor(
    readonly code: StorageErrorCode,
    message: string,
    /** HTTP status S3 answers with for this code. */
    readonly status: number,
  ) {
    super(message);
    this.name = 'StorageError';
  }
}

export interface BucketInfo {
  name: string;
  createdAt: string;
}

export interface RestoreStatus {
  /** True while the restore is being prepared (the restore delay has not passed). */
  ongoing: boolean;
  /** When the restored copy goes away again (ISO). */
  expiresAt?: string;
}

/** The standard headers S3 keeps with an object and returns on GET and HEAD. */
export interface ObjectHeaders {
  cacheControl?: string;
  contentDisposition?: string;
  contentEncoding?: string;
  contentLanguage?: string;
  /** As the client sent it: S3 returns Expires verbatim. */
  expires?: string;
}

/**
 * A write's precondition, checked in the transaction that publishes it (S3's conditional
 * writes): `absent` for If-None-Match: *, `etag` (quoted) for If-Match.
 */
export type WriteCondition = { absent: true } | { etag: string };

export interface ObjectInfo {
  bucket: string;
  key: string;
  size: number;
  /** Quoted, as S3 sends it: `"<md5 hex>"`, or `"<md5 of part md5s>-<parts>"` for multipart. */
  etag: string;
  lastModified: string;
  contentType: string;
  /** x-amz-meta-* without the prefix, names lower-case. */
  metadata: Record<string, string>;
  tags: Record<string, string>;
  storageClass: StorageClass;
  restore?: RestoreStatus;
  headers: ObjectHeaders;
  /** A multipart object's part sizes, in part order; absent for a single PUT. */
  partSizes?: number[];
}

export interface PutObjectRequest {
  bucket: string;
  key: string;
  body: Readable;
  contentType?: string;
  metadata?: Record<string, string>;
  tags?: Record<string, string>;
  storageClass?: StorageClass;
  /** Content-MD5 (base64): the write fails with BadDigest when the body does not match. */
  contentMd5?: string;
  headers?: ObjectHeaders;
  condition?: WriteCondition;
}

export interface CopyObjectRequest {
  sourceBucket: string;
  sourceKey: string;
  bucket: string;
  key: string;
  /** Given (even empty) when the copy replaces the source's metadata (x-amz-metadata-directive: REPLACE). */
  metadata?: Record<string, string>;
  contentType?: string;
  headers?: ObjectHeaders;
  storageClass?: StorageClass;
  sourceCheck?: (source: ObjectInfo) => void;
  condition?: WriteCondition;
}

export interface ByteRange {
  /** Inclusive, as in an HTTP Range header; `end` is clamped to the object's size. */
  start: number;
  end?: number;
}

export interface GetObjectResult {
  info: ObjectInfo;
  /** A Readable; an HTTP sender takes its reader out (sendContent). */
  body: ContentBody;
  /** Present when a range was asked: the bytes served (inclusive). */
  range?: { start: number; end: number };
}

export interface ListObjectsRequest {
  bucket: string;
  prefix?: string;
  delimiter?: string;
  /** 1..1000, default 1000. */
  maxKeys?: number;
  /** Opaque token from a previous page. */
  continuationToken?: string;
  startAfter?: string;
}

export interface ListObjectsResult {
  objects: ObjectInfo[];
  commonPrefixes: string[];
  isTruncated: boolean;
  nextContinuationToken?: string;
}

export interface MultipartUpload {
  uploadId: string;
  bucket: string;
  key: string;
  initiatedAt: string;
}

export interface UploadedPart {
  partNumber: number;
  etag: string;
  size: number;
  lastModified: string;
}

export interface LifecycleRule {
  id: string;
  status: 'Enabled' | 'Disabled';
  /** All must match: the key starts with prefix, and the object carries every tag. */
  filter: { prefix?: string; tags?: Record<string, string> };
  transitions: { days: number; storageClass: StorageClass }[];
  expiration?: { days: number };
  abortIncompleteMultipartUpload?: { daysAfterInitiation: number };
  /** The prefix was given in the older form, on the rule (`<Rule><Prefix>`), not in a filter; kept so it reads back as written. */
  prefixOnRule?: boolean;
  /*
   * Actions on versions and delete markers. A bucket here never has either, so they select
   * nothing; they are kept so a configuration written for AWS round-trips.
   */
  expiredObjectDeleteMarker?: boolean;
  noncurrentVersionExpiration?: { noncurrentDays: number; newerNoncurrentVersions?: number };
  noncurrentVersionTransitions?: { noncurrentDays: number; storageClass: StorageClass; newerNoncurrentVersions?: number }[];
}

export interface LifecycleRunResult {
  transitioned: { bucket: string; key: string; storageClass: StorageClass }[];
  expired: { bucket: string; key: string }[];
  restoresExpired: { bucket: string; key: string }[];
  uploadsAborted: { bucket: string; key: string; uploadId: string }[];
}

/** What happened to an object; shaped into S3 event records by the object-events module. */
export interface ObjectChange {
  eventName: 'ObjectCreated:Put' | 'ObjectCreated:Copy' | 'ObjectCreated:CompleteMultipartUpload' | 'ObjectRemoved:Delete' | 'ObjectRemoved:DeleteMarkerCreated' | 'LifecycleExpiration:Delete' | 'LifecycleTransition' | 'ObjectRestore:Completed';
  bucket: string;
  key: string;
  size: number;
  etag: string;
  eventTime: string;
}

export interface ObjectStore {
  createBucket(name: string): Promise<BucketInfo>;
  /** BucketNotEmpty unless it holds no objects and no uploads. */
  deleteBucket(name: string): Promise<void>;
  headBucket(name: string): Promise<BucketInfo>;
  listBuckets(): Promise<BucketInfo[]>;

  putObject(request: PutObjectRequest): Promise<ObjectInfo>;
  /** InvalidObjectState for an archived object that is not restored. */
  getObject(bucket: string, key: string, range?: ByteRange): Promise<GetObjectResult>;
  headObject(bucket: string, key: string): Promise<ObjectInfo>;
  /** Deleting a missing key succeeds, as in S3. */
  deleteObject(bucket: string, key: string): Promise<void>;
  /** `sourceCheck` sees the source object as it is copied, and may refuse it (copy-source-if-*). */
  copyObject(request: CopyObjectRequest): Promise<ObjectInfo>;
  listObjects(request: ListObjectsRequest): Promise<ListObjectsResult>;

  createMultipartUpload(request: { bucket: string; key: string; contentType?: string; metadata?: Record<string, string>; storageClass?: StorageClass; headers?: ObjectHeaders }): Promise<MultipartUpload>;
  uploadPart(request: { bucket: string; key: string; uploadId: string; partNumber: number; body: Readable; contentMd5?: string }): Promise<UploadedPart>;
  /** Completing an upload again with the same parts answers the same object (a client's retry). */
  completeMultipartUpload(request: { bucket: string; key: string; uploadId: string; parts: { partNumber: number; etag: string }[]; condition?: WriteCondition }): Promise<ObjectInfo>;
  abortMultipartUpload(bucket: string, key: string, uploadId: string): Promise<void>;
  listParts(bucket: string, key: string, uploadId: string): Promise<UploadedPart[]>;
  listMultipartUploads(bucket: string): Promise<MultipartUpload[]>;

  /** NoSuchCORSConfiguration when the bucket has none. */
  getCors(bucket: string): Promise<CorsRule[]>;
  putCors(bucket: string, rules: CorsRule[]): Promise<void>;
  deleteCors(bucket: string): Promise<void>;

  getLifecycle(bucket: string): Promise<LifecycleRule[]>;
  /** The bucket's rules, [] when it has none (or does not exist): one query, for x-amz-expiration on every GET, HEAD and PUT. */
  lifecycleRules(bucket: string): Promise<LifecycleRule[]>;
  putLifecycle(bucket: string, rules: LifecycleRule[]): Promise<void>;
  deleteLifecycle(bucket: string): Promise<void>;
  /** Starts a restore of an archived object: readable `delaySeconds` later (configurable per store), for `days`. */
  restoreObject(bucket: string, key: string, days: number): Promise<{ alreadyRestored: boolean }>;
  /** Applies every bucket's rules and finishes due restores as of `now` (injectable, for tests and `skybatch lifecycle run --now`). */
  runLifecycle(now: Date): Promise<LifecycleRunResult>;

  /** Called after every change is committed; object events subscribe here. */
  onChange(listener: (change: ObjectChange) => void): () => void;
  close(): Promise<void>;
}

/**
 * A bucket's notification configuration, as S3's PutBucketNotificationConfiguration carries it
 * (Topic/Queue/LambdaFunction configurations all become rules). The target ARN's service says
 * what a matching event does: `states` starts an execution of that state machine, `batch`
 * (a job definition, optionally `?queue=NAME`) submits a job, `lambda` invokes a function, `sns`
 * publishes to a topic. Each delivery gets the S3 event message `{"Records":[...]}`.
 */
export interface NotificationRule {
  id: string;
  /** S3 event names with optional `*`, e.g. `s3:ObjectCreated:*`. */
  events: string[];
  filter: { prefix?: string; suffix?: string };
  targetArn: string;
}

export interface ObjectStoreNotifications {
  getNotification(bucket: string): Promise<NotificationRule[]>;
  /** Validates the rules (known event names, a target ARN of a supported service). */
  putNotification(bucket: string, rules: NotificationRule[]): Promise<void>;
}
