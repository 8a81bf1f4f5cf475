/*
 * /api/v1/buckets and /api/v1/lifecycle: the object store as JSON, for the CLI and the console
 * (clients that speak S3 use /s3). Listing pages follow the rest of this API (limit,
 * nextToken); running the lifecycle sweep at a given time is how an operator, or a test, ages
 * objects on purpose (`skybatch lifecycle run --now 2027-06-01`).
 */
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { Platform } from '../../engine/types.js';
import { BadRequestError } from '../../errors.js';
import type { ObjectStore } from '../../storage/types.js';
import { detachedBody } from '../../util/request-body.js';
import { sendContent } from '../../util/send-content.js';
import { MAX_PAGE_SIZE, errorResponse, objectSchema, pageQuery } from '../schemas.js';

const tag = 'storage';
const openItem = { type: 'object', additionalProperties: true };

export function storageRoutes(app: FastifyInstance, platform: Platform): void {
  const storage = platform.storage;
  if (!storage) return;

  app.get('/api/v1/buckets', {
    config: { access: 'admin', doc: { operationId: 'listBuckets', summary: 'List buckets', tag } },
    schema: { response: { 200: objectSchema({ items: { type: 'array', items: openItem } }, ['items'], { additionalProperties: true }) } },
  }, async () => ({ items: await storage.listBuckets() }));

  app.get<{ Params: { bucket: string }; Querystring: { prefix?: string; delimiter?: string; limit?: number; nextToken?: string } }>(
    '/api/v1/buckets/:bucket/objects',
    {
      config: { access: 'admin', doc: { operationId: 'listObjects', summary: 'List the objects of a bucket, by prefix, a page at a time', tag } },
      schema: {
        querystring: objectSchema({ prefix: { type: 'string', maxLength: 1024 }, delimiter: { type: 'string', minLength: 1, maxLength: 16 }, ...pageQuery }),
        response: { 200: objectSchema({ items: { type: 'array', items: openItem }, commonPrefixes: { type: 'array', items: { type: 'string' } }, nextToken: { type: 'string' } }, ['items', 'commonPrefixes'], { additionalProperties: true }), 404: errorResponse('No such bucket') },
      },
    },
    async (request) => {
      const { prefix, delimiter, limit, nextToken } = request.query;
      const page = await storage.listObjects({
        bucket: request.params.bucket,
        maxKeys: Math.min(limit ?? MAX_PAGE_SIZE, MAX_PAGE_SIZE),
        ...(prefix === undefined ? {} : { prefix }),
        ...(delimiter === undefined ? {} : { delimiter }),
        ...(nextToken === undefined ? {} : { continuationToken: nextToken }),
      });
      return { items: page.objects, commonPrefixes: page.commonPrefixes, ...(page.nextContinuationToken === undefined ? {} : { nextToken: page.nextContinuationToken }) };
    },
  );

  objectRoutes(app, storage);

  app.get<{ Params: { bucket: string } }>(
    '/api/v1/buckets/:bucket/lifecycle',
    {
      config: { access: 'admin', doc: { operationId: 'getBucketLifecycle', summary: "A bucket's lifecycle rules", tag } },
      schema: { response: { 200: objectSchema({ rules: { type: 'array', items: openItem } }, ['rules']), 404: errorResponse('No such bucket, or no lifecycle configuration') } },
    },
    async (request) => ({ rules: await storage.getLifecycle(request.params.bucket) }),
  );

  app.post<{ Body: { now?: string } | undefined }>(
    '/api/v1/lifecycle/run',
    {
      config: { access: 'admin', doc: { operationId: 'runLifecycle', summary: 'Apply every bucket\'s lifecycle rules and finish due restores now, or as of a given time', tag } },
      schema: {
        body: objectSchema({ now: { type: 'string', minLength: 1, maxLength: 64, description: 'the time to evaluate the rules at (ISO 8601); default: now' } }),
        response: { 200: { type: 'object', additionalProperties: true } },
      },
    },
    async (request) => runLifecycle(storage, request.body?.now),
  );
}

/**
 * One object's bytes, streamed both ways, for jobs and functions (their tokens may use these
 * routes) and the CLI's `objects get/put`. The key is the rest of the path, slashes included.
 * The body parser is this scope's own: bodies pass through as streams, of any type and size.
 */
function objectRoutes(app: FastifyInstance, storage: ObjectStore): void {
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
    const params = objectSchema({ bucket: { type: 'string', minLength: 1, maxLength: 63 }, '*': { type: 'string', minLength: 1, maxLength: 1024, description: 'the object key; may contain /' } }, ['bucket', '*']);

    scope.get<{ Params: { bucket: string; '*': string } }>(
      '/api/v1/buckets/:bucket/objects/*',
      { config: { access: 'job', doc: { operationId: 'getObjectBody', summary: "An object's bytes", tag } }, schema: { params, response: { 404: errorResponse('No such bucket or key') } } },
      async (request, reply) => {
        const { info, body } = await storage.getObject(request.params.bucket, request.params['*']);
        void reply.header('content-type', info.contentType).header('content-length', String(info.size)).header('etag', info.etag);
        await sendContent(reply, body);
        return reply;
      },
    );

    scope.put<{ Params: { bucket: string; '*': string } }>(
      '/api/v1/buckets/:bucket/objects/*',
      {
        config: { access: 'job', doc: { operationId: 'putObjectBody', summary: 'Store the request body as an object (any content type)', tag } },
        schema: { params, response: { 200: { type: 'object', additionalProperties: true }, 404: errorResponse('No such bucket') } },
      },
      async (request) => {
        // Detached: the store destroys the body it is refused with, and the socket must outlive that to carry the error.
        const body = request.body instanceof Readable ? detachedBody(request.body) : Readable.from([]);
        const contentType = request.headers['content-type'];
        return storage.putObject({ bucket: request.params.bucket, key: request.params['*'], body, ...(contentType === undefined ? {} : { contentType }) });
      },
    );
  });
}

async function runLifecycle(storage: ObjectStore, at: string | undefined) {
  const now = at === undefined ? new Date() : new Date(at);
  if (Number.isNaN(now.getTime())) throw new BadRequestError(`now: "${at}" is not a date (use ISO 8601, e.g. 2027-06-01 or 2027-06-01T12:00:00Z)`);
  return { now: now.toISOString(), ...(await storage.runLifecycle(now)) };
}
