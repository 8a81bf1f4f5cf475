/*
 * sendContent, the download path of both object APIs, over real HTTP: bytes arrive whole while
 * its reused buffers serve many downloads at once; a client that leaves midway costs nothing
 * (the blob is released, the next downloads are intact); a read that fails before any byte is
 * an ordinary error reply, one that fails later cuts the connection so no client takes a short
 * body for the object. The failing reader is a test double of the BlobReader contract; the
 * others are the local backend's real files.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BlobReader } from '../../src/storage/blobs/blob-backend.js';
import { LocalBlobs } from '../../src/storage/blobs/local.js';
import { ContentBody } from '../../src/storage/content-body.js';
import { sendContent } from '../../src/util/send-content.js';
import { tempDir } from '../support/backends.js';

const MiB = 1024 * 1024;

function md5(data: Buffer): string {
  return createHash('md5').update(data).digest('hex');
}

/** Answers with `size` bytes of 7s, then fails. */
function failingAfter(size: number): BlobReader {
  let served = false;
  return {
    async read(scratch) {
      if (served) throw new Error('the disk went away');
      served = true;
      return scratch.fill(7, 0, size).subarray(0, size);
    },
    async close() {},
  };
}

describe('sendContent', () => {
  let app: FastifyInstance;
  let base: string;
  const blobs = new LocalBlobs(tempDir('skybatch-send-'));
  const stored = new Map<string, { id: string; data: Buffer }>();
  let opened = 0;
  let closed = 0;

  beforeAll(async () => {
    for (const [name, size] of [['big', 21 * MiB + 17], ['odd', 3 * MiB + 1], ['tiny', 5], ['empty', 0]] as const) {
      const data = randomBytes(size);
      const file = join(tempDir('skybatch-send-src-'), 'body');
      writeFileSync(file, data);
      stored.set(name, { id: (await blobs.write('standard', createReadStream(file))).id, data });
    }
    app = Fastify();
    app.get<{ Params: { name: string } }>('/blob/:name', async (req, reply) => {
      const blob = stored.get(req.params.name)!;
      const reader = await blobs.open('standard', blob.id);
      opened++;
      const counted: BlobReader = { read: (scratch) => reader.read(scratch), close: async () => (closed++, reader.close()) };
      void reply.header('content-length', String(blob.data.length)).header('x-name', req.params.name);
      await sendContent(reply, new ContentBody(counted));
      return reply;
    });
    app.get('/fails-first', async (_req, reply) => {
      void reply.header('content-length', '10');
      await sendContent(reply, new ContentBody({ read: async () => Promise.reject(new Error('no such disk')), close: async () => {} }));
      return reply;
    });
    app.get('/fails-later', async (_req, reply) => {
      void reply.header('content-length', String(8 * MiB));
      await sendContent(reply, new ContentBody(failingAfter(MiB)));
      return reply;
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await app.close();
    await blobs.close();
  });

  it('sends every object whole, eight downloads at once sharing the pooled buffers', async () => {
    const names = ['big', 'odd', 'tiny', 'empty', 'big', 'odd', 'big', 'tiny'];
    const results = await Promise.all(names.map(async (name) => ({ name, response: await fetch(`${base}/blob/${name}`) })));
    for (const { name, response } of results) {
      expect(response.status).toBe(200);
      expect(response.headers.get('x-name')).toBe(name);
      expect(md5(Buffer.from(await response.arrayBuffer()))).toBe(md5(stored.get(name)!.data));
    }
  });

  it('releases the blob when the client leaves midway, and later downloads are intact', async () => {
    const before = { opened, closed };
    await new Promise<void>((resolve, reject) => {
      const req = request(`${base}/blob/big`, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', (err) => (err.message.includes('socket hang up') ? resolve() : reject(err)));
      req.end();
    });
    await expect.poll(() => closed - before.closed, { timeout: 5000 }).toBe(opened - before.opened);
    const again = await fetch(`${base}/blob/big`);
    expect(md5(Buffer.from(await again.arrayBuffer()))).toBe(md5(stored.get('big')!.data));
  });

  it('answers a read that fails before any byte with an error reply', async () => {
    const response = await fetch(`${base}/fails-first`);
    expect(response.status).toBe(500);
    expect(await response.text()).toContain('no such disk');
  });

  it('cuts the connection when a read fails after the headers, so no short body passes for whole', async () => {
    const whole = fetch(`${base}/fails-later`).then(async (response) => Buffer.from(await response.arrayBuffer()));
    await expect(whole).rejects.toThrow();
  });

  it('refuses to send a body that was already streamed', async () => {
    const body = new ContentBody(await blobs.open('standard', stored.get('tiny')!.id));
    for await (const chunk of body) expect(chunk).toBeInstanceOf(Buffer);
    expect(() => body.takeReader()).toThrow(/already read/);
  });
});
