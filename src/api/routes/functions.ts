/*
 * /api/v1/functions: publish (a new version), list, describe, delete, invoke, aliases.
 * `:name` is a function name or ARN (URL-encoded). Invoke answers as Lambda's Invoke does:
 * a function error is a 200 whose body is the error, marked by X-Amz-Function-Error.
 */
import type { FastifyInstance } from 'fastify';
import type { Json } from '../../asl/types.js';
import type { Platform } from '../../engine/types.js';
import type { FunctionsService } from '../../functions/types.js';
import { errorResponse, objectSchema, page, pageQuery, resourceName, type Schema } from '../schemas.js';

const BASE = '/api/v1/functions';
const tag = 'functions';

const text: Schema = { type: 'string' };
const integer: Schema = { type: 'integer' };
const timestamp: Schema = { type: 'string', format: 'date-time' };

function open(properties: Record<string, Schema>, description: string, required = Object.keys(properties)): Schema {
  return { type: 'object', properties, required, additionalProperties: true, description };
}

const configProps = { name: text, functionArn: text, handler: text, runtime: text, timeoutSeconds: integer, memoryMiB: integer, description: text };
const versionInfo = open({ ...configProps, version: text, codeSha256: text, createdAt: timestamp }, 'a function version');
const aliasInfo = open({ name: text, aliasArn: text, functionName: text, functionVersion: text, createdAt: timestamp, updatedAt: timestamp }, 'an alias');
const functionSummary = open({ ...configProps, latestVersion: text, lastModified: timestamp }, 'a function, configured as its latest version');
const functionInfo = open(
  {
    ...configProps,
    version: text,
    latestVersion: text,
    codeSha256: text,
    createdAt: timestamp,
    code: { type: 'string', description: 'the source as published' },
    versions: { type: 'array', items: open({ version: text, description: text, createdAt: timestamp }, 'a version') },
    aliases: { type: 'array', items: aliasInfo },
  },
  'a function version with its source, every version and the aliases',
);
const functionError = open({ errorType: text, errorMessage: text, trace: { type: 'array', items: text } }, 'the error, as Lambda reports it', ['errorType', 'errorMessage']);
const invokeResult: Schema = {
  ...open({ payload: { description: 'what the handler returned' }, error: functionError }, 'the result, or the function error (with X-Amz-Function-Error: Unhandled)', []),
};

const functionName: Schema = { ...resourceName('1-64 letters, digits, - or _'), maxLength: 64 };
const nameParams = objectSchema({ name: { type: 'string', minLength: 1, maxLength: 256, description: 'the function name or ARN' } }, ['name']);
const aliasParams = objectSchema({ name: functionName, alias: { ...resourceName('1-128 letters, digits, - or _, not only digits'), maxLength: 128 } }, ['name', 'alias']);
const qualifierQuery = objectSchema({ qualifier: { type: 'string', minLength: 1, maxLength: 128, description: 'a version, an alias or $LATEST (the default)' } });
const notFound = errorResponse('No such function, version or alias');

interface PublishBody {
  name: string;
  code: string;
  handler?: string;
  runtime?: 'nodejs20.x';
  timeoutSeconds?: number;
  memoryMiB?: number;
  description?: string;
}

/** Registers nothing when the platform runs no functions. */
export function functionRoutes(app: FastifyInstance, platform: Platform): void {
  const functions = platform.functions;
  if (functions) routes(app, functions);
}

