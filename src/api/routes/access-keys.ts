/*
 * /api/v1/access-keys: S3 access keys issued by this server. The secret is in the create
 * response only; listing shows ids, descriptions and dates.
 */
import type { FastifyInstance } from 'fastify';
import { ACCESS_KEY_ID_PATTERN, MAX_DESCRIPTION_LENGTH, type AccessKeys } from '../../s3/access-keys.js';
import type { AccessLimits } from '../../storage/access.js';
import { errorResponse, objectSchema, type Schema } from '../schemas.js';

const BASE = '/api/v1/access-keys';
const tag = 'access-keys';

const limits: Schema = {
  type: 'object',
  properties: {
    readOnly: { type: 'boolean', description: 'reads and listings only' },
    buckets: { type: 'array', items: { type: 'string', minLength: 3, maxLength: 63 }, maxItems: 100, description: 'only these buckets' },
    prefixes: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 1024 }, maxItems: 100, description: 'only keys under these prefixes, in the buckets named' },
  },
  additionalProperties: false,
  description: 'what the key may do; absent for an unlimited key',
};
const keyInfoProps: Record<string, Schema> = {
  accessKeyId: { type: 'string' },
  description: { type: 'string' },
  createdAt: { type: 'string', format: 'date-time' },
  limits,
};
const keyInfo: Schema = { type: 'object', properties: keyInfoProps, required: ['accessKeyId', 'createdAt'], additionalProperties: false, description: 'an access key, without its secret' };
const newKey: Schema = {
  type: 'object',
  properties: { ...keyInfoProps, secretAccessKey: { type: 'string', description: 'shown this once; the server never returns it again' } },
  required: ['accessKeyId', 'secretAccessKey', 'createdAt'],
  additionalProperties: false,
  description: 'the new key pair',
};
const idParams = objectSchema({ accessKeyId: { type: 'string', pattern: ACCESS_KEY_ID_PATTERN, description: 'the access key id' } }, ['accessKeyId']);

export function accessKeyRoutes(app: FastifyInstance, keys: AccessKeys): void {
  app.post<{ Body: { description?: string; limits?: AccessLimits } | undefined }>(
    BASE,
    {
      config: { doc: { operationId: 'createAccessKey', summary: 'Issue an S3 access key pair', tag } },
      schema: {
        body: objectSchema({ description: { type: 'string', maxLength: MAX_DESCRIPTION_LENGTH, description: 'what or who the key is for' }, limits }),
        response: { 201: newKey, 400: errorResponse('Invalid description or limits') },
      },
    },
    async (request, reply) => {
      const { description, limits: asked } = request.body ?? {};
      const key = await keys.create({ ...(description === undefined ? {} : { description }), ...(asked === undefined ? {} : { limits: asked }) });
      void reply.code(201);
      return key;
    },
  );

  app.get(
    BASE,
    {
      config: { doc: { operationId: 'listAccessKeys', summary: 'List S3 access keys (without secrets)', tag } },
      schema: { response: { 200: { type: 'object', properties: { items: { type: 'array', items: keyInfo } }, required: ['items'], additionalProperties: false } } },
    },
    async () => ({ items: await keys.list() }),
  );

  app.get<{ Params: { accessKeyId: string } }>(
    `${BASE}/:accessKeyId`,
    {
      config: { doc: { operationId: 'getAccessKey', summary: 'Describe an S3 access key and its limits (without the secret)', tag } },
      schema: { params: idParams, response: { 200: keyInfo, 404: errorResponse('No access key with this id') } },
    },
    async (request) => keys.get(request.params.accessKeyId),
  );

  app.delete<{ Params: { accessKeyId: string } }>(
    `${BASE}/:accessKeyId`,
    {
      config: { doc: { operationId: 'deleteAccessKey', summary: 'Delete an S3 access key: requests signed with it fail from then on', tag } },
      schema: { params: idParams, response: { 204: { type: 'null', description: 'Deleted' }, 404: errorResponse('No access key with this id') } },
    },
    async (request, reply) => {
      await keys.delete(request.params.accessKeyId);
      return reply.code(204).send();
    },
  );
}
