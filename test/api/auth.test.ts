import type { HTTPMethods } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, passMachine, startApi, type Api } from './helpers.js';

let api: Api;

beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api.close();
});

/** Every admin route, each with a body it would accept from an admin. */
const adminRoutes: [HTTPMethods, string, unknown?][] = [
  ['POST', '/api/v1/state-machines', { name: 'sm', definition: passMachine }],
  ['GET', '/api/v1/state-machines'],
  ['GET', '/api/v1/state-machines/sm'],
  ['PUT', '/api/v1/state-machines/sm', { definition: passMachine }],
  ['DELETE', '/api/v1/state-machines/sm'],
  ['GET', '/api/v1/state-machines/sm/revisions'],
  ['POST', '/api/v1/executions', { stateMachine: 'sm' }],
  ['GET', '/api/v1/executions'],
  ['GET', '/api/v1/executions/e1'],
  ['GET', '/api/v1/executions/e1/history'],
  ['POST', '/api/v1/executions/e1/stop', {}],
  ['POST', '/api/v1/executions/e1/redrive'],
];

describe.each(adminRoutes)('%s %s', (method, url, body) => {
  it('answers 401 without a token', async () => {
    const res = await api.call(method, url, { body, token: null });
    expectError(res, 401, 'Unauthorized', /Authorization/);
    expect(res.headers['www-authenticate']).toBe('Bearer');
  });

  it('answers 401 with an unknown token', async () => {
    expectError(await api.call(method, url, { body, token: 'not-a-token' }), 401, 'Unauthorized', /unknown/);
  });

  it('answers 401 with another scheme', async () => {
    expectError(await api.call(method, url, { body, token: null, headers: { authorization: `Basic ${api.admin}` } }), 401, 'Unauthorized', /Bearer/);
  });

  it('answers 403 to a job-scoped token', async () => {
    expectError(await api.call(method, url, { body, token: api.job }), 403, 'Forbidden');
  });
});

describe('authentication', () => {
  it('lets an admin token through, whatever the case of "Bearer"', async () => {
    const res = await api.call('GET', '/api/v1/state-machines', { token: null, headers: { authorization: `bearer ${api.admin}` } });
    expect(res.statusCode).toBe(200);
  });

  it('checks the token before the request: an unauthenticated bad body is still 401', async () => {
    expectError(await api.call('POST', '/api/v1/state-machines', { body: '{oops', token: null }), 401, 'Unauthorized');
    expectError(await api.call('GET', '/api/v1/executions?limit=0', { token: api.job }), 403, 'Forbidden');
  });

  it('refuses an absurdly long token without looking it up', async () => {
    expectError(await api.call('GET', '/api/v1/executions', { token: 'x'.repeat(10_000) }), 401, 'Unauthorized');
  });

  it('serves health and the OpenAPI document without a token, even with a bad one', async () => {
    for (const url of ['/api/v1/health', '/api/v1/openapi.json']) {
      expect((await api.call('GET', url, { token: null })).statusCode).toBe(200);
      expect((await api.call('GET', url, { token: 'wrong' })).statusCode).toBe(200);
    }
  });

  it('answers an unknown route with 404 whether or not a token came', async () => {
    expectError(await api.call('GET', '/api/v1/nothing', { token: null }), 404, 'NotFound');
  });
});
