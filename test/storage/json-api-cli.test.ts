/*
 * The object store's JSON API and CLI against a real server: buckets and objects listed,
 * `skybatch lifecycle run --now` aging objects into GLACIER and out of existence, and the bad
 * inputs (unknown bucket, a date that is not one) answered as 4xx JSON errors.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from '../../src/api/server.js';
import { openPlatform, type OpenPlatform } from '../../src/engine/platform.js';
import { tempDir } from '../support/backends.js';
import { runMain } from '../support/run-collected.js';

let platform: OpenPlatform;
let app: FastifyInstance;
let url: string;
let token: string;
const saved = { endpoint: process.env.SKYBATCH_ENDPOINT, token: process.env.SKYBATCH_TOKEN };

beforeAll(async () => {
  platform = await openPlatform({ dataDir: tempDir(), storage: { lifecycleIntervalSeconds: 0 } });
  app = await createServer(platform);
  url = await app.listen({ host: '127.0.0.1', port: 0 });
  token = await platform.tokens.issue({ kind: 'admin' });
  process.env.SKYBATCH_ENDPOINT = url;
  process.env.SKYBATCH_TOKEN = token;
});
afterAll(async () => {
  for (const [key, value] of [['SKYBATCH_ENDPOINT', saved.endpoint], ['SKYBATCH_TOKEN', saved.token]] as const) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  await app.close();
  await platform.close();
});

const skybatch = runMain;

async function api(method: string, path: string, body?: unknown) {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('object store JSON API and CLI', () => {
  it('lists buckets and objects by prefix and delimiter, a page at a time', async () => {
    const storage = platform.storage;
    await storage.createBucket('listing');
    for (const key of ['a/1.txt', 'a/2.txt', 'b/3.txt', 'top.txt']) await storage.putObject({ bucket: 'listing', key, body: Readable.from([Buffer.from(key)]) });
    expect((await skybatch('buckets')).stdout).toMatch(/^NAME\s+CREATED\nlisting\s/);
    const grouped = await api('GET', '/api/v1/buckets/listing/objects?delimiter=/');
    expect(grouped.status).toBe(200);
    expect(grouped.body.commonPrefixes).toEqual(['a/', 'b/']);
    expect((grouped.body.items as { key: string }[]).map((o) => o.key)).toEqual(['top.txt']);
    const first = await api('GET', '/api/v1/buckets/listing/objects?prefix=a/&limit=1');
    expect((first.body.items as { key: string }[]).map((o) => o.key)).toEqual(['a/1.txt']);
    const second = await api('GET', `/api/v1/buckets/listing/objects?prefix=a/&limit=1&nextToken=${encodeURIComponent(first.body.nextToken as string)}`);
    expect((second.body.items as { key: string }[]).map((o) => o.key)).toEqual(['a/2.txt']);
    expect(second.body.nextToken).toBeUndefined();
    const cli = await skybatch('objects', 'list', 'listing', '--prefix', 'a/');
    expect(cli.code).toBe(0);
    expect(cli.stdout).toMatch(/^KEY\s+SIZE\s+CLASS\s+MODIFIED\na\/1\.txt\s+7\s+STANDARD\s/);
  });

  it('`lifecycle run --now` ages objects: GLACIER after 31 days, expired after 366', async () => {
    const storage = platform.storage;
    await storage.createBucket('aging');
    await storage.putObject({ bucket: 'aging', key: 'logs/old.log', body: Readable.from([Buffer.from('x'.repeat(1000))]) });
    await storage.putLifecycle('aging', [{ id: 'logs', status: 'Enabled', filter: { prefix: 'logs/' }, transitions: [{ days: 30, storageClass: 'GLACIER' }], expiration: { days: 365 } }]);
    const day = 86_400_000;
    const in31 = new Date(Date.now() + 31 * day).toISOString();
    const glacier = await skybatch('lifecycle', 'run', '--now', in31);
    expect(glacier.code).toBe(0);
    expect(glacier.stdout).toMatch(/transitioned\s+aging\/logs\/old\.log\s+GLACIER/);
    expect((await storage.headObject('aging', 'logs/old.log')).storageClass).toBe('GLACIER');
    // Archived: unreadable until restored.
    await expect(storage.getObject('aging', 'logs/old.log')).rejects.toMatchObject({ code: 'InvalidObjectState' });
    const expired = await skybatch('lifecycle', 'run', '--now', new Date(Date.now() + 366 * day).toISOString(), '--json');
    expect(JSON.parse(expired.stdout).expired).toEqual([{ bucket: 'aging', key: 'logs/old.log' }]);
    await expect(storage.headObject('aging', 'logs/old.log')).rejects.toMatchObject({ code: 'NoSuchKey' });
    expect((await api('GET', '/api/v1/buckets/aging/lifecycle')).body.rules).toHaveLength(1);
  });

  it('answers bad input with 4xx JSON errors and a clear CLI message', async () => {
    const missing = await api('GET', '/api/v1/buckets/nope/objects');
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatchObject({ code: 'NotFound', message: expect.stringMatching(/^NoSuchBucket: /) });
    const badDate = await api('POST', '/api/v1/lifecycle/run', { now: 'next tuesday' });
    expect(badDate.status).toBe(400);
    expect(badDate.body.error).toMatchObject({ code: 'BadRequest', message: expect.stringContaining('"next tuesday" is not a date') });
    const cli = await skybatch('lifecycle', 'run', '--now', 'soon');
    expect(cli.code).toBe(2);
    expect(cli.stderr).toContain('is not a date');
    expect((await api('GET', '/api/v1/buckets/nope/objects?limit=0')).status).toBe(400);
  });
});
