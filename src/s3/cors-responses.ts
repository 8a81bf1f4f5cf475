/*
 * CORS on the S3 API, as S3 answers it from a bucket's CORS rules: an unsigned preflight
 * OPTIONS gets the rule's permissions or 403, and a request from a page of another origin (a
 * browser uploading to a presigned URL) gets Access-Control-Allow-Origin and the headers its
 * script may read, errors included. Requests without Origin cost nothing: no rule is read.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { matchCors, type CorsRule } from '../storage/cors.js';
import { StorageError } from '../storage/types.js';
import type { Storage } from './buckets.js';
import { S3Error } from './errors.js';
import { header, type S3Location } from './request.js';

async function bucketRules(store: Storage, bucket: string): Promise<CorsRule[]> {
  try {
    return await store.getCors(bucket);
  } catch (err) {
    if (err instanceof StorageError && (err.code === 'NoSuchCORSConfiguration' || err.code === 'NoSuchBucket')) return [];
    throw err;
  }
}

const REFUSED =
  'CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource\'s CORS spec.';

export async function answerPreflight(request: FastifyRequest, reply: FastifyReply, store: Storage, location: S3Location): Promise<void> {
  const origin = header(request, 'origin');
  const method = header(request, 'access-control-request-method');
  if (origin === undefined) throw new S3Error('InvalidRequest', 'Insufficient information. Origin request header needed.');
  if (method === undefined) throw new S3Error('InvalidRequest', 'Invalid Access-Control-Request-Method: null');
  if (location.bucket === '') throw new S3Error('AccessDenied', REFUSED);
  const asked = (header(request, 'access-control-request-headers') ?? '')
    .split(',')
    .map((h) => h.trim())
    .filter((h) => h !== '');
  const rule = matchCors(await bucketRules(store, location.bucket), origin, method, asked);
  if (!rule) throw new S3Error('AccessDenied', REFUSED);
  void reply
    .header('access-control-allow-origin', rule.allowedOrigins.includes('*') ? '*' : origin)
    .header('access-control-allow-methods', rule.allowedMethods.join(', '))
    .header('vary', 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method');
  if (asked.length > 0) void reply.header('access-control-allow-headers', asked.join(', '));
  if (rule.exposeHeaders.length > 0) void reply.header('access-control-expose-headers', rule.exposeHeaders.join(', '));
  if (rule.maxAgeSeconds !== undefined) void reply.header('access-control-max-age', String(rule.maxAgeSeconds));
  void reply.code(200).send();
}

/** For a request that names an Origin: the headers a matching rule grants, set before the answer (or the error) is sent. */
export async function grantCors(request: FastifyRequest, reply: FastifyReply, store: Storage, location: S3Location): Promise<void> {
  const origin = header(request, 'origin');
  if (origin === undefined || location.bucket === '') return;
  const rule = matchCors(await bucketRules(store, location.bucket), origin, request.method);
  if (!rule) return;
  void reply.header('access-control-allow-origin', rule.allowedOrigins.includes('*') ? '*' : origin).header('vary', 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method');
  void reply.header('access-control-allow-methods', rule.allowedMethods.join(', '));
  if (rule.exposeHeaders.length > 0) void reply.header('access-control-expose-headers', rule.exposeHeaders.join(', '));
}
