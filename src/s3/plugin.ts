/*
 * The S3-compatible API, path-style, mounted on the server under /s3 (`--endpoint-url
 * http://HOST:PORT/s3` for awscli and the SDK with forcePathStyle). It shares nothing with the
 * REST API's request handling: no bearer tokens (every request is SigV4-signed with an access
 * key), no JSON parsing (bodies stay raw streams, so uploads stream into the store), and
 * errors leave as S3's XML error bodies.
 *
 * S3 routes by method and query sub-resource (?uploads, ?lifecycle, ?uploadId=...), not by
 * path, so one wildcard route per level hands every request to dispatch().
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { discardUnreadBody } from '../util/request-body.js';
import type { AccessLimits } from '../storage/access.js';
import type { AccessKeys } from './access-keys.js';
import * as buckets from './buckets.js';
import type { Storage } from './buckets.js';
import { S3Error, toS3Error } from './errors.js';
import * as objects from './objects.js';
import { decodePayload } from './payload.js';
import { bodyStream, header, locate, queryOf, type S3Context, type S3Location } from './request.js';
import { authorize } from './authorize.js';
import { answerPreflight, grantCors } from './cors-responses.js';
import { isSigned, verifyRequest } from './sigv4.js';
import { UNSUPPORTED_BUCKET_SUBRESOURCES } from './subresources.js';
import { errorXml } from './xml.js';

export const S3_PREFIX = '/s3';

export interface S3ApiOptions {
  storage: Storage;
  accessKeys: AccessKeys;
  /** Mount point; '' when the API has a port of its own. */
  prefix?: string;
  /** The server's clock, for signature expiry and skew (injectable for tests). */
  now?: () => Date;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Not part of the REST API's OpenAPI document. */
    hidden?: boolean;
  }
}

const METHODS = ['GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'OPTIONS', 'PATCH'] as const;

export function s3Api(options: S3ApiOptions) {
  const prefix = options.prefix ?? S3_PREFIX;
  const now = options.now ?? (() => new Date());
  return async function s3Plugin(app: FastifyInstance): Promise<void> {
    // Bodies go to the handlers unread: object bytes stream into the store, XML is read small.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));

    app.addHook('onRequest', async (request, reply) => {
      void reply.header('x-amz-request-id', randomBytes(8).toString('hex').toUpperCase());
      // Fastify refuses a Content-Type it cannot parse (an empty one: 415, which became a 500
      // here); S3 stores any. The header is kept aside while Fastify picks a body parser (the
      // catch-all takes every body) and put back before the request is verified and handled.
      const contentType = request.headers['content-type'];
      if (contentType !== undefined) {
        setAside.set(request.raw, contentType);
        delete request.headers['content-type'];
      }
    });

    app.setErrorHandler((err: unknown, request: FastifyRequest, reply: FastifyReply) => {
      const error = toS3Error(err);
      const resource = safeResource(request.url, prefix);
      // The URL itself is not logged: a presigned one carries a signature that is as good as a password until it expires.
      if (error.status >= 500) request.log.error({ err, method: request.method, route: request.routeOptions.url, resource }, 'S3 request failed');
      const requestId = String(reply.getHeader('x-amz-request-id') ?? '');
      discardUnreadBody(request.raw);
      // A HEAD response has no body; S3 clients read the status alone.
      if (request.method === 'HEAD') return reply.code(error.status).send();
      return reply.code(error.status).header('content-type', 'application/xml').send(errorXml(error, resource, requestId));
    });

    const handler = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
      await dispatch(request, reply, options, prefix, now);
      return reply;
    };
    const config = { access: 'public' as const, hidden: true };
    for (const url of ['/', '/*']) app.route({ method: [...METHODS], url, config, exposeHeadRoute: false, handler });
  };
}

/** Content-Type headers kept away from Fastify's body parsing (see onRequest). */
const setAside = new WeakMap<object, string>();

async function dispatch(request: FastifyRequest, reply: FastifyReply, options: S3ApiOptions, prefix: string, now: () => Date): Promise<void> {
  const contentType = setAside.get(request.raw);
  if (contentType !== undefined) request.headers['content-type'] = contentType;
  const location = locate(request.url, prefix);
  const query = queryOf(request.url);
  // Browsers send preflights without credentials: they are answered from the bucket's CORS rules alone.
  if (request.method === 'OPTIONS') return answerPreflight(request, reply, options.storage, location);
  await grantCors(request, reply, options.storage, location);
  const signed = { method: request.method, url: request.url, headers: request.headers };
  if (!isSigned(signed)) throw new S3Error('AccessDenied', 'Anonymous access is not allowed: sign requests with a Skybatch access key (AWS Signature Version 4)');
  let limits: AccessLimits | undefined;
  const verified = await verifyRequest(
    signed,
    async (id) => {
      const key = await options.accessKeys.signingKey(id);
      limits = key?.limits;
      return key?.secret;
    },
    now(),
  );
  authorize(limits, request, location, query);
  let decoded: ReturnType<typeof decodePayload> | undefined;
  const raw = request.body;
  const ctx: S3Context = {
    request,
    reply,
    location,
    query,
    verified,
    ...(limits ? { limits } : {}),
    body: () => (decoded ??= raw === undefined || raw === null ? emptyBody() : decodePayload(bodyStream(request), verified)),
  };
  const store = options.storage;
  const method = request.method;
  if (location.bucket === '') {
    if (method === 'GET') return buckets.listBuckets(ctx, store);
    throw notAllowed(method, location);
  }
  if (location.key === '') return bucketOperation(ctx, store, method, query);
  return objectOperation(ctx, store, method, query);
}

