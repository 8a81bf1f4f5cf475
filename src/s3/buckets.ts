/*
 * Bucket-level S3 operations: the service (ListBuckets), buckets, listings, DeleteObjects and
 * the lifecycle and notification configurations.
 */
import { StorageError, type ListObjectsResult, type ObjectStore, type ObjectStoreNotifications } from '../storage/types.js';
import { refusal, visibleBucket } from '../storage/access.js';
import { corsXml, lifecycleXml, notificationXml, parseCors, parseLifecycle, parseNotification } from './config-xml.js';
import { S3Error } from './errors.js';
import { drain, encodeKey, integerParam, readXmlBody, sendXml, type S3Context } from './request.js';
import { S3_REGION } from './sigv4.js';
import { children, text, token } from './xml.js';

export type Storage = ObjectStore & Partial<ObjectStoreNotifications>;

const OWNER = { ID: 'skybatch', DisplayName: 'skybatch' };

/**
 * ListBuckets, paged as S3 pages it when asked (max-buckets, continuation-token, prefix); the
 * token is the last name of the page, so a page never repeats a bucket.
 */
export async function listBuckets(ctx: S3Context, store: Storage): Promise<void> {
  const { query } = ctx;
  const maxBuckets = integerParam(query, 'max-buckets', 1, 10_000);
  const prefix = query.get('prefix') ?? '';
  const token = query.get('continuation-token');
  const after = token === null || token === '' ? undefined : bucketAfter(token);
  const matching = (await store.listBuckets()).filter((b) => visibleBucket(ctx.limits, b.name) && b.name.startsWith(prefix) && (after === undefined || b.name > after)).sort((a, b) => (a.name < b.name ? -1 : 1));
  const page = maxBuckets === undefined ? matching : matching.slice(0, maxBuckets);
  const more = page.length < matching.length;
  sendXml(ctx.reply, 200, {
    ListAllMyBucketsResult: {
      Owner: OWNER,
      Buckets: { Bucket: page.map((b) => ({ Name: b.name, CreationDate: b.createdAt })) },
      ...(more ? { ContinuationToken: Buffer.from(page.at(-1)?.name ?? '').toString('base64url') } : {}),
      ...(query.has('prefix') ? { Prefix: prefix } : {}),
    },
  });
}

function bucketAfter(token: string): string {
  const name = Buffer.from(token, 'base64url').toString('utf8');
  if (!/^[a-z0-9.-]{1,63}$/.test(name)) throw new S3Error('InvalidArgument', 'The continuation token provided is incorrect');
  return name;
}

export async function createBucket(ctx: S3Context, store: Storage): Promise<void> {
  // A CreateBucketConfiguration (LocationConstraint) may come along; one region here.
  await drain(ctx.body());
  await store.createBucket(ctx.location.bucket);
  void ctx.reply.code(200).header('location', `/${ctx.location.bucket}`).send();
}

export async function deleteBucket(ctx: S3Context, store: Storage): Promise<void> {
  await store.deleteBucket(ctx.location.bucket);
  void ctx.reply.code(204).send();
}

export async function headBucket(ctx: S3Context, store: Storage): Promise<void> {
  await store.headBucket(ctx.location.bucket);
  void ctx.reply.code(200).header('x-amz-bucket-region', S3_REGION).send();
}

export async function getBucketLocation(ctx: S3Context, store: Storage): Promise<void> {
  await store.headBucket(ctx.location.bucket);
  // us-east-1 is the empty LocationConstraint, as S3 answers it.
  sendXml(ctx.reply, 200, { LocationConstraint: '' });
}

