import { rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toApiError } from '../../src/api/errors.js';
import { ConflictError, InvalidDefinitionError, SkybatchError } from '../../src/errors.js';
import { MAX_JSON_DEPTH } from '../../src/util/json-limits.js';
import { expectError, passMachine, startApi, type Api } from './helpers.js';

let api: Api;

/** A POST of raw bytes, which `api.call` (strings and values) cannot send. */
function rawPost(url: string, payload: Buffer) {
  return api.app.inject({ method: 'POST', url, payload, headers: { authorization: `Bearer ${api.admin}`, 'content-type': 'application/json' } });
}

beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api.close();
});

describe('fastify errors in the API error shape', () => {
  it('answers an unknown route with 404', async () => {
    expectError(await api.call('GET', '/api/v1/nothing'), 404, 'NotFound', /GET \/api\/v1\/nothing/);
    // `/` is the console's page; any other path outside the API and the console's is not found.
    expectError(await api.call('GET', '/nothing'), 404, 'NotFound');
    expectError(await api.call('POST', '/api/v1/state-machines/m/extra/deep'), 404, 'NotFound');
  });

  it('answers a known path with the wrong method with 405 and Allow', async () => {
    const res = await api.call('PATCH', '/api/v1/state-machines/m');
    expectError(res, 405, 'MethodNotAllowed', /PATCH/);
    expect(res.headers.allow).toBe('GET, PUT, DELETE, HEAD');
    expect((await api.call('DELETE', '/api/v1/executions')).headers.allow).toBe('POST, GET, HEAD');
  });

  it('answers malformed JSON with 400', async () => {
    expectError(await api.call('POST', '/api/v1/state-machines', { body: '{"name":' }), 400, 'BadRequest', /not valid JSON/);
    expectError(await api.call('POST', '/api/v1/state-machines', { body: '{"__proto__": {"x": 1}}' }), 400, 'BadRequest');
  });

  it('refuses a body whose bytes are not UTF-8 with 400, keeping nothing', async () => {
    const bytes = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));
    for (const payload of [
      bytes('{"name":"bad-', [0xff], '","definition":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}}'),
      bytes('{"name":"cut-', [0xc3], '","definition":{}}'), // a two-byte sequence missing its second byte
      bytes('{"name":"cesu-', [0xed, 0xa0, 0x80], '","definition":{}}'), // a surrogate encoded as UTF-8
    ]) {
      expectError(await rawPost('/api/v1/state-machines', payload), 400, 'BadRequest', /^the request body is not valid UTF-8$/);
    }
    expect((await api.call('GET', '/api/v1/state-machines')).json()).toMatchObject({ items: [] });
  });

  it('refuses a lone surrogate escape in any string or key with 400', async () => {
    const definition = (comment: string) => `{"StartAt":"P","States":{"P":{"Type":"Pass","Comment":"${comment}","End":true}}}`;
    for (const body of [
      `{"name":"lone","definition":${definition('half \\ud800 a pair')}}`,
      `{"name":"lone","definition":${definition('\\udc00')}}`,
      `{"name":"lone","definition":{"StartAt":"P","States":{"P":{"Type":"Pass","Result":{"\\ud83d":[["x"]]},"End":true}}}}`,
      `{"name":"lone","definition":{"StartAt":"P","States":{"P":{"Type":"Pass","Result":[1,[2,["\\ude00\\ud83d"]]],"End":true}}}}`,
    ]) {
      expectError(await api.call('POST', '/api/v1/state-machines', { body }), 400, 'BadRequest', /^the request body has a string with a lone UTF-16 surrogate \(an unpaired \\uD800-\\uDFFF escape\)$/);
    }
    expect((await api.call('GET', '/api/v1/state-machines')).json()).toMatchObject({ items: [] });
  });

  it('checks a body holding a very long array for surrogates without overflowing', async () => {
    const body = `{"name":"wide","definition":{"StartAt":"P","States":{"P":{"Type":"Pass","Result":[${'0,'.repeat(400_000)}"\\ud800"],"End":true}}}}`;
    expectError(await api.call('POST', '/api/v1/state-machines', { body }), 400, 'BadRequest', /lone UTF-16 surrogate/);
  });

  it('keeps surrogate pairs and any other text exactly, escaped or not', async () => {
    const body = `{"name":"emoji","definition":{"StartAt":"P","States":{"P":{"Type":"Pass","Comment":"\\ud83d\\ude00 😀 é \\u00e9","End":true}}}}`;
    expect((await api.call('POST', '/api/v1/state-machines', { body })).statusCode).toBe(201);
    const described = (await api.call('GET', '/api/v1/state-machines/emoji')).json() as { definition: { States: { P: { Comment: string } } } };
    expect(described.definition.States.P.Comment).toBe('😀 😀 é é');
    expect((await api.call('DELETE', '/api/v1/state-machines/emoji')).statusCode).toBeLessThan(300);
  });

  it(`refuses a body nested deeper than ${MAX_JSON_DEPTH} levels before parsing it, with 400 naming the limit`, async () => {
    const nested = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);
    for (const levels of [MAX_JSON_DEPTH + 1, 100_000]) {
      const body = `{"name":"deep","definition":{"StartAt":"P","States":{"P":{"Type":"Pass","Result":${nested(levels - 4)},"End":true}}}}`;
      expectError(await api.call('POST', '/api/v1/state-machines', { body }), 400, 'BadRequest', new RegExp(`^the request body nests deeper than ${MAX_JSON_DEPTH} levels$`));
    }
    const atTheLimit = `{"name":"deep","definition":{"StartAt":"P","States":{"P":{"Type":"Pass","Result":${nested(MAX_JSON_DEPTH - 4)},"End":true}}}}`;
    const res = await api.call('POST', '/api/v1/state-machines', { body: atTheLimit });
    expect(res.body).not.toMatch(/nests deeper/);
  });

  it('answers a body that is not JSON with 415', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
      const headers = { 'content-type': type };
      expectError(await api.call('POST', '/api/v1/state-machines', { body: 'name=x', headers }), 415, 'UnsupportedMediaType', /application\/json/);
    }
  });

  it('answers a body over the server limit with 413', async () => {
    const huge = JSON.stringify({ name: 'big', definition: { Comment: 'x'.repeat(1024 * 1024) } });
    expectError(await api.call('POST', '/api/v1/state-machines', { body: huge }), 413, 'PayloadTooLarge');
  });

  it('answers a badly encoded or over-long path in the same shape', async () => {
    expectError(await api.call('GET', '/api/v1/executions/%E0%A4%A'), 400, 'BadRequest', /not a valid url/);
    expectError(await api.call('GET', `/api/v1/executions/${'x'.repeat(3000)}`), 414, 'BadRequest', /too long/);
  });

  it('answers a request that is not HTTP in the same shape, over a real socket', async () => {
    const server = await startApi();
    const address = await server.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = new URL(address);
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => socket.write('NOT HTTP AT ALL\r\n\r\n'));
      let data = '';
      socket.on('data', (chunk) => (data += chunk.toString()));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
    await server.close();
    expect(reply).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(reply.slice(reply.indexOf('\r\n\r\n') + 4))).toEqual({ error: { code: 'BadRequest', message: 'malformed HTTP request' } });
  });

  it('accepts a trailing slash and a charset on the content type', async () => {
    const res = await api.call('POST', '/api/v1/state-machines/', { body: { name: 'slash', definition: passMachine }, headers: { 'content-type': 'application/json; charset=utf-8' } });
    expect(res.statusCode).toBe(201);
  });

  it('answers 500 with a generic message when the platform fails, and logs the real error', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const broken = await startApi({ loggerInstance: pino(sink) });
    // A closed store is a real failure the client can do nothing about.
    await broken.platform.close();
    const error = expectError(await broken.call('GET', '/api/v1/state-machines'), 500, 'Internal', /^internal server error$/);
    expect(error.details).toBeUndefined();
    const logged = lines.map((line) => JSON.parse(line) as { level: number; err?: { message: string } }).find((entry) => entry.err);
    expect(logged?.level).toBe(50);
    expect(logged?.err?.message).not.toMatch(/internal server error/);
    await broken.app.close();
    await rm(broken.dir, { recursive: true, force: true });
  });
});

