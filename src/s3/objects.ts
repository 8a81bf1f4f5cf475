/*
 * Object-level S3 operations: objects, copies, multipart uploads and restores. Bodies stream
 * from the request into the store and from the store into the response.
 */
import type { FastifyReply } from 'fastify';
import { plannedExpiration } from '../storage/lifecycle-rules.js';
import { StorageError, type ByteRange, type ObjectInfo } from '../storage/types.js';
import type { Storage } from './buckets.js';
import { parseCopySource } from './copy-source.js';
import { S3Error } from './errors.js';
import { contentMd5Header, drain, header, integerParam, objectHeaders, objectHeadersOf, readXmlBody, sendXml, storageClassHeader, taggingHeader, userMetadata, writeConditionOf, type S3Context } from './request.js';
import { evaluatePreconditions, preconditionsOf } from './preconditions.js';
import { children, token } from './xml.js';
import { sendContent } from '../util/send-content.js';

const MAX_PART_NUMBER = 10_000;

export async function putObject(ctx: S3Context, store: Storage): Promise<void> {
  const { request, location } = ctx;
  const contentType = header(request, 'content-type');
  const contentMd5 = contentMd5Header(request);
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
    headers: objectHeadersOf(request),
    ...optional('condition', writeConditionOf(request)),
  });
  await expirationHeader(ctx, store, info);
  void ctx.reply.code(200).header('etag', info.etag).send();
}

/** x-amz-expiration: when a lifecycle rule of the bucket will expire the object, and which. */
async function expirationHeader(ctx: S3Context, store: Storage, info: ObjectInfo): Promise<void> {
  const rules = await store.lifecycleRules(info.bucket);
  if (rules.length === 0) return;
  const planned = plannedExpiration(rules, { key: info.key, tags: info.tags, lastModifiedMs: new Date(info.lastModified).getTime() });
  if (planned) void ctx.reply.header('x-amz-expiration', `expiry-date="${planned.date.toUTCString()}", rule-id="${encodeURIComponent(planned.ruleId)}"`);
}

function optional<K extends string, V>(name: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [name]: value }) as { [P in K]?: V };
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
  const sourceConditions = preconditionsOf(request, 'x-amz-copy-source-');
  const info = await store.copyObject({
    sourceBucket: source.bucket,
    sourceKey: source.key,
    bucket: location.bucket,
    key: location.key,
    ...(directive === 'REPLACE' ? { metadata: userMetadata(request), headers: objectHeadersOf(request), ...(contentType ? { contentType } : {}) } : {}),
    ...(storageClass ? { storageClass } : {}),
    // Checked on the very version being copied, not on one read before it.
    sourceCheck: (object) => {
      if (evaluatePreconditions(object, sourceConditions) !== 'pass') throw new StorageError('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', 412);
    },
  });
  sendXml(ctx.reply, 200, { CopyObjectResult: { LastModified: info.lastModified, ETag: info.etag } });
}

export async function getObject(ctx: S3Context, store: Storage, head: boolean): Promise<void> {
  const { request, reply, location, query } = ctx;
  const partNumber = integerParam(query, 'partNumber', 1, MAX_PART_NUMBER);
  if (partNumber !== undefined && header(request, 'range') !== undefined) throw new S3Error('InvalidRequest', 'Cannot specify both Range header and partNumber query parameter');
  // HEAD reads the row once; a GET of one part reads it first for the part's byte range.
  const described = head || partNumber !== undefined ? await store.headObject(location.bucket, location.key) : undefined;
  const part = partNumber === undefined || !described ? undefined : partRange(described, partNumber);
  if (head && described) {
    const info = described;
    if (notModified(ctx, info)) return;
    objectHeaders(reply, info);
    await expirationHeader(ctx, store, info);
    if (part) {
      partsCountHeader(reply, info);
      if (part.end >= part.start) void reply.header('content-range', `bytes ${part.start}-${part.end}/${info.size}`);
      void reply.code(206).header('content-length', String(part.end - part.start + 1)).send();
      return;
    }
    void reply.code(200).header('content-length', String(info.size)).send();
    return;
  }
  // An empty object's one part is all of it: no range to ask for.
  const range = part ? (part.end >= part.start ? part : undefined) : (await parseRange(header(request, 'range'), () => store.headObject(location.bucket, location.key).then((info) => info.size)));
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
  try {
    await expirationHeader(ctx, store, result.info);
  } catch (err) {
    result.body.destroy();
    throw err;
  }
  // Presigned GETs may ask for other response headers (a download name, a type).
  for (const [param, name] of RESPONSE_OVERRIDES) {
    const value = query.get(param);
    if (value !== null) void reply.header(name, value);
  }
  if (part) partsCountHeader(reply, result.info);
  if (result.range) {
    void reply
      .code(206)
      .header('content-range', `bytes ${result.range.start}-${result.range.end}/${result.info.size}`)
      .header('content-length', String(result.range.end - result.range.start + 1));
  } else {
    void reply.code(200).header('content-length', String(result.info.size));
  }
  await sendContent(reply, result.body);
}