export async function listObjects(ctx: S3Context, store: Storage): Promise<void> {
  const { query } = ctx;
  const v2 = query.get('list-type') === '2';
  const continuationToken = v2 ? query.get('continuation-token') : null;
  const fetchOwner = v2 && query.get('fetch-owner') === 'true';
  const startAfter = v2 ? query.get('start-after') : query.get('marker');
  const { encoding, maxKeys, prefix, delimiter, page } = await listingPage(ctx, store, startAfter, continuationToken);
  const enc = (value: string) => encodeKey(value, encoding);
  const contents = page.objects.map((o) => ({ Key: enc(o.key), LastModified: o.lastModified, ETag: o.etag, Size: o.size, StorageClass: o.storageClass, ...(v2 && !fetchOwner ? {} : { Owner: OWNER }) }));
  const common = page.commonPrefixes.map((p) => ({ Prefix: enc(p) }));
  const shared = {
    Name: ctx.location.bucket,
    Prefix: enc(prefix),
    ...(delimiter ? { Delimiter: enc(delimiter) } : {}),
    MaxKeys: maxKeys,
    ...(encoding ? { EncodingType: encoding } : {}),
    IsTruncated: page.isTruncated,
  };
  if (v2) {
    sendXml(ctx.reply, 200, {
      ListBucketResult: {
        ...shared,
        KeyCount: contents.length + common.length,
        // Echoed as given, even empty (as S3 does).
        ...(continuationToken !== null ? { ContinuationToken: continuationToken } : {}),
        ...(page.nextContinuationToken ? { NextContinuationToken: page.nextContinuationToken } : {}),
        ...(startAfter ? { StartAfter: enc(startAfter) } : {}),
        Contents: contents,
        CommonPrefixes: common,
      },
    });
    return;
  }
  // V1 pages by marker: the last key or common prefix of this page.
  const last = [...page.objects.map((o) => o.key), ...page.commonPrefixes].sort().at(-1);
  sendXml(ctx.reply, 200, {
    ListBucketResult: { ...shared, Marker: enc(startAfter ?? ''), ...(page.isTruncated && last !== undefined ? { NextMarker: enc(last) } : {}), Contents: contents, CommonPrefixes: common },
  });
}

/** The parameters every listing shares (encoding-type, max-keys, prefix, delimiter), and its page. */
async function listingPage(ctx: S3Context, store: Storage, startAfter: string | null, continuationToken: string | null) {
  const { query } = ctx;
  const encoding = query.get('encoding-type');
  if (encoding !== null && encoding !== 'url') throw new S3Error('InvalidArgument', 'Invalid Encoding Method specified in Request');
  const maxKeys = integerParam(query, 'max-keys', 0, 2_147_483_647) ?? 1000;
  const prefix = query.get('prefix') ?? '';
  const delimiter = query.get('delimiter') ?? '';
  const page: ListObjectsResult =
    maxKeys === 0
      ? { objects: [], commonPrefixes: [], isTruncated: false }
      : await store.listObjects({
          bucket: ctx.location.bucket,
          maxKeys: Math.min(maxKeys, 1000),
          ...(prefix ? { prefix } : {}),
          ...(delimiter ? { delimiter } : {}),
          ...(continuationToken ? { continuationToken } : {}),
          ...(startAfter ? { startAfter } : {}),
        });
  return { encoding, maxKeys, prefix, delimiter, page };
}

export async function deleteObjects(ctx: S3Context, store: Storage): Promise<void> {
  const document = await readXmlBody(ctx);
  const root = document.Delete;
  if (root === undefined) throw new S3Error('MalformedXML', 'expected a <Delete> document');
  const objects = children(root, 'Object');
  if (objects.length > 1000) throw new S3Error('MalformedXML', 'a DeleteObjects request names at most 1000 keys');
  const quiet = token(root, 'Quiet') === 'true';
  const deleted: { Key: string }[] = [];
  const errors: { Key: string; Code: string; Message: string }[] = [];
  for (const object of objects) {
    const key = text(object, 'Key');
    if (key === undefined) throw new S3Error('MalformedXML', 'every <Object> needs a <Key>');
    const refused = refusal(ctx.limits, { kind: 'object', write: true, bucket: ctx.location.bucket, key });
    if (refused !== undefined) {
      errors.push({ Key: key, Code: 'AccessDenied', Message: `Access Denied: ${refused}` });
      continue;
    }
    try {
      await store.deleteObject(ctx.location.bucket, key);
      deleted.push({ Key: key });
    } catch (err) {
      // The whole request fails for a missing bucket; other errors are per key, as in S3.
      if (!(err instanceof StorageError) || err.code === 'NoSuchBucket') throw err;
      errors.push({ Key: key, Code: err.code, Message: err.message });
    }
  }
  sendXml(ctx.reply, 200, { DeleteResult: { ...(quiet ? {} : { Deleted: deleted }), Error: errors } });
}

export async function getCors(ctx: S3Context, store: Storage): Promise<void> {
  sendXml(ctx.reply, 200, corsXml(await store.getCors(ctx.location.bucket)));
}

export async function putCors(ctx: S3Context, store: Storage): Promise<void> {
  await store.putCors(ctx.location.bucket, parseCors(await readXmlBody(ctx)));
  void ctx.reply.code(200).send();
}

export async function deleteCors(ctx: S3Context, store: Storage): Promise<void> {
  await store.deleteCors(ctx.location.bucket);
  void ctx.reply.code(204).send();
}

