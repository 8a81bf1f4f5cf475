/*
 * The one place an S3 request meets its key's limits (src/storage/access.ts decides): what
 * the request reads or writes, from its method, path and sub-resource. DeleteObjects names
 * its keys in the body, so its handler checks each key, and ListBuckets shows only the
 * buckets the key may use.
 */
import type { FastifyRequest } from 'fastify';
import { refusal, type Access, type AccessLimits } from '../storage/access.js';
import { S3Error } from './errors.js';
import { parseCopySource } from './copy-source.js';
import { header, type S3Location } from './request.js';
import { namesBucketConfiguration } from './subresources.js';

export function authorize(limits: AccessLimits | undefined, request: FastifyRequest, location: S3Location, query: URLSearchParams): void {
  if (!limits || location.bucket === '') return;
  for (const access of accessesOf(request.method, location, query, request)) deny(limits, access);
}

export function deny(limits: AccessLimits | undefined, access: Access): void {
  const reason = refusal(limits, access);
  if (reason !== undefined) throw new S3Error('AccessDenied', `Access Denied: ${reason}`);
}

function accessesOf(method: string, location: S3Location, query: URLSearchParams, request: FastifyRequest): Access[] {
  const { bucket, key } = location;
  const reads = method === 'GET' || method === 'HEAD';
  if (key === '') {
    const listing = reads && (query.has('versions') || query.has('uploads') || !namesBucketConfiguration(query));
    if (listing) return [{ kind: 'list', bucket, prefix: query.get('prefix') ?? '' }];
    // DeleteObjects: each key is checked by the handler; the bucket must be one the key may use.
    if (method === 'POST' && query.has('delete')) return [{ kind: 'bucket', write: false, bucket }];
    return [{ kind: 'bucket', write: !reads, bucket }];
  }
  const accesses: Access[] = [{ kind: 'object', write: !reads, bucket, key }];
  const copySource = method === 'PUT' ? header(request, 'x-amz-copy-source') : undefined;
  if (copySource !== undefined) {
    const source = parseCopySource(copySource);
    accesses.push({ kind: 'object', write: false, bucket: source.bucket, key: source.key });
  }
  return accesses;
}

