/*
 * Every 500 is logged once, with the error's stack, the request id and the route, on the REST
 * API and on the S3 API: provoked by a real platform whose one method throws a plain Error.
 */
import { Writable } from 'node:stream';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createServer } from '../../src/api/server.js';
import { openPlatform, type OpenPlatform } from '../../src/engine/platform.js';
import { tempDir } from '../support/backends.js';
import { errorOf } from '../s3/helpers.js';

interface LogLine {
  level: number;
  reqId?: string;
  route?: string;
  method?: string;
  msg: string;
  err?: { type: string; message: string; stack: string };
}

const opened: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const item of opened.splice(0).reverse()) await item.close();
});

/** `target` with `method` replaced by one that throws, as a broken subsystem would. */
function breaking<T extends object>(target: T, method: string, error: Error): T {
  return new Proxy(target, {
    get(object, property, receiver) {
      if (property === method) return () => Promise.reject(error);
      const value = Reflect.get(object, property, receiver) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(object) : value;
    },
  });
}

async function serverLoggingTo(platform: OpenPlatform, lines: LogLine[]) {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  const app = await createServer(platform, { loggerInstance: pino(sink) });
  opened.push({ close: () => app.close() });
  return app;
}

describe('500s in the log', () => {
  it('logs a REST 500 once with its stack, request id and route', async () => {
    const platform = await openPlatform({ dataDir: tempDir(), storage: { lifecycleIntervalSeconds: 0 } });
    opened.push(platform);
    const lines: LogLine[] = [];
    const app = await serverLoggingTo(breaking(platform, 'health', new Error('the health check broke')), lines);
    const res = await app.inject({ method: 'GET', url: '/api/v1/health' });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: { code: 'Internal', message: 'internal server error' } });
    const errors = lines.filter((line) => line.level >= 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ reqId: expect.any(String) as unknown, route: '/api/v1/health', method: 'GET', err: { message: 'the health check broke' } });
    expect(errors[0]?.err?.stack).toMatch(/Error: the health check broke\n\s+at /);
  });

  it('logs an S3 500 once with its stack, request id and route', async () => {
    const platform = await openPlatform({ dataDir: tempDir(), storage: { lifecycleIntervalSeconds: 0 } });
    opened.push(platform);
    const keys = await platform.accessKeys!.create({ description: 'test' });
    const broken = Object.assign(Object.create(platform) as OpenPlatform, { storage: breaking(platform.storage!, 'listBuckets', new Error('the bucket table broke')) });
    const lines: LogLine[] = [];
    const app = await serverLoggingTo(broken, lines);
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    const client = new S3Client({ endpoint: `${url}/s3`, forcePathStyle: true, region: 'us-east-1', credentials: keys, maxAttempts: 1 });
    opened.push({ close: async () => client.destroy() });
    expect(await errorOf(client.send(new ListBucketsCommand({})))).toMatchObject({ name: 'InternalError', status: 500 });
    const errors = lines.filter((line) => line.level >= 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ reqId: expect.any(String) as unknown, route: '/s3', method: 'GET', err: { message: 'the bucket table broke' } });
    expect(errors[0]?.err?.stack).toMatch(/Error: the bucket table broke\n\s+at /);
  });
});