/** Part N's bytes of an object (inclusive); an object from a single PUT is one part. */
function partRange(info: ObjectInfo, partNumber: number): { start: number; end: number } {
  const sizes = info.partSizes ?? [info.size];
  if (partNumber > sizes.length) throw new S3Error('InvalidPartNumber', 'The requested partnumber is not satisfiable');
  const start = sizes.slice(0, partNumber - 1).reduce((sum, size) => sum + size, 0);
  return { start, end: start + (sizes[partNumber - 1] ?? 0) - 1 };
}

function partsCountHeader(reply: FastifyReply, info: ObjectInfo): void {
  if (info.partSizes) void reply.header('x-amz-mp-parts-count', String(info.partSizes.length));
}

/**
 * If-Match / If-Unmodified-Since fail with 412 PreconditionFailed; If-None-Match /
 * If-Modified-Since answer 304 when the client's copy is current (true: the reply is sent).
 */
function notModified(ctx: S3Context, info: ObjectInfo): boolean {
  const outcome = evaluatePreconditions(info, preconditionsOf(ctx.request, ''));
  if (outcome === 'failed') throw new StorageError('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', 412);
  if (outcome === 'not-modified') {
    void ctx.reply.code(304).header('etag', info.etag).header('last-modified', new Date(info.lastModified).toUTCString()).send();
    return true;
  }
  return false;
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
    headers: objectHeadersOf(request),
  });
  sendXml(ctx.reply, 200, { InitiateMultipartUploadResult: { Bucket: upload.bucket, Key: upload.key, UploadId: upload.uploadId } });
}

export async function uploadPart(ctx: S3Context, store: Storage, uploadId: string): Promise<void> {
  if (header(ctx.request, 'x-amz-copy-source') !== undefined) throw new S3Error('NotImplemented', 'UploadPartCopy is not supported; copy the object instead');
  const partNumber = integerParam(ctx.query, 'partNumber', 1, MAX_PART_NUMBER) as number;
  const contentMd5 = contentMd5Header(ctx.request);
  const part = await store.uploadPart({ bucket: ctx.location.bucket, key: ctx.location.key, uploadId, partNumber, body: ctx.body(), ...(contentMd5 ? { contentMd5 } : {}) });
  void ctx.reply.code(200).header('etag', part.etag).send();
}

export async function completeMultipartUpload(ctx: S3Context, store: Storage, uploadId: string): Promise<void> {
  const document = await readXmlBody(ctx);
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
  const condition = writeConditionOf(ctx.request);
  const info = await store.completeMultipartUpload({ bucket: ctx.location.bucket, key: ctx.location.key, uploadId, parts, ...optional('condition', condition) });
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
  const document = await readXmlBody(ctx);
  const root = document.RestoreRequest;
  if (root === undefined) throw new S3Error('MalformedXML', 'expected a <RestoreRequest> document');
  const daysText = token(root, 'Days') ?? '1';
  if (!/^\d{1,5}$/.test(daysText) || Number(daysText) < 1) throw new S3Error('InvalidArgument', '<Days> must be a whole number of days, at least 1');
  const { alreadyRestored } = await store.restoreObject(ctx.location.bucket, ctx.location.key, Number(daysText));
  // 202: the restore has started; 200: a restored copy is there already (its time extended).
  void ctx.reply.code(alreadyRestored ? 200 : 202).send();
}
