import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type Api } from './helpers.js';

let api: Api;

beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api.close();
});

describe('GET /api/v1/health', () => {
  it('reports the store and version', async () => {
    const res = await api.call('GET', '/api/v1/health', { token: null });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(await api.platform.health());
    expect(res.json()).toMatchObject({ status: 'ok', store: 'sqlite', version: expect.any(String) });
  });

  it('answers HEAD as well', async () => {
    expect((await api.call('HEAD', '/api/v1/health', { token: null })).statusCode).toBe(200);
  });
});

interface Operation {
  operationId: string;
  security?: unknown[];
  parameters: { name: string; in: string; required: boolean; schema: Record<string, unknown> }[];
  requestBody?: { required: boolean; content: Record<string, { schema: { properties?: Record<string, unknown>; required?: string[] } }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: unknown }> }>;
}

describe('GET /api/v1/openapi.json', () => {
  let doc: { openapi: string; info: { version: string }; paths: Record<string, Record<string, Operation>>; components: { securitySchemes: Record<string, unknown> } };
  const op = (path: string, method: string): Operation => {
    const found = doc.paths[path]?.[method];
    if (!found) throw new Error(`${method} ${path} is not documented`);
    return found;
  };

  beforeAll(async () => {
    const res = await api.call('GET', '/api/v1/openapi.json', { token: null });
    expect(res.statusCode).toBe(200);
    doc = res.json() as typeof doc;
  });

  it('is an OpenAPI 3.1 document with bearer authentication', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.version).toBe('0.1.0');
    expect(doc.components.securitySchemes).toEqual({ bearerAuth: { type: 'http', scheme: 'bearer' } });
  });

  it('describes every route, each with a unique operationId', () => {
    const routes = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    expect(routes.sort()).toEqual(
      [
        'DELETE /api/v1/access-keys/{accessKeyId}',
        'DELETE /api/v1/compute-environments/{name}',
        'DELETE /api/v1/functions/{name}',
        'DELETE /api/v1/functions/{name}/aliases/{alias}',
        'DELETE /api/v1/job-definitions/{name}',
        'DELETE /api/v1/job-queues/{name}',
        'DELETE /api/v1/state-machines/{name}',
        'GET /api/v1/access-keys',
        'GET /api/v1/access-keys/{accessKeyId}',
        'GET /api/v1/compute-environments',
        'GET /api/v1/compute-environments/{name}',
        'GET /api/v1/executions',
        'GET /api/v1/executions/{id}',
        'GET /api/v1/executions/{id}/history',
        'GET /api/v1/functions',
        'GET /api/v1/functions/{name}',
        'GET /api/v1/health',
        'GET /api/v1/job-definitions',
        'GET /api/v1/job-definitions/{name}',
        'GET /api/v1/job-queues',
        'GET /api/v1/job-queues/{name}',
        'GET /api/v1/jobs',
        'GET /api/v1/jobs/{id}',
        'GET /api/v1/jobs/{id}/logs',
        'GET /api/v1/openapi.json',
        'GET /api/v1/state-machines',
        'GET /api/v1/state-machines/{name}',
        'GET /api/v1/state-machines/{name}/revisions',
        'POST /api/v1/access-keys',
        'POST /api/v1/compute-environments',
        'POST /api/v1/executions',
        'POST /api/v1/executions/{id}/redrive',
        'POST /api/v1/executions/{id}/stop',
        'POST /api/v1/functions',
        'POST /api/v1/functions/{name}/invoke',
        'POST /api/v1/job-definitions',
        'POST /api/v1/job-queues',
        'POST /api/v1/jobs',
        'POST /api/v1/jobs/{id}/cancel',
        'POST /api/v1/jobs/{id}/progress',
        'POST /api/v1/jobs/{id}/terminate',
        'POST /api/v1/state-machines',
        'POST /api/v1/task-tokens/failure',
        'POST /api/v1/task-tokens/heartbeat',
        'POST /api/v1/task-tokens/success',
        'PUT /api/v1/compute-environments/{name}',
        'PUT /api/v1/functions/{name}/aliases/{alias}',
        'PUT /api/v1/job-queues/{name}',
        'PUT /api/v1/state-machines/{name}',
        'DELETE /api/v1/subscriptions/{id}',
        'DELETE /api/v1/topics/{topic}',
        'GET /api/v1/deliveries',
        'GET /api/v1/messages',
        'GET /api/v1/subscriptions',
        'GET /api/v1/topics',
        'GET /api/v1/topics/{topic}',
        'POST /api/v1/topics',
        'POST /api/v1/topics/{topic}/publish',
        'POST /api/v1/topics/{topic}/subscriptions',
        'GET /api/v1/buckets',
        'GET /api/v1/buckets/{bucket}/objects',
        'GET /api/v1/buckets/{bucket}/lifecycle',
        'POST /api/v1/lifecycle/run',
        'GET /api/v1/buckets/{bucket}/objects/{key}',
        'PUT /api/v1/buckets/{bucket}/objects/{key}',
        'GET /api/v1/stacks',
        'GET /api/v1/stacks/{name}',
        'POST /api/v1/stacks/{name}/plan',
        'POST /api/v1/stacks/{name}/apply',
        'DELETE /api/v1/stacks/{name}',
        'GET /api/v1/forms',
        'GET /api/v1/forms/{name}',
        'POST /api/v1/forms/{name}/submit',
        'POST /api/v1/session',
        'GET /api/v1/session',
        'DELETE /api/v1/session',
        'GET /api/v1/events',
        'GET /api/v1/overview',
        'GET /api/v1/executions/{id}/jobs',
      ].sort(),
    );
    const ids = Object.values(doc.paths).flatMap((ops) => Object.values(ops).map((o) => o.operationId));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('documents parameters from the route schemas', () => {
    expect(op('/api/v1/state-machines/{name}', 'get').parameters).toEqual([
      expect.objectContaining({ name: 'name', in: 'path', required: true, schema: expect.objectContaining({ maxLength: 80 }) }),
      expect.objectContaining({ name: 'revision', in: 'query', required: false, schema: expect.objectContaining({ type: 'integer', minimum: 1 }) }),
    ]);
    const history = op('/api/v1/executions/{id}/history', 'get').parameters.map((p) => p.name);
    expect(history).toEqual(['id', 'limit', 'nextToken', 'reverse']);
  });

  it('documents request bodies, optional where the route allows none', () => {
    const create = op('/api/v1/state-machines', 'post').requestBody;
    expect(create?.required).toBe(true);
    expect(create?.content['application/json']?.schema.required).toEqual(['name', 'definition']);
    expect(op('/api/v1/executions/{id}/stop', 'post').requestBody?.required).toBe(false);
    expect(op('/api/v1/executions/{id}/redrive', 'post').requestBody).toBeUndefined();
  });

  it('documents responses, errors included', () => {
    expect(Object.keys(op('/api/v1/executions', 'post').responses).sort()).toEqual(['200', '201', '400', '401', '403', '404', '413']);
    expect(Object.keys(op('/api/v1/state-machines', 'post').responses).sort()).toEqual(['201', '400', '401', '403', '409']);
    expect(op('/api/v1/state-machines/{name}', 'delete').responses['204']?.content).toBeUndefined();
    expect(op('/api/v1/executions/{id}', 'get').responses['404']?.content?.['application/json']?.schema).toMatchObject({ required: ['error'] });
  });

  it('marks health and the document itself public', () => {
    expect(op('/api/v1/health', 'get').security).toEqual([]);
    expect(op('/api/v1/health', 'get').responses['401']).toBeUndefined();
    expect(op('/api/v1/executions', 'get').security).toBeUndefined();
  });
});
