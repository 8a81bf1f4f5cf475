/*
 * Object-level S3 operations: objects, copies, multipart uploads and restores. Bodies stream
 * from the request into the store and from the store into the response.
 */
import { StorageError, type ByteRange, type ObjectInfo } from '../storage/types.js';
import type { Storage } from './buckets.js';
import { S3Error } from './errors.js';
import { drain, header, integerParam, objectHeaders, readXmlBody, sendXml, storageClassHeader, taggingHeader, userMetadata, type S3Context } from './request.js';
import { children, token } from './xml.js';

const MAX_PART_NUMBER = 10_000;

export async function putObject(ctx: S3Context, store: Storage): Promise<void> {
  const { request, location } = ctx;
  const contentType = header(request, 'content-type');
  const contentMd5 = header(request, 'content-md5');
  const storageClass = storageClassHeader(request);
  const tags = taggingHeader(request);
  const info = await store.putObject({
    bucket: location.bucket,
    key: location.key,
    body: ctx.body(),
    metadata: userMetadata(request),
    ...(contentType ? { contentType } : {}),
    ...(contentMd5 ? { contentMd5 } : {}),
    ...(storageClass ? { storageClass } : {}),
    ...(tags ? { tags } : {}),
  });
  void ctx.reply.code(200).header('etag', info.etag).send();
}

export async function copyObject(ctx: S3Context, store: Storage, copySource: string): Promise<void> {
  const { request, location } = ctx;
  await drain(ctx.body());
  const source = parseCopySource(copySource);
  const directive = header(request, 'x-amz-metadata-directive') ?? 'COPY';
  if (directive !== 'COPY' && directive !== 'REPLACE') throw new S3Error('InvalidArgument', 'x-amz-metadata-directive must be COPY or REPLACE');
  const storageClass = storageClassHeader(request);
  const contentType = header(request, 'content-type');
  if (directive === 'COPY' && source.bucket === location.bucket && source.key === location.key && storageClass === undefined) {
    throw new S3Error(
      'InvalidRequest',
      'This copy request is illegal because it is trying to copy an object to itself without changing the object\'s metadata, storage class, website redirect location or encryption attributes.',
    );
  }
  const info = await store.copyObject({
    sourceBucket: source.bucket,
    sourceKey: source.key,
    bucket: location.bucket,
    key: location.key,
    ...(directive === 'REPLACE' ? { metadata: userMetadata(request), ...(contentType ? { contentType } : {}) } : {}),
    ...(storageClass ? { storageClass } : {}),
  });
  sendXml(ctx.reply, 200, { CopyObjectResult: { LastModified: info.lastModified, ETag: info.etag } });
}

/** `/bucket/key` or `bucket/key`, URL-encoded, optionally with `?versionId=` (one version here). */
function parseCopySource(value: string): { bucket: string; key: string } {
  const withoutVersion = value.split('?', 1)[0] ?? '';
  let decoded: string;
  try {
    decoded = decodeURIComponent(withoutVersion).replace(/^\/+/, '');
  } catch {
    throw new S3Error('InvalidArgument', 'x-amz-copy-source is not correctly URL-encoded');
  }
  const slash = decoded.indexOf('/');
  if (slash <= 0 || slash === decoded.length - 1) throw new S3Error('InvalidArgument', 'x-amz-copy-source must be BUCKET/KEY');
  return { bucket: decoded.slice(0, slash), key: decoded.slice(slash + 1) };
}

export async function getObject(ctx: S3Context, store: Storage, head: boolean): Promise<void> {
  const { request, reply, location, query } = ctx;
  if (head) {
    const info = await store.headObject(location.bucket, location.key);
    if (notModified(ctx, info)) return;
    objectHeaders(reply, info);
    void reply.code(200).header('content-length', String(info.size)).send();
    return;
  }
  const range = await parseRange(header(request, 'range'), () => store.headObject(location.bucket, location.key).then((info) => info.size));
  const result = await store.getObject(location.bucket, location.key, range);
  try {
    if (notModified(ctx, result.info)) {
      result.body.destroy();
      return;
    }
  } catch (err) {
    result.body.destroy();
    throw err;
  }
  objectHeaders(reply, result.info);
  // Presigned GETs may ask for other response headers (a download name, a type).
  for (const [param, name] of RESPONSE_OVERRIDES) {
    const value = query.get(param);
    if (value !== null) void reply.header(name, value);
  }
  if (result.range) {
    void reply
      .code(206)
      .header('content-range', `bytes ${result.range.start}-${result.range.end}/${result.info.size}`)
      .header('content-length', String(result.range.end - result.range.start + 1));
  } else {
    void reply.code(200).header('content-length', String(result.info.size));
  }
  void reply.send(result.body);
}

