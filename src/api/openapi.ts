/*
 * The OpenAPI 3.1 document, built from the routes as registered (their schemas and config),
 * so that the document cannot drift from what the server validates and returns.
 */
import type { FastifyInstance } from 'fastify';
import type { RouteEntry, RouteTable } from './route-table.js';
import { errorResponse, type Schema } from './schemas.js';

export interface RouteDoc {
  operationId: string;
  summary: string;
  tag: string;
  description?: string;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    doc?: RouteDoc;
  }
}

interface RouteSchema {
  params?: Schema;
  querystring?: Schema;
  body?: Schema;
  response?: Record<string, Schema>;
}

const STATUS_TEXT: Record<string, string> = {
  200: 'OK',
  201: 'Created',
  204: 'No content',
  400: 'The request is invalid: malformed JSON, a missing or mistyped field, an invalid definition',
  401: 'No valid access token',
  403: 'The token may not use this route',
};

export function openApiRoutes(app: FastifyInstance, routes: RouteTable, version: () => Promise<string>): void {
  let document: object | undefined;
  app.get(
    '/api/v1/openapi.json',
    {
      config: { access: 'public', doc: { operationId: 'getOpenApi', summary: 'This OpenAPI document', tag: 'server' } },
      schema: { response: { 200: { type: 'object', additionalProperties: true, description: 'an OpenAPI 3.1 document' } } },
    },
    async () => (document ??= buildDocument(routes.routes, await version())),
  );
}

export function buildDocument(routes: RouteEntry[], version: string): object {
  const paths: Record<string, Record<string, object>> = {};
  for (const route of routes) {
    // A trailing wildcard is an object key: OpenAPI has no such parameter, so it is {key}, slashes and all.
    const path = route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}').replace(/\/\*$/, '/{key}');
    (paths[path] ??= {})[route.method.toLowerCase()] = operation(route);
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Skybatch REST API', version, description: 'State machines and executions of a Skybatch server. Errors are `{"error": {"code", "message", "details"?}}`.' },
    paths,
    components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } },
    security: [{ bearerAuth: [] }],
  };
}

function operation(route: RouteEntry): object {
  const schema = (route.schema ?? {}) as RouteSchema;
  const doc = route.config?.doc;
  const isPublic = route.config?.access === 'public';
  const responses: Record<string, object> = {};
  for (const [status, body] of Object.entries(schema.response ?? {})) responses[status] = response(status, body);
  // These come from the server's plumbing rather than from one route, so they are added here.
  if (schema.params || schema.querystring || schema.body) responses['400'] ??= response('400', errorResponse(STATUS_TEXT['400'] ?? ''));
  if (!isPublic) {
    responses['401'] = response('401', errorResponse(STATUS_TEXT['401'] ?? ''));
    responses['403'] = response('403', errorResponse(STATUS_TEXT['403'] ?? ''));
  }
  return {
    ...(doc ? { operationId: doc.operationId, summary: doc.summary, tags: [doc.tag] } : {}),
    ...(doc?.description ? { description: doc.description } : {}),
    ...(isPublic ? { security: [] } : {}),
    parameters: [...parameters(schema.params, 'path'), ...parameters(schema.querystring, 'query')],
    ...(schema.body ? { requestBody: requestBody(schema.body) } : {}),
    responses,
  };
}

function parameters(schema: Schema | undefined, where: 'path' | 'query'): object[] {
  const properties = (schema?.properties ?? {}) as Record<string, Schema>;
  const required = new Set((schema?.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...rest } = property;
    const shown = name === '*' ? 'key' : name;
    return { name: shown, in: where, required: where === 'path' || required.has(name), ...(description ? { description } : {}), schema: rest };
  });
}

function requestBody(schema: Schema): object {
  // A body that may be null is one the client may leave out.
  const optional = Array.isArray(schema.type) && schema.type.includes('null');
  return { required: !optional, content: { 'application/json': { schema } } };
}

function response(status: string, body: Schema): object {
  const description = (typeof body.description === 'string' ? body.description : undefined) ?? STATUS_TEXT[status] ?? `HTTP ${status}`;
  if (status === '204') return { description };
  return { description, content: { 'application/json': { schema: body } } };
}
