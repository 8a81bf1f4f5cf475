/*
 * What an S3 request addresses and carries, read from the raw URL and headers. Path-style only:
 * `/s3/BUCKET/KEY?subresource`. The key is taken from the raw path and decoded once, so keys
 * holding `%2F`, `+` or `?` arrive exactly as the client meant them.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AccessLimits } from '../storage/access.js';
import type { ObjectHeaders, ObjectInfo, StorageClass, WriteCondition } from '../storage/types.js';
import { S3Error } from './errors.js';
import { decodeEncodedWords, mailSafe, receivedHeaderText } from './header-text.js';
import { uriEncode, type VerifiedRequest } from './sigv4.js';
import { MAX_XML_BYTES, parseXml, xmlDocument, type XmlNode } from './xml.js';

export interface S3Location {
  /** Empty for the service itself (ListBuckets). */
  bucket: string;
  /** Empty for bucket operations. */
  key: string;
  /** The path without the mount prefix, for error bodies' <Resource>. */
  resource: string;
}

export const STORAGE_CLASSES: readonly StorageClass[] = ['STANDARD', 'STANDARD_IA', 'ONEZONE_IA', 'INTELLIGENT_TIERING', 'GLACIER_IR', 'GLACIER', 'DEEP_ARCHIVE'];

export function locate(url: string, prefix: string): S3Location {
  const queryStart = url.indexOf('?');
  const rawPath = (queryStart === -1 ? url : url.slice(0, queryStart)).slice(prefix.length);
  const path = rawPath.replace(/^\/+/, '');
  const slash = path.indexOf('/');
  const rawBucket = slash === -1 ? path : path.slice(0, slash);
  const rawKey = slash === -1 ? '' : path.slice(slash + 1);
  const bucket = decode(rawBucket);
  const key = decode(rawKey);
  return { bucket, key, resource: `/${bucket}${key === '' ? '' : `/${key}`}` };
}

export function queryOf(url: string): URLSearchParams {
  const queryStart = url.indexOf('?');
  // URLSearchParams would read + as a space; S3 clients send a space as %20 and mean + literally.
  return new URLSearchParams(queryStart === -1 ? '' : url.slice(queryStart + 1).replace(/\+/g, '%2B'));
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new S3Error('InvalidURI', "Couldn't parse the specified URI.");
  }
}

export function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** x-amz-meta-* headers, names lower-case without the prefix. */
export function userMetadata(request: FastifyRequest): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (name.startsWith('x-amz-meta-') && value !== undefined) metadata[name.slice('x-amz-meta-'.length)] = decodeEncodedWords(receivedHeaderText(Array.isArray(value) ? value.join(',') : value));
  }
  return metadata;
}

export function storageClassHeader(request: FastifyRequest): StorageClass | undefined {
  const value = header(request, 'x-amz-storage-class');
  if (value === undefined) return undefined;
  if (!(STORAGE_CLASSES as readonly string[]).includes(value)) throw new S3Error('InvalidStorageClass', `The storage class you specified is not valid: x-amz-storage-class must be one of ${STORAGE_CLASSES.join(', ')}, not "${value}"`);
  return value as StorageClass;
}

/** x-amz-tagging: `k1=v1&k2=v2`, URL-encoded. */
export function taggingHeader(request: FastifyRequest): Record<string, string> | undefined {
  const value = header(request, 'x-amz-tagging');
  if (value === undefined || value === '') return undefined;
  return Object.fromEntries(new URLSearchParams(value));
}

/** The body stream the content-type parser handed over (see plugin.ts). */
export function bodyStream(request: FastifyRequest): Readable {
  return request.body as Readable;
}

/**
 * Content-MD5, checked for form before any byte of the body is read: the base64 of 16 bytes,
 * or InvalidDigest (an empty or malformed value is not "no digest"). A well-formed digest
 * that the body does not match is BadDigest, found once the body has been read.
 */
export function contentMd5Header(request: FastifyRequest): string | undefined {
  const value = header(request, 'content-md5');
  if (value === undefined) return undefined;
  if (!/^[A-Za-z0-9+/]{22}==$/.test(value.trim())) throw new S3Error('InvalidDigest', 'The Content-MD5 you specified was invalid.');
  return value.trim();
}

/** A small XML request body (configurations, key lists), bounded, and checked against its Content-MD5. */
export async function readXmlBody(ctx: Pick<S3Context, 'request' | 'body'>): Promise<Record<string, XmlNode | undefined>> {
  const expectedMd5 = contentMd5Header(ctx.request);
  const body = ctx.body();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_XML_BYTES) {
      body.destroy();
      throw new S3Error('MalformedXML', `The XML you provided is larger than ${MAX_XML_BYTES} bytes.`);
    }
    chunks.push(buffer);
  }
  const bytes = Buffer.concat(chunks);
  if (expectedMd5 !== undefined && createHash('md5').update(bytes).digest('base64') !== expectedMd5) {
    throw new S3Error('BadDigest', 'The Content-MD5 you specified did not match what we received.');
  }
  return parseXml(bytes.toString('utf8'));
}