describe('toApiError', () => {
  it('maps platform errors by code, keeping their details', () => {
    expect(toApiError(new ConflictError('taken'))).toEqual({ status: 409, code: 'Conflict', message: 'taken' });
    expect(toApiError(new InvalidDefinitionError(['States.A.Next: x']))).toMatchObject({ status: 400, code: 'InvalidDefinition', details: { problems: ['States.A.Next: x'] } });
    for (const [code, status] of [['BadRequest', 400], ['ValidationError', 400], ['Unauthorized', 401], ['Forbidden', 403], ['NotFound', 404], ['PayloadTooLarge', 413]] as const) {
      expect(toApiError(new SkybatchError(code, 'm')).status).toBe(status);
    }
  });

  it('answers a full disk of any backend with 507 InsufficientStorage (files, SQLite, PostgreSQL)', () => {
    for (const code of ['ENOSPC', 'SQLITE_FULL', '53100']) {
      const error = toApiError(Object.assign(new Error(`${code}: no space left`), { code }));
      expect(error).toEqual({ status: 507, code: 'InsufficientStorage', message: expect.stringMatching(/disk is full/) as unknown });
      expect(error.message).not.toMatch(code);
    }
  });

  it('hides everything else behind a generic 500', () => {
    const internal = { status: 500, code: 'Internal', message: 'internal server error' };
    expect(toApiError(new SkybatchError('Internal', 'secret detail'))).toEqual(internal);
    expect(toApiError(new Error('SQLITE_BUSY: database is locked'))).toEqual(internal);
    expect(toApiError(Object.assign(new Error('from a library'), { statusCode: 400 }))).toEqual(internal);
    expect(toApiError('a string')).toEqual(internal);
    expect(toApiError(undefined)).toEqual(internal);
  });
});
