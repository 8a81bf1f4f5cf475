/*
 * Invocations on real worker threads: results, Lambda-shaped errors, and workers that loop,
 * run out of memory or exit, after which the pool must still serve the next call.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadRequestError, NotFoundError } from '../../src/errors.js';
import type { InvokeResult } from '../../src/functions/types.js';
import { code, openFunctions, type Harness } from './helpers.js';

let h: Harness;

beforeAll(async () => {
  process.env.SKYBATCH_TEST_SECRET = 'server only';
  h = await openFunctions();
  delete process.env.SKYBATCH_TEST_SECRET;
});
afterAll(async () => {
  await h.close();
});

async function publish(name: string, source: string, extra: { timeoutSeconds?: number; memoryMiB?: number; handler?: string } = {}): Promise<void> {
  await h.functions.publish({ name, code: source, ...extra });
}

function payloadOf(result: InvokeResult) {
  if (!('payload' in result)) throw new Error(`expected a payload, got ${JSON.stringify(result)}`);
  return result.payload;
}

function errorOf(result: InvokeResult) {
  if (!('error' in result)) throw new Error(`expected an error, got ${JSON.stringify(result)}`);
  return result.error;
}

describe('results', () => {
  it('runs a sync handler', async () => {
    await publish('sync', code.sync);
    expect(await h.functions.invoke('sync', { a: 2, b: 3 })).toEqual({ payload: 5, executedVersion: '1', requestId: expect.any(String) });
  });

  it('gives an async handler the event and a Lambda context', async () => {
    await publish('echo', code.echo);
    const result = await h.functions.invoke('echo', { hello: 'world' }, { qualifier: '$LATEST' });
    expect(result).toMatchObject({
      executedVersion: '1',
      payload: { event: { hello: 'world' }, name: 'echo', version: '1', arn: 'arn:aws:lambda:local:000000000000:function:echo:$LATEST', memory: '128' },
    });
    const payload = payloadOf(result) as { requestId: string; remaining: number };
    expect(payload.requestId).toBe(result.requestId);
    expect(payload.remaining).toBeGreaterThan(2000);
    expect(payload.remaining).toBeLessThanOrEqual(3000);
  });

  it('runs TypeScript', async () => {
    await publish('typed', code.typescript);
    expect(payloadOf(await h.functions.invoke('typed', { a: 6, b: 7 }))).toBe(42);
  });

  it('supports callback-style handlers, a named export, and undefined as null', async () => {
    await publish('callback', 'export const handler = (event, context, callback) => { setTimeout(() => callback(null, event.n * 2), 5); };');
    expect(payloadOf(await h.functions.invoke('callback', { n: 21 }))).toBe(42);
    await publish('named', 'export function main() {}', { handler: 'main' });
    expect(payloadOf(await h.functions.invoke('named', {}))).toBeNull();
  });

  it('runs versions and aliases, by qualifier, name:qualifier or ARN', async () => {
    await publish('versioned', code.version(1));
    await publish('versioned', code.version(2));
    await h.functions.createAlias('versioned', 'prod', 1);
    expect(await h.functions.invoke('versioned', {})).toMatchObject({ payload: 2, executedVersion: '2' });
    expect(await h.functions.invoke('versioned:1', {})).toMatchObject({ payload: 1, executedVersion: '1' });
    expect(await h.functions.invoke('versioned', {}, { qualifier: 'prod' })).toMatchObject({ payload: 1, executedVersion: '1' });
    expect(await h.functions.invoke('arn:aws:lambda:us-east-1:123456789012:function:versioned:prod', {})).toMatchObject({ payload: 1 });
    await expect(h.functions.invoke('versioned:staging', {})).rejects.toThrow(NotFoundError);
    await expect(h.functions.invoke('versioned:7', {})).rejects.toThrow(NotFoundError);
    await expect(h.functions.invoke('nobody', {})).rejects.toThrow(NotFoundError);
    await expect(h.functions.invoke('versioned:1', {}, { qualifier: '2' })).rejects.toThrow(BadRequestError);
  });

  it('runs the new code after a function is deleted and published again', async () => {
    await publish('reborn', code.version(1));
    expect(payloadOf(await h.functions.invoke('reborn', {}))).toBe(1);
    await h.functions.delete('reborn');
    await publish('reborn', code.version(2));
    expect(payloadOf(await h.functions.invoke('reborn', {}))).toBe(2);
  });

  it('sets Lambda environment variables and hides the server secrets', async () => {
    await publish('env', 'export const handler = () => [process.env.AWS_LAMBDA_FUNCTION_NAME, process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE, process.env.SKYBATCH_TEST_SECRET ?? null];');
    expect(payloadOf(await h.functions.invoke('env', {}))).toEqual(['env', '128', null]);
  });
});

describe('function errors', () => {
  it('reports a thrown error with its type, message and trace', async () => {
    await publish('throws', code.throws);
    const error = errorOf(await h.functions.invoke('throws', {}));
    expect(error).toMatchObject({ errorType: 'TypeError', errorMessage: 'bad things' });
    expect(error.trace?.[0]).toBe('TypeError: bad things');
    expect(error.trace?.[1]).toMatch(/functions\/throws\/1\/index\.mjs:2:9\)$/);
    expect(error.trace?.join('\n')).not.toMatch(/worker\.(ts|js)|piscina|\?v=/);
  });

  it('uses a custom error class name, or an errorType of the error', async () => {
    await publish('custom', code.custom);
    expect(errorOf(await h.functions.invoke('custom', {}))).toMatchObject({ errorType: 'MyError', errorMessage: 'custom failure' });
    await publish('typed-error', 'export const handler = async () => { throw Object.assign(new Error("no"), { errorType: "Payment.Declined" }); };');
    expect(errorOf(await h.functions.invoke('typed-error', {}))).toMatchObject({ errorType: 'Payment.Declined', errorMessage: 'no' });
    await publish('throws-string', 'export const handler = () => { throw "plain"; };');
    expect(errorOf(await h.functions.invoke('throws-string', {}))).toEqual({ errorType: 'string', errorMessage: 'plain', trace: [] });
  });

  it('maps TypeScript traces back to the TypeScript lines', async () => {
    await publish('ts-throws', 'type E = { n: number };\n\nexport const handler = (e: E): number => {\n  throw new RangeError(`n=${e.n}`);\n};\n');
    const error = errorOf(await h.functions.invoke('ts-throws', { n: 3 }));
    expect(error).toMatchObject({ errorType: 'RangeError', errorMessage: 'n=3' });
    expect(error.trace?.[1]).toMatch(/index\.ts:4:9\)$/);
  });

  it('reports errors of loading the module', async () => {
    await publish('init-fails', 'throw new SyntaxError("at init");\nexport const handler = () => 1;');
    expect(errorOf(await h.functions.invoke('init-fails', {}))).toMatchObject({ errorType: 'SyntaxError', errorMessage: 'at init' });
    await publish('missing-import', 'import x from "no-such-package-anywhere";\nexport const handler = () => x;');
    expect(errorOf(await h.functions.invoke('missing-import', {}))).toMatchObject({ errorType: 'Runtime.ImportModuleError' });
    await publish('star', 'export * from "node:path";');
    expect(errorOf(await h.functions.invoke('star', {}))).toMatchObject({ errorType: 'Runtime.HandlerNotFound' });
    await publish('bigint', 'export const handler = () => 1n;');
    expect(errorOf(await h.functions.invoke('bigint', {}))).toMatchObject({ errorType: 'Runtime.MarshalError' });
  });
});

describe('workers that misbehave', () => {
  it('times out a handler that never returns, without blocking this thread, and serves the next call', async () => {
    await publish('forever', code.loop, { timeoutSeconds: 1 });
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 50);
    const started = Date.now();
    const error = errorOf(await h.functions.invoke('forever', {}));
    clearInterval(ticker);
    expect(error).toEqual({ errorType: 'Sandbox.Timedout', errorMessage: 'Task timed out after 1.00 seconds' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(ticks).toBeGreaterThan(10);
    expect(payloadOf(await h.functions.invoke('sync', { a: 1, b: 1 }))).toBe(2);
  });

  it('reports a worker out of memory, and the pool recovers', async () => {
    await publish('hog', code.memory, { memoryMiB: 64 });
    await publish('small', code.version(64), { memoryMiB: 64 });
    const error = errorOf(await h.functions.invoke('hog', {}));
    expect(error.errorType).toBe('Runtime.OutOfMemory');
    expect(error.errorMessage).toMatch(/^RequestId: \S+ Error: Runtime exited with error: JavaScript heap out of memory \(limit 64 MiB\)$/);
    expect(payloadOf(await h.functions.invoke('small', {}))).toBe(64);
  });

  it('reports process.exit as Runtime.ExitError, and the pool recovers', async () => {
    await publish('quits', code.exit);
    expect(errorOf(await h.functions.invoke('quits', {}))).toEqual({ errorType: 'Runtime.ExitError', errorMessage: expect.stringMatching(/Runtime exited with error: exit status 7$/) });
    expect(payloadOf(await h.functions.invoke('sync', { a: 2, b: 2 }))).toBe(4);
  });

  it('survives a worker that crashes after answering', async () => {
    await publish('late-crash', 'export const handler = () => { setTimeout(() => { throw new Error("later"); }, 10); return "answered"; };');
    const errors: unknown[] = [];
    const log = console.error;
    console.error = (...args: unknown[]) => errors.push(args);
    try {
      expect(payloadOf(await h.functions.invoke('late-crash', {}))).toBe('answered');
      await new Promise((resolve) => setTimeout(resolve, 200));
    } finally {
      console.error = log;
    }
    expect(JSON.stringify(errors)).toMatch(/later/);
    expect(payloadOf(await h.functions.invoke('sync', { a: 3, b: 3 }))).toBe(6);
  });

  it('stops a call when its signal aborts', async () => {
    await publish('slow-loop', code.loop, { timeoutSeconds: 60 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    await expect(h.functions.invoke('slow-loop', {}, { signal: controller.signal })).rejects.toThrow(/abort/i);
    expect(payloadOf(await h.functions.invoke('sync', { a: 4, b: 4 }))).toBe(8);
  });
});

describe('a pool with one thread', () => {
  let one: Harness;
  beforeAll(async () => {
    one = await openFunctions({ runtime: { maxThreads: 1 } });
  });
  afterAll(async () => {
    await one.close();
  });

  it('counts the timeout from when a call starts running, not from when it was queued', async () => {
    await one.functions.publish({ name: 'nap', code: 'export const handler = () => new Promise((r) => setTimeout(() => r("rested"), 600));', timeoutSeconds: 1 });
    const results = await Promise.all([1, 2, 3].map(() => one.functions.invoke('nap', {})));
    expect(results.map((r) => ('payload' in r ? r.payload : r.error.errorType))).toEqual(['rested', 'rested', 'rested']);
  });
});