export async function drain(body: Readable): Promise<void> {
  for await (const _chunk of body) {
    // Discarded: the operation takes no body, but the signature check must still see it end.
  }
}

export function sendXml(reply: FastifyReply, status: number, root: Record<string, unknown>): FastifyReply {
  return reply.code(status).header('content-type', 'application/xml').send(xmlDocument(root));
}

const STANDARD_HEADERS: [keyof ObjectHeaders, string][] = [
  ['cacheControl', 'cache-control'],
  ['contentDisposition', 'content-disposition'],
  ['contentEncoding', 'content-encoding'],
  ['contentLanguage', 'content-language'],
  ['expires', 'expires'],
];

/** The standard headers an upload asks S3 to keep (PUT, CreateMultipartUpload, a copy's REPLACE). */
export function objectHeadersOf(request: FastifyRequest): ObjectHeaders {
  const headers: ObjectHeaders = {};
  for (const [field, name] of STANDARD_HEADERS) {
    let value = header(request, name);
    // aws-chunked names the signed upload's framing, not the object's encoding.
    if (field === 'contentEncoding' && value !== undefined) value = value.split(',').map((v) => v.trim()).filter((v) => v !== '' && v.toLowerCase() !== 'aws-chunked').join(', ');
    if (value !== undefined && value !== '') headers[field] = receivedHeaderText(value);
  }
  return headers;
}

/** If-None-Match: * (create only) or If-Match: ETAG on a write. S3 knows no other write conditions. */
export function writeConditionOf(request: FastifyRequest): WriteCondition | undefined {
  const ifNoneMatch = header(request, 'if-none-match');
  const ifMatch = header(request, 'if-match');
  if (ifNoneMatch !== undefined && ifMatch !== undefined) throw new S3Error('NotImplemented', 'A write may carry If-None-Match or If-Match, not both');
  if (ifNoneMatch !== undefined) {
    if (ifNoneMatch.trim() !== '*') throw new S3Error('NotImplemented', 'A header you provided implies functionality that is not implemented: If-None-Match on a write takes only *');
    return { absent: true };
  }
  if (ifMatch !== undefined) {
    if (ifMatch.trim() === '') throw new S3Error('InvalidArgument', 'If-Match must name an ETag');
    return { etag: ifMatch.trim() };
  }
  return undefined;
}

/** A header value as bytes Node can send: text beyond latin1 goes as its UTF-8 bytes. */
function wireText(value: string): string {
  for (let i = 0; i < value.length; i++) if (value.charCodeAt(i) > 0xff) return Buffer.from(value, 'utf8').toString('latin1');
  return value;
}

/** Headers describing an object, for GetObject and HeadObject. */
export function objectHeaders(reply: FastifyReply, info: ObjectInfo): void {
  void reply.header('etag', info.etag).header('last-modified', new Date(info.lastModified).toUTCString()).header('content-type', wireText(info.contentType)).header('accept-ranges', 'bytes');
  for (const [field, name] of STANDARD_HEADERS) {
    const value = info.headers[field];
    if (value !== undefined) void reply.header(name, wireText(value));
  }
  for (const [name, value] of Object.entries(info.metadata)) void reply.header(`x-amz-meta-${name}`, mailSafe(value));
  if (info.storageClass !== 'STANDARD') void reply.header('x-amz-storage-class', info.storageClass);
  if (info.restore) {
    const expiry = info.restore.expiresAt ? `, expiry-date="${new Date(info.restore.expiresAt).toUTCString()}"` : '';
    void reply.header('x-amz-restore', `ongoing-request="${info.restore.ongoing}"${info.restore.ongoing ? '' : expiry}`);
  }
  const tagCount = Object.keys(info.tags).length;
  if (tagCount > 0) void reply.header('x-amz-tagging-count', String(tagCount));
}

/** S3's encoding-type=url: keys percent-encoded, slashes kept. */
export function encodeKey(key: string, encoding: string | null): string {
  return encoding === 'url' ? uriEncode(key).replace(/%2F/g, '/') : key;
}

export interface S3Context {
  request: FastifyRequest;
  reply: FastifyReply;
  location: S3Location;
  query: URLSearchParams;
  verified: VerifiedRequest;
  /** What the signing key may do; absent for an unlimited key (see src/storage/access.ts). */
  limits?: AccessLimits;
  /** The object bytes, decoded and checked as the signature says. */
  body(): Readable;
}

export function integerParam(query: URLSearchParams, name: string, min: number, max: number): number | undefined {
  const value = query.get(name);
  if (value === null) return undefined;
  const number = Number(value);
  if (!/^\d{1,10}$/.test(value) || number < min || number > max) throw new S3Error('InvalidArgument', `${name} must be an integer from ${min} to ${max}, not "${value}"`);
  return number;
}
