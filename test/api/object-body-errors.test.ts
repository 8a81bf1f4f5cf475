/*
 * PUT /api/v1/buckets/B/objects/K over a real socket: every refusal (a key with NUL, a key over
 * 1,024 bytes, a bucket that is missing or badly named) is answered with its 4xx JSON error
 * whether or not the request has a body, and the connection stays usable afterwards.
 */
import { request as httpRequest, Agent } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from '../../src/api/server.js';
import { openPlatform, type OpenPlatform } from '../../src/engine/platform.js';
import { tempDir } from '../support/backends.js';

let platform: OpenPlatform;
let app: FastifyInstance;
let base: URL;
let token: string;
// One connection for every request: an error must not cost the client its connection.
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

beforeAll(async () => {
  platform = await openPlatform({ dataDir: tempDir(), storage: { lifecycleIntervalSeconds: 0 } });
  app = await createServer(platform);
  base = new URL(await app.listen({ host: '127.0.0.1', port: 0 }));
  token = await platform.tokens.issue({ kind: 'admin' });
  await platform.storage?.createBucket('data');
});
afterAll(async () => {
  agent.destroy();
  await app.close();
  await platform.close();
});

interface Answer {
  status: number;
  body: { error?: { code: string; message: string } } & Record<string, unknown>;
}

/** A PUT with `size` bytes of body (0: none). */
function put(path: string, size: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: base.hostname, port: base.port, method: 'PUT', path, agent, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream', 'content-length': String(size) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Answer['body'] }));
      },
    );
    // No answer at all is what this test is about: say so instead of a bare ECONNRESET.
    req.on('error', (err) => reject(new Error(`no answer to PUT ${path.slice(0, 60)} with ${size} bytes: ${err.message}`)));
    req.end(Buffer.alloc(size, 'x'));
  });
}

const refused: [string, string, number, string, RegExp][] = [
  ['a key with NUL', '/api/v1/buckets/data/objects/a%00b', 400, 'BadRequest', /NUL/],
  ['a key of 1,025 bytes in 513 characters', `/api/v1/buckets/data/objects/${encodeURIComponent('é'.repeat(512))}a`, 400, 'BadRequest', /too long/],
  ['a key of 1,025 characters', `/api/v1/buckets/data/objects/${'k'.repeat(1025)}`, 400, 'ValidationError', /1024/],
  ['a missing bucket', '/api/v1/buckets/no-such-bucket/objects/k', 404, 'NotFound', /bucket/i],
  ['a badly named bucket', '/api/v1/buckets/Bad_Name/objects/k', 404, 'NotFound', /bucket/i],
];

describe('PUT object body errors', () => {
  for (const [what, path, status, code, message] of refused) {
    for (const size of [0, 10, 4 * 1024 * 1024]) {
      it(`answers ${what} with ${status} ${code}, with ${size} bytes of body`, async () => {
        const answer = await put(path, size);
        expect(answer.status).toBe(status);
        expect(answer.body.error?.code).toBe(code);
        expect(answer.body.error?.message).toMatch(message);
      });
    }
  }

  it('still stores a good upload on the same connection afterwards', async () => {
    await put('/api/v1/buckets/data/objects/a%00b', 1024 * 1024);
    const answer = await put('/api/v1/buckets/data/objects/good', 1024 * 1024);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ key: 'good', size: 1024 * 1024 });
    const listed = await platform.storage?.listObjects({ bucket: 'data' });
    expect(listed?.objects.map((o) => o.key)).toEqual(['good']);
  });
});
