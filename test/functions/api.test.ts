/*
 * /api/v1/functions through fastify's inject on a real platform: the contract of each route,
 * Lambda's way of answering a function error (200 + X-Amz-Function-Error), and bad input.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, startApi, type Api } from '../api/helpers.js';
import { code } from './helpers.js';

const BASE = '/api/v1/functions';
let api: Api;

beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api.close();
});

describe('publish, list, describe', () => {
  it('publishes (201) and answers an unchanged publish with 200', async () => {
    const body = { name: 'adder', code: code.sync, timeoutSeconds: 10, memoryMiB: 256, description: 'adds' };
    const created = await api.call('POST', BASE, { body });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ name: 'adder', version: '1', functionArn: 'arn:aws:lambda:local:000000000000:function:adder:1', timeoutSeconds: 10, memoryMiB: 256, description: 'adds', handler: 'handler', runtime: 'nodejs20.x' });
    const same = await api.call('POST', BASE, { body });
    expect([same.statusCode, same.json<{ version: string }>().version]).toEqual([200, '1']);
    const next = await api.call('POST', BASE, { body: { name: 'adder', code: code.version(2) } });
    expect([next.statusCode, next.json<{ version: string }>().version]).toEqual([201, '2']);
  });

  it('lists and describes, by qualifier too', async () => {
    const list = await api.call('GET', `${BASE}?limit=10`);
    expect(list.statusCode).toBe(200);
    expect(list.json()).toEqual({ items: [expect.objectContaining({ name: 'adder', latestVersion: '2', functionArn: 'arn:aws:lambda:local:000000000000:function:adder' })] });
    const latest = await api.call('GET', `${BASE}/adder`);
    expect(latest.json()).toMatchObject({ version: '2', latestVersion: '2', code: code.version(2), versions: [{ version: '1' }, { version: '2' }], aliases: [] });
    expect((await api.call('GET', `${BASE}/adder?qualifier=1`)).json()).toMatchObject({ version: '1', code: code.sync });
    expect((await api.call('GET', `${BASE}/${encodeURIComponent('arn:aws:lambda:us-east-1:123456789012:function:adder:1')}`)).json()).toMatchObject({ version: '1' });
    expectError(await api.call('GET', `${BASE}/nobody`), 404, 'NotFound', /function "nobody" does not exist/);
    expectError(await api.call('GET', `${BASE}/adder?qualifier=9`), 404, 'NotFound', /no version 9/);
  });

  it.each([
    [{ code: code.sync }, 'ValidationError', /body.name is required/],
    [{ name: 'bad name', code: code.sync }, 'ValidationError', /body.name may contain only/],
    [{ name: 'x'.repeat(65), code: code.sync }, 'ValidationError', /body.name/],
    [{ name: 'f' }, 'ValidationError', /body.code is required/],
    [{ name: 'f', code: code.sync, memoryMiB: 32 }, 'ValidationError', /body.memoryMiB/],
    [{ name: 'f', code: code.sync, timeoutSeconds: '3' }, 'ValidationError', /body.timeoutSeconds must be integer/],
    [{ name: 'f', code: code.sync, runtime: 'python3.12' }, 'ValidationError', /body.runtime must be one of nodejs20.x/],
    [{ name: 'f', code: code.sync, handlr: 'x' }, 'ValidationError', /body.handlr is not a known field/],
    [{ name: 'f', code: code.sync, handler: 'main' }, 'BadRequest', /does not export "main"/],
    [{ name: 'f', code: 'export const handler = (;' }, 'BadRequest', /does not compile/],
  ])('refuses a bad publish %#', async (body, errorCode, message) => {
    expectError(await api.call('POST', BASE, { body }), 400, errorCode, message);
  });

  it('reports compile problems as lines in details', async () => {
    const error = expectError(await api.call('POST', BASE, { body: { name: 'f', code: 'export const handler = () => {\n  return 1 +;\n};' } }), 400, 'BadRequest');
    expect(error.details).toEqual({ problems: ['index:2:13: Unexpected ";"'] });
  });

  it('needs an admin token', async () => {
    expectError(await api.call('GET', BASE, { token: null }), 401, 'Unauthorized');
    expectError(await api.call('POST', `${BASE}/adder/invoke`, { token: api.job, body: {} }), 403, 'Forbidden');
  });
});

describe('invoke', () => {
  it('answers 200 with the payload, and takes a qualifier', async () => {
    await api.call('POST', BASE, { body: { name: 'echo', code: 'export const handler = (event) => event;' } });
    const res = await api.call('POST', `${BASE}/echo/invoke`, { body: { hello: ['world'] } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ payload: { hello: ['world'] } });
    expect(res.headers['x-amz-executed-version']).toBe('1');
    expect(res.headers['x-amz-function-error']).toBeUndefined();
    expect((await api.call('POST', `${BASE}/adder/invoke?qualifier=1`, { body: { a: 1, b: 2 } })).json()).toEqual({ payload: 3 });
  });

  it('passes any JSON as the event, and no body as {}', async () => {
    expect((await api.call('POST', `${BASE}/echo/invoke`, { body: '"text"' })).json()).toEqual({ payload: 'text' });
    expect((await api.call('POST', `${BASE}/echo/invoke`, { body: '[1,2]' })).json()).toEqual({ payload: [1, 2] });
    expect((await api.call('POST', `${BASE}/echo/invoke`, { body: 'null' })).json()).toEqual({ payload: null });
    expect((await api.call('POST', `${BASE}/echo/invoke`)).json()).toEqual({ payload: {} });
  });

  it('answers a function error with 200, the error and X-Amz-Function-Error: Unhandled', async () => {
    await api.call('POST', BASE, { body: { name: 'fails', code: code.custom } });
    const res = await api.call('POST', `${BASE}/fails/invoke`, { body: {} });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-amz-function-error']).toBe('Unhandled');
    expect(res.json()).toEqual({ error: { errorType: 'MyError', errorMessage: 'custom failure', trace: expect.arrayContaining(['MyError: custom failure']) } });
  });

  it('answers 404 for an unknown function or qualifier, 400 for bad JSON', async () => {
    expectError(await api.call('POST', `${BASE}/nobody/invoke`, { body: {} }), 404, 'NotFound');
    expectError(await api.call('POST', `${BASE}/echo/invoke?qualifier=prod`, { body: {} }), 404, 'NotFound', /no alias "prod"/);
    expectError(await api.call('POST', `${BASE}/echo/invoke`, { body: '{"a":' }), 400, 'BadRequest', /not valid JSON/);
    expectError(await api.call('POST', `${BASE}/echo:1/invoke?qualifier=2`, { body: {} }), 400, 'BadRequest', /names qualifier "1"/);
  });
});

describe('aliases and delete', () => {
  it('creates (201), moves (200) and deletes (204) an alias', async () => {
    const created = await api.call('PUT', `${BASE}/adder/aliases/prod`, { body: { version: 1 } });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ name: 'prod', functionVersion: '1', aliasArn: 'arn:aws:lambda:local:000000000000:function:adder:prod' });
    expect((await api.call('POST', `${BASE}/adder/invoke?qualifier=prod`, { body: { a: 2, b: 2 } })).json()).toEqual({ payload: 4 });
    const moved = await api.call('PUT', `${BASE}/adder/aliases/prod`, { body: { version: '2' } });
    expect([moved.statusCode, moved.json<{ functionVersion: string }>().functionVersion]).toEqual([200, '2']);
    expect((await api.call('DELETE', `${BASE}/adder/aliases/prod`)).statusCode).toBe(204);
    expectError(await api.call('DELETE', `${BASE}/adder/aliases/prod`), 404, 'NotFound');
  });

  it('refuses aliases to missing versions, bad names and bad bodies', async () => {
    expectError(await api.call('PUT', `${BASE}/adder/aliases/prod`, { body: { version: 9 } }), 404, 'NotFound', /no version 9/);
    expectError(await api.call('PUT', `${BASE}/nobody/aliases/prod`, { body: { version: 1 } }), 404, 'NotFound');
    expectError(await api.call('PUT', `${BASE}/adder/aliases/123`, { body: { version: 1 } }), 400, 'BadRequest', /not only digits/);
    expectError(await api.call('PUT', `${BASE}/adder/aliases/prod`, { body: { version: 'latest' } }), 400, 'BadRequest', /published version number/);
    expectError(await api.call('PUT', `${BASE}/adder/aliases/prod`, { body: {} }), 400, 'ValidationError', /body.version is required/);
  });

  it('deletes a function (204), then it is gone (404)', async () => {
    expect((await api.call('DELETE', `${BASE}/adder`)).statusCode).toBe(204);
    expectError(await api.call('DELETE', `${BASE}/adder`), 404, 'NotFound');
    expectError(await api.call('POST', `${BASE}/adder/invoke`, { body: {} }), 404, 'NotFound');
  });
});