function routes(app: FastifyInstance, functions: FunctionsService): void {
  app.post<{ Body: PublishBody }>(
    BASE,
    {
      config: { doc: { operationId: 'publishFunction', summary: 'Publish a function version', description: 'Creates the function or its next version; code and configuration equal to the latest version return it with 200.', tag } },
      schema: {
        body: objectSchema(
          {
            name: functionName,
            code: { type: 'string', minLength: 1, description: 'source of an ES module, JavaScript or TypeScript' },
            handler: { type: 'string', minLength: 1, maxLength: 128, description: 'the export to call (default "handler")' },
            runtime: { type: 'string', enum: ['nodejs20.x'] },
            timeoutSeconds: { type: 'integer', minimum: 1, maximum: 900, description: 'default 3' },
            memoryMiB: { type: 'integer', minimum: 64, maximum: 10240, description: 'heap limit of the worker; default 128' },
            description: { type: 'string', maxLength: 256 },
          },
          ['name', 'code'],
        ),
        response: { 200: { ...versionInfo, description: 'Nothing changed: the latest version' }, 201: { ...versionInfo, description: 'Published' } },
      },
    },
    async (request, reply) => {
      const { info, created } = await functions.publish(request.body);
      void reply.code(created ? 201 : 200);
      return info;
    },
  );

  app.get<{ Querystring: { limit?: number; nextToken?: string } }>(
    BASE,
    {
      config: { doc: { operationId: 'listFunctions', summary: 'List functions', tag } },
      schema: { querystring: objectSchema(pageQuery), response: { 200: page(functionSummary, 'a page of functions') } },
    },
    async (request) => functions.list(request.query),
  );

  app.get<{ Params: { name: string }; Querystring: { qualifier?: string } }>(
    `${BASE}/:name`,
    {
      config: { doc: { operationId: 'describeFunction', summary: 'Describe a function version (default $LATEST) with its source', tag } },
      schema: { params: nameParams, querystring: qualifierQuery, response: { 200: functionInfo, 404: notFound } },
    },
    async (request) => functions.describe(request.params.name, request.query.qualifier),
  );

  app.delete<{ Params: { name: string } }>(
    `${BASE}/:name`,
    {
      config: { doc: { operationId: 'deleteFunction', summary: 'Delete a function with its versions and aliases', tag } },
      schema: { params: nameParams, response: { 204: { type: 'null', description: 'Deleted' }, 404: notFound } },
    },
    async (request, reply) => {
      await functions.delete(request.params.name);
      return reply.code(204).send();
    },
  );

  app.post<{ Params: { name: string }; Querystring: { qualifier?: string }; Body: Json | undefined }>(
    `${BASE}/:name/invoke`,
    {
      config: { doc: { operationId: 'invokeFunction', summary: 'Invoke a function and wait for its result', tag } },
      schema: {
        params: nameParams,
        querystring: qualifierQuery,
        body: { type: ['object', 'array', 'string', 'number', 'boolean', 'null'], description: 'the event, any JSON; no body is {}' },
        response: { 200: invokeResult, 404: notFound, 413: errorResponse('The payload is larger than 6 MiB') },
      },
    },
    async (request, reply) => {
      // As Lambda, a client that hangs up does not stop the function.
      const qualifier = request.query.qualifier;
      const result = await functions.invoke(request.params.name, request.body === undefined ? {} : request.body, qualifier === undefined ? {} : { qualifier });
      void reply.header('x-amz-executed-version', result.executedVersion).header('x-amzn-requestid', result.requestId);
      if ('error' in result) {
        void reply.header('x-amz-function-error', 'Unhandled');
        return { error: result.error };
      }
      return { payload: result.payload };
    },
  );

  app.put<{ Params: { name: string; alias: string }; Body: { version: string | number } }>(
    `${BASE}/:name/aliases/:alias`,
    {
      config: { doc: { operationId: 'putFunctionAlias', summary: 'Create or move an alias to a version', tag } },
      schema: {
        params: aliasParams,
        body: objectSchema({ version: { type: ['string', 'integer'], minLength: 1, minimum: 1, description: 'a published version number' } }, ['version']),
        response: { 200: { ...aliasInfo, description: 'Moved' }, 201: { ...aliasInfo, description: 'Created' }, 404: notFound },
      },
    },
    async (request, reply) => {
      const { alias, created } = await functions.putAlias(request.params.name, request.params.alias, request.body.version);
      void reply.code(created ? 201 : 200);
      return alias;
    },
  );

  app.delete<{ Params: { name: string; alias: string } }>(
    `${BASE}/:name/aliases/:alias`,
    {
      config: { doc: { operationId: 'deleteFunctionAlias', summary: 'Delete an alias', tag } },
      schema: { params: aliasParams, response: { 204: { type: 'null', description: 'Deleted' }, 404: notFound } },
    },
    async (request, reply) => {
      await functions.deleteAlias(request.params.name, request.params.alias);
      return reply.code(204).send();
    },
  );
}