function bucketOperation(ctx: S3Context, store: Storage, method: string, query: URLSearchParams): Promise<void> {
  if (query.has('cors')) {
    if (method === 'GET') return buckets.getCors(ctx, store);
    if (method === 'PUT') return buckets.putCors(ctx, store);
    if (method === 'DELETE') return buckets.deleteCors(ctx, store);
  } else if (query.has('lifecycle')) {
    if (method === 'GET') return buckets.getLifecycle(ctx, store);
    if (method === 'PUT') return buckets.putLifecycle(ctx, store);
    if (method === 'DELETE') return buckets.deleteLifecycle(ctx, store);
  } else if (query.has('notification')) {
    if (method === 'GET') return buckets.getNotification(ctx, store);
    if (method === 'PUT') return buckets.putNotification(ctx, store);
  } else if (query.has('location')) {
    if (method === 'GET') return buckets.getBucketLocation(ctx, store);
  } else if (query.has('uploads')) {
    if (method === 'GET') return buckets.listMultipartUploads(ctx, store);
  } else if (query.has('delete')) {
    if (method === 'POST') return buckets.deleteObjects(ctx, store);
  } else if (query.has('versioning')) {
    if (method === 'GET') return buckets.getBucketVersioning(ctx, store);
    if (method === 'PUT') throw new S3Error('NotImplemented', 'versioning cannot be enabled: this server keeps one version of each object');
  } else if (query.has('versions')) {
    if (method === 'GET') return buckets.listObjectVersions(ctx, store);
  } else if (UNSUPPORTED_BUCKET_SUBRESOURCES.some((name) => query.has(name))) {
    throw new S3Error('NotImplemented', `the bucket sub-resource ?${UNSUPPORTED_BUCKET_SUBRESOURCES.find((name) => query.has(name))} is not supported`);
  } else {
    if (method === 'GET') return buckets.listObjects(ctx, store);
    if (method === 'PUT') return buckets.createBucket(ctx, store);
    if (method === 'DELETE') return buckets.deleteBucket(ctx, store);
    if (method === 'HEAD') return buckets.headBucket(ctx, store);
  }
  throw notAllowed(method, ctx.location);
}


function objectOperation(ctx: S3Context, store: Storage, method: string, query: URLSearchParams): Promise<void> {
  // A bucket that never had versioning holds one version per key, whose id is "null".
  const versionId = query.get('versionId');
  if (versionId !== null && versionId !== 'null') throw new S3Error('InvalidArgument', 'Invalid version id specified');
  const uploadId = query.get('uploadId');
  if (uploadId !== null) {
    if (method === 'PUT') return objects.uploadPart(ctx, store, uploadId);
    if (method === 'POST') return objects.completeMultipartUpload(ctx, store, uploadId);
    if (method === 'DELETE') return objects.abortMultipartUpload(ctx, store, uploadId);
    if (method === 'GET') return objects.listParts(ctx, store, uploadId);
  } else if (query.has('uploads')) {
    if (method === 'POST') return objects.createMultipartUpload(ctx, store);
  } else if (query.has('restore')) {
    if (method === 'POST') return objects.restoreObject(ctx, store);
  } else if (['acl', 'tagging', 'retention', 'legal-hold', 'torrent', 'attributes'].some((name) => query.has(name))) {
    throw new S3Error('NotImplemented', 'this object sub-resource is not supported');
  } else {
    if (method === 'GET') return objects.getObject(ctx, store, false);
    if (method === 'HEAD') return objects.getObject(ctx, store, true);
    if (method === 'DELETE') return objects.deleteObject(ctx, store);
    if (method === 'PUT') {
      const copySource = header(ctx.request, 'x-amz-copy-source');
      return copySource === undefined ? objects.putObject(ctx, store) : objects.copyObject(ctx, store, copySource);
    }
  }
  throw notAllowed(method, ctx.location);
}

function notAllowed(method: string, location: S3Location): S3Error {
  return new S3Error('MethodNotAllowed', `The specified method (${method}) is not allowed against ${location.resource === '/' ? 'the service' : location.resource}.`);
}

function emptyBody() {
  return Readable.from([]);
}

function safeResource(url: string, prefix: string): string {
  try {
    return locate(url, prefix).resource;
  } catch {
    return url.split('?', 1)[0] ?? url;
  }
}