export async function getLifecycle(ctx: S3Context, store: Storage): Promise<void> {
  const rules = await store.getLifecycle(ctx.location.bucket);
  if (rules.length === 0) throw new StorageError('NoSuchLifecycleConfiguration', 'The lifecycle configuration does not exist', 404);
  sendXml(ctx.reply, 200, lifecycleXml(rules));
}

export async function putLifecycle(ctx: S3Context, store: Storage): Promise<void> {
  const rules = parseLifecycle(await readXmlBody(ctx));
  await store.putLifecycle(ctx.location.bucket, rules);
  void ctx.reply.code(200).send();
}

export async function deleteLifecycle(ctx: S3Context, store: Storage): Promise<void> {
  await store.deleteLifecycle(ctx.location.bucket);
  void ctx.reply.code(204).send();
}

export async function getNotification(ctx: S3Context, store: Storage): Promise<void> {
  if (!store.getNotification) throw new S3Error('NotImplemented', 'bucket notifications are not available on this server');
  sendXml(ctx.reply, 200, notificationXml(await store.getNotification(ctx.location.bucket)));
}

export async function putNotification(ctx: S3Context, store: Storage): Promise<void> {
  if (!store.putNotification) throw new S3Error('NotImplemented', 'bucket notifications are not available on this server');
  const rules = parseNotification(await readXmlBody(ctx));
  await store.putNotification(ctx.location.bucket, rules);
  void ctx.reply.code(200).send();
}

export async function listMultipartUploads(ctx: S3Context, store: Storage): Promise<void> {
  const uploads = await store.listMultipartUploads(ctx.location.bucket);
  const prefix = ctx.query.get('prefix') ?? '';
  const shown = uploads.filter((u) => u.key.startsWith(prefix));
  sendXml(ctx.reply, 200, {
    ListMultipartUploadsResult: {
      Bucket: ctx.location.bucket,
      KeyMarker: '',
      UploadIdMarker: '',
      Prefix: prefix,
      MaxUploads: 1000,
      IsTruncated: false,
      Upload: shown.map((u) => ({ Key: u.key, UploadId: u.uploadId, Initiator: OWNER, Owner: OWNER, StorageClass: 'STANDARD', Initiated: u.initiatedAt })),
    },
  });
}

/** A bucket that never had versioning: S3 answers a configuration without a Status. */
export async function getBucketVersioning(ctx: S3Context, store: Storage): Promise<void> {
  await store.headBucket(ctx.location.bucket);
  sendXml(ctx.reply, 200, { VersioningConfiguration: {} });
}

/**
 * ListObjectVersions of a bucket that never had versioning: one version per key, the current
 * one, whose id is "null" (as S3 lists them). key-marker pages as ListObjects' marker does.
 */
export async function listObjectVersions(ctx: S3Context, store: Storage): Promise<void> {
  const { query } = ctx;
  const keyMarker = query.get('key-marker') ?? '';
  const versionIdMarker = query.get('version-id-marker') ?? '';
  if (versionIdMarker !== '' && keyMarker === '') throw new S3Error('InvalidArgument', 'A version-id marker cannot be specified without a key marker.');
  if (versionIdMarker !== '' && versionIdMarker !== 'null') throw new S3Error('InvalidArgument', 'Invalid version id specified');
  const { encoding, maxKeys, prefix, delimiter, page } = await listingPage(ctx, store, keyMarker, null);
  const enc = (value: string) => encodeKey(value, encoding);
  const entries = [...page.objects.map((o) => ({ name: o.key, key: true })), ...page.commonPrefixes.map((p) => ({ name: p, key: false }))].sort((a, b) => (a.name < b.name ? -1 : 1));
  const last = entries.at(-1);
  sendXml(ctx.reply, 200, {
    ListVersionsResult: {
      Name: ctx.location.bucket,
      Prefix: enc(prefix),
      KeyMarker: enc(keyMarker),
      VersionIdMarker: versionIdMarker,
      ...(page.isTruncated && last ? { NextKeyMarker: enc(last.name), ...(last.key ? { NextVersionIdMarker: 'null' } : {}) } : {}),
      MaxKeys: maxKeys,
      ...(delimiter ? { Delimiter: enc(delimiter) } : {}),
      ...(encoding ? { EncodingType: encoding } : {}),
      IsTruncated: page.isTruncated,
      Version: page.objects.map((o) => ({ Key: enc(o.key), VersionId: 'null', IsLatest: true, LastModified: o.lastModified, ETag: o.etag, Size: o.size, StorageClass: o.storageClass, Owner: OWNER })),
      CommonPrefixes: page.commonPrefixes.map((p) => ({ Prefix: enc(p) })),
    },
  });
}