/**
 * If-Match / If-Unmodified-Since fail with 412 PreconditionFailed; If-None-Match /
 * If-Modified-Since answer 304 when the client's copy is current (true: the reply is sent).
 */
function notModified(ctx: S3Context, info: ObjectInfo): boolean {
  const ifMatch = header(ctx.request, 'if-match');
  const ifNoneMatch = header(ctx.request, 'if-none-match');
  const modifiedSince = parseHttpDate(header(ctx.request, 'if-modified-since'));
  const unmodifiedSince = parseHttpDate(header(ctx.request, 'if-unmodified-since'));
  // HTTP dates have whole seconds; compare the object's time at that precision.
  const modified = Math.floor(new Date(info.lastModified).getTime() / 1000) * 1000;
  const matches = (list: string) => list.split(',').some((tag) => tag.trim() === '*' || tag.trim().replace(/^W\//, '') === info.etag || `"${tag.trim()}"` === info.etag);
  if (ifMatch !== undefined ? !matches(ifMatch) : unmodifiedSince !== undefined && modified > unmodifiedSince) {
    throw new StorageError('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', 412);
  }
  if (ifNoneMatch !== undefined ? matches(ifNoneMatch) : modifiedSince !== undefined && modified <= modifiedSince) {
    void ctx.reply.code(304).header('etag', info.etag).header('last-modified', new Date(info.lastModified).toUTCString()).send();
    return true;
  }
  return false;
}

function parseHttpDate(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const time = new Date(value).getTime();
  return Number.isNaN(time) ? undefined : time;
}

const RESPONSE_OVERRIDES: [string, string][] = [
  ['response-content-type', 'content-type'],
  ['response-content-disposition', 'content-disposition'],
  ['response-content-encoding', 'content-encoding'],
  ['response-content-language', 'content-language'],
  ['response-cache-control', 'cache-control'],
  ['response-expires', 'expires'],
];

/**
 * A single `bytes=` range; anything else is ignored (the whole object is sent), as HTTP allows.
 * A suffix range (`bytes=-N`) needs the size, so only it costs a lookup.
 */
async function parseRange(value: string | undefined, size: () => Promise<number>): Promise<ByteRange | undefined> {
  if (value === undefined) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(value.trim());
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  const [, first = '', last = ''] = match;
  if (first === '') {
    const total = await size();
    const suffix = Number(last);
    if (suffix === 0) throw new S3Error('InvalidRange', 'The requested range is not satisfiable');
    return { start: Math.max(0, total - suffix) };
  }
  const start = Number(first);
  if (last === '') return { start };
  const end = Number(last);
  if (end < start) return undefined;
  return { start, end };
}

export async function deleteObject(ctx: S3Context, store: Storage): Promise<void> {
  await store.deleteObject(ctx.location.bucket, ctx.location.key);
  void ctx.reply.code(204).send();
}

export async function createMultipartUpload(ctx: S3Context, store: Storage): Promise<void> {
  const { request, location } = ctx;
  await drain(ctx.body());
  const contentType = header(request, 'content-type');
  const storageClass = storageClassHeader(request);
  const upload = await store.createMultipartUpload({
    bucket: location.bucket,
    key: location.key,
    metadata: userMetadata(request),
    ...(contentType ? { contentType } : {}),
    ...(storageClass ? { storageClass } : {}),
  });
  sendXml(ctx.reply, 200, { InitiateMultipartUploadResult: { Bucket: upload.bucket, Key: upload.key, UploadId: upload.uploadId } });
}

export async function uploadPart(ctx: S3Context, store: Storage, uploadId: string): Promise<void> {
  if (header(ctx.request, 'x-amz-copy-source') !== undefined) throw new S3Error('NotImplemented', 'UploadPartCopy is not supported; copy the object instead');
  const partNumber = integerParam(ctx.query, 'partNumber', 1, MAX_PART_NUMBER) as number;
  const contentMd5 = header(ctx.request, 'content-md5');
  const part = await store.uploadPart({ bucket: ctx.location.bucket, key: ctx.location.key, uploadId, partNumber, body: ctx.body(), ...(contentMd5 ? { contentMd5 } : {}) });
  void ctx.reply.code(200).header('etag', part.etag).send();
}

export async function completeMultipartUpload(ctx: S3Context, store: Storage, uploadId: string): Promise<void> {
  const document = await readXmlBody(ctx.body());
  const root = document.CompleteMultipartUpload;
  if (root === undefined) throw new S3Error('MalformedXML', 'expected a <CompleteMultipartUpload> document');
  const parts = children(root, 'Part').map((part) => {
    const number = token(part, 'PartNumber');
    const etag = token(part, 'ETag');
    if (number === undefined || etag === undefined || !/^\d{1,5}$/.test(number)) throw new S3Error('MalformedXML', 'every <Part> needs a <PartNumber> and an <ETag>');
    // Clients send the ETag quoted, unquoted or with &quot; entities; the store compares quoted.
    return { partNumber: Number(number), etag: `"${etag.replace(/^"|"$/g, '')}"` };
  });
  if (parts.length === 0) throw new S3Error('MalformedXML', 'The XML you provided did not list any parts.');
  const info = await store.completeMultipartUpload({ bucket: ctx.location.bucket, key: ctx.location.key, uploadId, parts });
  sendXml(ctx.reply, 200, {
    CompleteMultipartUploadResult: { Location: `${ctx.location.resource}`, Bucket: info.bucket, Key: info.key, ETag: info.etag },
  });
}

export async function abortMultipartUpload(ctx: S3Context, store: Storage, uploadId: string): Promise<void> {
  await store.abortMultipartUpload(ctx.location.bucket, ctx.location.key, uploadId);
  void ctx.reply.code(204).send();
}

export async function listParts(ctx: S3Context, store: Storage, uploadId: string): Promise<void> {
  const marker = integerParam(ctx.query, 'part-number-marker', 0, MAX_PART_NUMBER) ?? 0;
  const maxParts = integerParam(ctx.query, 'max-parts', 1, 1000) ?? 1000;
  const all = (await store.listParts(ctx.location.bucket, ctx.location.key, uploadId)).filter((p) => p.partNumber > marker);
  const parts = all.slice(0, maxParts);
  const truncated = all.length > parts.length;
  sendXml(ctx.reply, 200, {
    ListPartsResult: {
      Bucket: ctx.location.bucket,
      Key: ctx.location.key,
      UploadId: uploadId,
      PartNumberMarker: marker,
      ...(truncated ? { NextPartNumberMarker: parts.at(-1)?.partNumber } : {}),
      MaxParts: maxParts,
      IsTruncated: truncated,
      StorageClass: 'STANDARD',
      Part: parts.map((p) => ({ PartNumber: p.partNumber, LastModified: p.lastModified, ETag: p.etag, Size: p.size })),
    },
  });
}

export async function restoreObject(ctx: S3Context, store: Storage): Promise<void> {
  const document = await readXmlBody(ctx.body());
  const root = document.RestoreRequest;
  if (root === undefined) throw new S3Error('MalformedXML', 'expected a <RestoreRequest> document');
  const daysText = token(root, 'Days') ?? '1';
  if (!/^\d{1,5}$/.test(daysText) || Number(daysText) < 1) throw new S3Error('InvalidArgument', '<Days> must be a whole number of days, at least 1');
  const { alreadyRestored } = await store.restoreObject(ctx.location.bucket, ctx.location.key, Number(daysText));
  // 202: the restore has started; 200: a restored copy is there already (its time extended).
  void ctx.reply.code(alreadyRestored ? 200 : 202).send();
}
