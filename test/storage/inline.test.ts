/*
 * Small bodies kept in the catalogue (inlineBytes), on every (database, blob backend) pair: no
 * blob is written for them, their bytes, ranges, ETags and checks are those of any object, a
 * body one byte over the limit becomes a blob intact, and replacing, deleting, copying and
 * archiving leave no inline body behind.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { body, bytes, FakeS3, failingBody, openHarness, text, variants, type Harness } from './helpers.js';

const fakeS3 = new FakeS3();
afterAll(() => fakeS3.stop());

const LIMIT = 4096;
const md5 = (b: Buffer) => createHash('md5').update(b).digest();

/** `size` bytes in pieces of `piece`, each byte its offset mod 251: a shift shows. */
function pattern(size: number): Buffer {
  return Buffer.from(Array.from({ length: size }, (_, i) => i % 251));
}
function inPieces(content: Buffer, piece: number): Readable {
  const pieces: Buffer[] = [];
  for (let at = 0; at < content.length; at += piece) pieces.push(content.subarray(at, at + piece));
  return Readable.from(pieces);
}

describe.each(variants)('inline bodies on $name', (variant) => {
  let h: Harness;
  const inlineRows = async () => (await h.store.db.selectFrom('storage_inline_bodies').select('blob_id').execute()).length;
  beforeEach(async () => {
    h = await openHarness(variant, fakeS3, { inlineBytes: LIMIT });
    await h.storage.createBucket('data');
  });
  afterEach(() => h.close());

  it('keeps a body up to the limit in the catalogue, with no blob, and serves it whole and in ranges', async () => {
    const content = pattern(LIMIT);
    const info = await h.storage.putObject({ bucket: 'data', key: 'small', body: inPieces(content, 1000) });
    expect(info).toMatchObject({ size: LIMIT, etag: `"${md5(content).toString('hex')}"` });
    await h.storage.putObject({ bucket: 'data', key: 'empty', body: body('') });
    expect(await h.blobNames()).toEqual([]);
    expect(await inlineRows()).toBe(2);
    expect((await bytes((await h.storage.getObject('data', 'small')).body)).equals(content)).toBe(true);
    const ranged = await h.storage.getObject('data', 'small', { start: 1000, end: 2999 });
    expect(ranged.range).toEqual({ start: 1000, end: 2999 });
    expect((await bytes(ranged.body)).equals(content.subarray(1000, 3000))).toBe(true);
    expect((await bytes((await h.storage.getObject('data', 'small', { start: LIMIT - 1 })).body)).equals(content.subarray(LIMIT - 1))).toBe(true);
    expect((await bytes((await h.storage.getObject('data', 'empty')).body)).length).toBe(0);
    expect((await h.storage.headObject('data', 'empty')).size).toBe(0);
  });

  it('writes a body one byte over the limit to a blob, every byte in place', async () => {
    const content = pattern(LIMIT + 1);
    await h.storage.putObject({ bucket: 'data', key: 'over', body: inPieces(content, 700) });
    expect(await h.blobNames()).toHaveLength(1);
    expect(await inlineRows()).toBe(0);
    expect((await bytes((await h.storage.getObject('data', 'over')).body)).equals(content)).toBe(true);
    const big = pattern(300_000);
    await h.storage.putObject({ bucket: 'data', key: 'big', body: inPieces(big, 4000) });
    expect((await bytes((await h.storage.getObject('data', 'big')).body)).equals(big)).toBe(true);
  });

  it('leaves no inline body behind when objects are replaced, deleted or copied', async () => {
    await h.storage.putObject({ bucket: 'data', key: 'k', body: body('first') });
    await h.storage.putObject({ bucket: 'data', key: 'k', body: body('second') });
    expect(await inlineRows()).toBe(1);
    // Inline to blob and back.
    await h.storage.putObject({ bucket: 'data', key: 'k', body: body(pattern(LIMIT * 2)) });
    expect([await inlineRows(), (await h.blobNames()).length]).toEqual([0, 1]);
    await h.storage.putObject({ bucket: 'data', key: 'k', body: body('third') });
    expect([await inlineRows(), (await h.blobNames()).length]).toEqual([1, 0]);
    const copied = await h.storage.copyObject({ bucket: 'data', key: 'copy', sourceBucket: 'data', sourceKey: 'k', metadata: { note: 'copied' } });
    expect(copied.etag).toBe(`"${md5(Buffer.from('third')).toString('hex')}"`);
    expect(await text((await h.storage.getObject('data', 'copy')).body)).toBe('third');
    expect(await inlineRows()).toBe(2);
    await h.storage.deleteObject('data', 'k');
    await h.storage.deleteObject('data', 'copy');
    expect(await inlineRows()).toBe(0);
    expect(await h.blobNames()).toEqual([]);
  });

  it('stores nothing of a body that fails its Content-MD5 or breaks off, below or past the limit', async () => {
    const wrongMd5 = md5(Buffer.from('other')).toString('base64');
    await expect(h.storage.putObject({ bucket: 'data', key: 'k', body: body('content'), contentMd5: wrongMd5 })).rejects.toMatchObject({ code: 'BadDigest' });
    await expect(h.storage.putObject({ bucket: 'data', key: 'k', body: failingBody(100) })).rejects.toThrow('client went away');
    // Past the limit, on its way to a blob.
    await expect(h.storage.putObject({ bucket: 'data', key: 'k', body: failingBody(LIMIT * 3) })).rejects.toThrow('client went away');
    await expect(h.storage.headObject('data', 'k')).rejects.toMatchObject({ code: 'NoSuchKey' });
    expect(await inlineRows()).toBe(0);
    expect(await h.blobNames()).toEqual([]);
    const right = md5(Buffer.from('content')).toString('base64');
    await h.storage.putObject({ bucket: 'data', key: 'k', body: body('content'), contentMd5: right });
    expect(await text((await h.storage.getObject('data', 'k')).body)).toBe('content');
  });

  it('archives a small object into a compressed blob and restores its bytes', async () => {
    await h.storage.putObject({ bucket: 'data', key: 'cold', body: body('cold bytes') });
    await h.storage.putObject({ bucket: 'data', key: 'glacier', body: body('straight to the archive'), storageClass: 'GLACIER' });
    await h.storage.putLifecycle('data', [{ id: 'cold', status: 'Enabled', filter: { prefix: 'cold' }, transitions: [{ days: 1, storageClass: 'GLACIER' }] }]);
    h.clock.advanceDays(2);
    expect((await h.storage.runLifecycle(h.clock.now())).transitioned).toEqual([{ bucket: 'data', key: 'cold', storageClass: 'GLACIER' }]);
    expect(await inlineRows()).toBe(0);
    const blobs = await h.blobNames();
    expect(blobs).toHaveLength(2);
    for (const blob of blobs) expect(blob).toMatch(/^archive\//);
    await h.storage.restoreObject('data', 'cold', 1);
    h.clock.advanceSeconds(3601);
    expect(await text((await h.storage.getObject('data', 'cold')).body)).toBe('cold bytes');
  });
});
