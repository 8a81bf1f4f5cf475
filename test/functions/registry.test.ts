/*
 * The function registry on each backend: versions, aliases, listing, deletion, bad input,
 * and (PostgreSQL) a second server that runs code it never saw published.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadRequestError, ConflictError, NotFoundError } from '../../src/errors.js';
import { backends, tempDir, type BackendHandle } from '../support/backends.js';
import { code, openFunctions, type Harness } from './helpers.js';

describe.each(backends)('function registry on $name', (backend) => {
  let handle: BackendHandle;
  let h: Harness;

  beforeAll(async () => {
    handle = await backend.create();
    h = await openFunctions({ dataDir: handle.dataDir, databaseUrl: handle.databaseUrl });
  });
  afterAll(async () => {
    await h.close();
    await handle.cleanup();
  });

  it('publishes version 1 with Lambda defaults and writes its module once', async () => {
    const { info, created } = await h.functions.publish({ name: 'adder', code: code.sync });
    expect(created).toBe(true);
    expect(info).toEqual({
      name: 'adder',
      functionArn: 'arn:aws:lambda:local:000000000000:function:adder:1',
      version: '1',
      handler: 'handler',
      runtime: 'nodejs20.x',
      timeoutSeconds: 3,
      memoryMiB: 128,
      description: '',
      codeSha256: createHash('sha256').update(code.sync).digest('base64'),
      createdAt: expect.any(String),
    });
    expect(readFileSync(join(h.dataDir, 'functions/adder/1/index.mjs'), 'utf8')).toBe(code.sync);
  });

  it('adds a version per change; publishing the same again changes nothing', async () => {
    const second = await h.functions.publish({ name: 'adder', code: code.version(2), description: 'two' });
    expect([second.created, second.info.version]).toEqual([true, '2']);
    const again = await h.functions.publish({ name: 'adder', code: code.version(2), description: 'two' });
    expect([again.created, again.info.version]).toEqual([false, '2']);
    const memory = await h.functions.publish({ name: 'adder', code: code.version(2), description: 'two', memoryMiB: 256 });
    expect([memory.created, memory.info.version, memory.info.memoryMiB]).toEqual([true, '3', 256]);
  });

  it('describes $LATEST by default and any version by qualifier, name:qualifier or ARN', async () => {
    const latest = await h.functions.describe('adder');
    expect(latest).toMatchObject({ version: '3', latestVersion: '3', code: code.version(2), memoryMiB: 256 });
    expect(latest.versions.map((v) => v.version)).toEqual(['1', '2', '3']);
    expect((await h.functions.describe('adder', '1')).code).toBe(code.sync);
    expect((await h.functions.describe('adder:$LATEST')).version).toBe('3');
    expect((await h.functions.describe('arn:aws:lambda:us-east-1:123456789012:function:adder:2')).description).toBe('two');
    await expect(h.functions.describe('adder', '9')).rejects.toThrow(NotFoundError);
    await expect(h.functions.describe('nobody')).rejects.toThrow(/function "nobody" does not exist/);
  });

  it('keeps aliases: create, conflict, update, put, delete', async () => {
    expect(await h.functions.createAlias('adder', 'prod', 1)).toMatchObject({ name: 'prod', functionName: 'adder', functionVersion: '1', aliasArn: 'arn:aws:lambda:local:000000000000:function:adder:prod' });
    await expect(h.functions.createAlias('adder', 'prod', 2)).rejects.toThrow(ConflictError);
    expect((await h.functions.describe('adder', 'prod')).version).toBe('1');
    expect((await h.functions.updateAlias('adder', 'prod', '2')).functionVersion).toBe('2');
    expect((await h.functions.describe('adder:prod')).version).toBe('2');
    await expect(h.functions.updateAlias('adder', 'nope', 1)).rejects.toThrow(NotFoundError);
    expect(await h.functions.putAlias('adder', 'beta', 3)).toMatchObject({ created: true, alias: { functionVersion: '3' } });
    expect(await h.functions.putAlias('adder', 'beta', 1)).toMatchObject({ created: false, alias: { functionVersion: '1' } });
    expect((await h.functions.describe('adder')).aliases.map((a) => [a.name, a.functionVersion])).toEqual([['beta', '1'], ['prod', '2']]);
    await h.functions.deleteAlias('adder', 'beta');
    await expect(h.functions.deleteAlias('adder', 'beta')).rejects.toThrow(NotFoundError);
    await expect(h.functions.describe('adder', 'beta')).rejects.toThrow(/no alias "beta"/);
  });

  it('refuses aliases to versions that do not exist, and bad alias names', async () => {
    await expect(h.functions.createAlias('adder', 'x', 42)).rejects.toThrow(/no version 42/);
    await expect(h.functions.createAlias('adder', 'x', '$LATEST')).rejects.toThrow(BadRequestError);
    await expect(h.functions.createAlias('adder', '123', 1)).rejects.toThrow(/not only digits/);
    await expect(h.functions.createAlias('nobody', 'x', 1)).rejects.toThrow(NotFoundError);
  });

  it('lists functions by name, a page at a time', async () => {
    await h.functions.publish({ name: 'b-second', code: code.sync });
    await h.functions.publish({ name: 'a-first', code: code.sync, timeoutSeconds: 60 });
    const first = await h.functions.list({ limit: 2 });
    expect(first.items.map((f) => f.name)).toEqual(['a-first', 'adder']);
    expect(first.items[0]).toMatchObject({ functionArn: 'arn:aws:lambda:local:000000000000:function:a-first', latestVersion: '1', timeoutSeconds: 60 });
    expect(first.items[1]).toMatchObject({ latestVersion: '3', memoryMiB: 256 });
    const rest = await h.functions.list({ limit: 2, ...(first.nextToken ? { nextToken: first.nextToken } : {}) });
    expect(rest.items.map((f) => f.name)).toEqual(['b-second']);
    expect(rest.nextToken).toBeUndefined();
  });

  it('deletes a function with its versions, aliases and files; the name starts over', async () => {
    await h.functions.delete('adder');
    await expect(h.functions.describe('adder')).rejects.toThrow(NotFoundError);
    await expect(h.functions.delete('adder')).rejects.toThrow(NotFoundError);
    expect(existsSync(join(h.dataDir, 'functions/adder'))).toBe(false);
    const { info } = await h.functions.publish({ name: 'adder', code: code.version(9) });
    expect(info.version).toBe('1');
    expect((await h.functions.describe('adder')).aliases).toEqual([]);
  });

  it('numbers concurrent publishes of one name one after another', async () => {
    const results = await Promise.all([1, 2, 3, 4, 5].map((n) => h.functions.publish({ name: 'racer', code: code.version(n) })));
    expect(results.map((r) => r.info.version).sort()).toEqual(['1', '2', '3', '4', '5']);
  });

  it.each([
    [{ name: 'bad name', code: code.sync }, /1 to 64 letters/],
    [{ name: 'x'.repeat(65), code: code.sync }, /1 to 64 letters/],
    [{ name: 'f', code: '   ' }, /source of an ES module/],
    [{ name: 'f', code: code.sync, handler: 'not-an-export' }, /handler "not-an-export"/],
    [{ name: 'f', code: code.sync, handler: 'main' }, /does not export "main": it exports handler/],
    [{ name: 'f', code: 'module.exports.handler = () => 1;' }, /does not export "handler"/],
    [{ name: 'f', code: 'const x = 1;' }, /exports nothing/],
    [{ name: 'f', code: code.sync, timeoutSeconds: 0 }, /timeoutSeconds must be an integer from 1 to 900/],
    [{ name: 'f', code: code.sync, timeoutSeconds: 901 }, /timeoutSeconds/],
    [{ name: 'f', code: code.sync, timeoutSeconds: 1.5 }, /timeoutSeconds/],
    [{ name: 'f', code: code.sync, memoryMiB: 63 }, /memoryMiB must be an integer from 64 to 10240/],
    [{ name: 'f', code: code.sync, memoryMiB: 10241 }, /memoryMiB/],
    [{ name: 'f', code: code.sync, runtime: 'python3.12' as 'nodejs20.x' }, /runtime "python3.12" is not supported/],
    [{ name: 'f', code: code.sync, description: 'd'.repeat(257) }, /description/],
  ])('refuses bad input %#', async (request, message) => {
    await expect(h.functions.publish(request)).rejects.toThrow(BadRequestError);
    await expect(h.functions.publish(request)).rejects.toThrow(message);
  });

  it('reports code that does not compile with the compiler message and position', async () => {
    const err = (await h.functions.publish({ name: 'broken', code: 'export const handler = (e) => {\n  return e +;\n};\n' }).catch((e: unknown) => e)) as BadRequestError;
    expect(err).toBeInstanceOf(BadRequestError);
    expect(err.message).toMatch(/does not compile:\nindex:2:13: Unexpected ";"/);
    expect(err.details).toEqual({ problems: [expect.stringMatching(/^index:2:13: /)] });
    await expect(h.functions.describe('broken')).rejects.toThrow(NotFoundError);
  });

  it('accepts TypeScript and "index.handler" as the handler, as Lambda writes it', async () => {
    const { info } = await h.functions.publish({ name: 'typed', code: code.typescript, handler: 'index.handler' });
    expect(info.handler).toBe('handler');
    const module = readFileSync(join(h.dataDir, 'functions/typed/1/index.mjs'), 'utf8');
    expect(module).not.toMatch(/interface|: number/);
    expect((await h.functions.describe('typed')).code).toBe(code.typescript);
  });

  it.runIf(backend.name === 'postgres')('lets a second server run code published by the first', async () => {
    const other = await openFunctions({ dataDir: tempDir('skybatch-fn-other-'), databaseUrl: handle.databaseUrl });
    try {
      await h.functions.publish({ name: 'shared', code: code.typescript });
      expect(existsSync(join(other.dataDir, 'functions/shared'))).toBe(false);
      expect(await other.functions.invoke('shared', { a: 6, b: 7 })).toMatchObject({ payload: 42, executedVersion: '1' });
      expect(existsSync(join(other.dataDir, 'functions/shared/1/index.mjs'))).toBe(true);
    } finally {
      await other.close();
    }
  });
});
