/*
 * What an S3 request addresses and carries, read from the raw URL and headers. Path-style only:
 * `/s3/BUCKET/KEY?subresource`. The key is taken from the raw path and decoded once, so keys
 * holding `%2F`, `+` or `?` arrive exactly as the client meant them.
 */
import type { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ObjectInfo, StorageClass } from '../storage/types.js';
import { S3Error } from './errors.js';
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
    if (name.startsWith('x-amz-meta-') && value !== undefined) metadata[name.slice('x-amz-meta-'.length)] = Array.isArray(value) ? value.join(',') : value;
  }
  return metadata;
}

export function storageClassHeader(request: FastifyRequest): StorageClass | undefined {
  const value = header(request, 'x-amz-storage-class');
  if (value === undefined) return undefined;
  if (!(STORAGE_CLASSES as readonly string[]).includes(value)) throw new S3Error('InvalidArgument', `x-amz-storage-class must be one of ${STORAGE_CLASSES.join(', ')}, not "${value}"`);
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

/** A small XML request body (configurations, key lists), bounded. */
export async function readXmlBody(body: Readable): Promise<Record<string, XmlNode | undefined>> {
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
  return parseXml(Buffer.concat(chunks).toString('utf8'));
}

export async function drain(body: Readable): Promise<void> {
  for await (const _chunk of body) {
    // Discarded: the operation takes no body, but the signature check must still see it end.
  }
}

export function sendXml(reply: FastifyReply, status: number, root: Record<string, unknown>): FastifyReply {
  return reply.code(status).header('content-type', 'application/xml').send(xmlDocument(root));
}

/** Headers describing an object, for GetObject and HeadObject. */
export function objectHeaders(reply: FastifyReply, info: ObjectInfo): void {
  void reply.header('etag', info.etag).header('last-modified', new Date(info.lastModified).toUTCString()).header('content-type', info.contentType).header('accept-ranges', 'bytes');
  for (const [name, value] of Object.entries(info.metadata)) void reply.header(`x-amz-meta-${name}`, value);
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
