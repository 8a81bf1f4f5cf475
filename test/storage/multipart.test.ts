/*
 * Multipart uploads on every (database, blob backend) pair: S3's ETag, part order and size
 * rules, replacing a part, abort, and no part blobs left behind. A completed object keeps its
 * parts' blobs (no copy): reads and ranges across them, replace, delete, copy, the garbage
 * sweep and archiving all see the parts as the object's bytes.
 */
import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { body, bytes, FakeS3, openHarness, text, variants, type Harness } from './helpers.js';

const fakeS3 = new FakeS3();
afterAll(() => fakeS3.stop());

const md5 = (b: Buffer) => createHash('md5').update(b).digest();

describe.each(variants)('multipart uploads on $name', (variant) => {
  let h: Harness;
  beforeEach(async () => {
    // The harness's minimum part size is 1 KiB, so small parts exercise the rules.
    h = await openHarness(variant, fakeS3);
    await h.storage.createBucket('data');
  });
  afterEach(() => h.close());

  it('assembles parts in order with S3 ETag "md5-of-md5s-N", keeping the chosen part blobs as the object', async () => {
    const parts = [Buffer.alloc(2048, 'a'), Buffer.alloc(1500, 'b'), Buffer.from('tail')];
    const upload = await h.storage.createMultipartUpload({ bucket: 'data', key: 'big/file.bin', contentType: 'application/x-test', metadata: { Owner: 'me' } });
    expect(await h.storage.listMultipartUploads('data')).toEqual([upload]);
    // Parts may arrive out of order and be sent again.
    const etags: string[] = [];
    for (const i of [2, 0, 1]) etags[i] = (await h.storage.uploadPart({ bucket: 'data', key: 'big/file.bin', uploadId: upload.uploadId, partNumber: i + 1, body: body(parts[i]!) })).etag;
    const again = await h.storage.uploadPart({ bucket: 'data', key: 'big/file.bin', uploadId: upload.uploadId, partNumber: 2, body: body(parts[1]!) });
    expect(again.etag).toBe(etags[1]);
    expect(etags).toEqual(parts.map((p) => `"${md5(p).toString('hex')}"`));
    const listed = await h.storage.listParts('data', 'big/file.bin', upload.uploadId);
    expect(listed.map((p) => [p.partNumber, p.size, p.etag])).toEqual(parts.map((p, i) => [i + 1, p.length, etags[i]]));
    const info = await h.storage.completeMultipartUpload({ bucket: 'data', key: 'big/file.bin', uploadId: upload.uploadId, parts: etags.map((etag, i) => ({ partNumber: i + 1, etag })) });
    const expectedEtag = `"${md5(Buffer.concat(parts.map(md5))).toString('hex')}-3"`;
    expect(info).toMatchObject({ size: 2048 + 1500 + 4, etag: expectedEtag, contentType: 'application/x-test', metadata: { owner: 'me' } });
    const got = await h.storage.getObject('data', 'big/file.bin');
    expect((await bytes(got.body)).equals(Buffer.concat(parts))).toBe(true);
    expect(await h.storage.listMultipartUploads('data')).toEqual([]);
    // The replaced part 2 is gone; the three parts sent last are the object.
    expect(await h.blobNames()).toHaveLength(3);
    await expect(h.storage.listParts('data', 'big/file.bin', upload.uploadId)).rejects.toMatchObject({ code: 'NoSuchUpload' });
    // A completed upload takes no more parts.
    await expect(h.storage.uploadPart({ bucket: 'data', key: 'big/file.bin', uploadId: upload.uploadId, partNumber: 1, body: body('late') })).rejects.toMatchObject({ code: 'NoSuchUpload' });
    expect((await bytes((await h.storage.getObject('data', 'big/file.bin')).body)).equals(Buffer.concat(parts))).toBe(true);
  });

  it('completes with a subset of the uploaded parts', async () => {
    const upload = await h.storage.createMultipartUpload({ bucket: 'data', key: 'k' });
    const p1 = await h.storage.uploadPart({ bucket: 'data', key: 'k', uploadId: upload.uploadId, partNumber: 1, body: body(Buffer.alloc(1024, 1)) });
    await h.storage.uploadPart({ bucket: 'data', key: 'k', uploadId: upload.uploadId, partNumber: 2, body: body('unused') });
    const p3 = await h.storage.uploadPart({ bucket: 'data', key: 'k', uploadId: upload.uploadId, partNumber: 3, body: body('last') });
    const info = await h.storage.completeMultipartUpload({ bucket: 'data', key: 'k', uploadId: upload.uploadId, parts: [{ partNumber: 1, etag: p1.etag }, { partNumber: 3, etag: p3.etag.replace(/"/g, '') }] });
    expect(info.size).toBe(1028);
    // Part 2, not chosen, is gone with the upload.
    expect(await h.blobNames()).toHaveLength(2);
    expect(await text((await h.storage.getObject('data', 'k')).body)).toBe('\x01'.repeat(1024) + 'last');
  });

  async function threeParts(key: string): Promise<Buffer> {
    const parts = [Buffer.alloc(1024, 'a'), Buffer.alloc(1030, 'b'), Buffer.from('the tail')];
    for (const [i, part] of parts.entries()) part.writeUInt8(48 + i, 0);
    const upload = await h.storage.createMultipartUpload({ bucket: 'data', key });
    const etags = [];
    for (const [i, part] of parts.entries()) etags.push((await h.storage.uploadPart({ bucket: 'data', key, uploadId: upload.uploadId, partNumber: i + 1, body: body(part) })).etag);
    await h.storage.completeMultipartUpload({ bucket: 'data', key, uploadId: upload.uploadId, parts: etags.map((etag, i) => ({ partNumber: i + 1, etag })) });
    return Buffer.concat(parts);
  }

  it('reads any range across the parts, byte for byte', async () => {
    const whole = await threeParts('ranged');
    // Every boundary: inside one part, across one or two boundaries, the last byte, open ends.
    const ranges: [number, number | undefined][] = [[0, 0], [0, 1023], [1023, 1024], [1000, 2100], [1024, 2053], [2054, undefined], [5, undefined], [whole.length - 1, undefined], [2000, 99_999]];
    for (const [start, end] of ranges) {
      const got = await h.storage.getObject('data', 'ranged', end === undefined ? { start } : { start, end });
      const last = Math.min(end ?? whole.length - 1, whole.length - 1);
      expect(got.range).toEqual({ start, end: last });
      expect((await bytes(got.body)).equals(whole.subarray(start, last + 1)), `bytes ${start}-${end}`).toBe(true);
    }
    await expect(h.storage.getObject('data', 'ranged', { start: whole.length })).rejects.toMatchObject({ code: 'InvalidRange' });
  });

  it('drops every part blob when the object is replaced or deleted, and copies it whole', async () => {
    const whole = await threeParts('a');
    await threeParts('b');
    expect(await h.blobNames()).toHaveLength(6);
    const copied = await h.storage.copyObject({ bucket: 'data', key: 'copy', sourceBucket: 'data', sourceKey: 'a' });
    expect(copied.etag).toBe(`"${md5(whole).toString('hex')}"`);
    expect((await bytes((await h.storage.getObject('data', 'copy')).body)).equals(whole)).toBe(true);
    await h.storage.putObject({ bucket: 'data', key: 'a', body: body('small now') });
    await h.storage.deleteObject('data', 'b');
    // The copy and the new 'a': one blob each.
    expect(await h.blobNames()).toHaveLength(2);
    expect(await text((await h.storage.getObject('data', 'a')).body)).toBe('small now');
  });

  it('keeps part blobs from the garbage sweep, which still reclaims orphans', async () => {
    const whole = await threeParts('kept');
    const orphan = await h.orphan();
    expect(await h.storage.collectGarbage(0)).toEqual({ deleted: 1 });
    expect(await h.blobNames()).not.toContain(orphan);
    expect((await bytes((await h.storage.getObject('data', 'kept')).body)).equals(whole)).toBe(true);
  });

  it('archives a multipart object into one compressed blob and restores its bytes', async () => {
    const whole = await threeParts('cold');
    await h.storage.putLifecycle('data', [{ id: 'cold', status: 'Enabled', filter: {}, transitions: [{ days: 1, storageClass: 'GLACIER' }] }]);
    h.clock.advanceDays(2);
    expect((await h.storage.runLifecycle(h.clock.now())).transitioned).toEqual([{ bucket: 'data', key: 'cold', storageClass: 'GLACIER' }]);
    const blobs = await h.blobNames();
    expect(blobs).toHaveLength(1);
    expect(blobs[0]).toMatch(/^archive\//);
    await h.storage.restoreObject('data', 'cold', 1);
    h.clock.advanceSeconds(3601);
    const got = await h.storage.getObject('data', 'cold');
    expect((await bytes(got.body)).equals(whole)).toBe(true);
    expect(got.info.partSizes).toEqual([1024, 1030, 8]);
  });

  it('completes an upload in an archive class into one compressed blob', async () => {
    const upload = await h.storage.createMultipartUpload({ bucket: 'data', key: 'deep', storageClass: 'DEEP_ARCHIVE' });
    const p1 = await h.storage.uploadPart({ bucket: 'data', key: 'deep', uploadId: upload.uploadId, partNumber: 1, body: body(Buffer.alloc(1024, 7)) });
    const p2 = await h.storage.uploadPart({ bucket: 'data', key: 'deep', uploadId: upload.uploadId, partNumber: 2, body: body('end') });
    const info = await h.storage.completeMultipartUpload({ bucket: 'data', key: 'deep', uploadId: upload.uploadId, parts: [{ partNumber: 1, etag: p1.etag }, { partNumber: 2, etag: p2.etag }] });
    expect(info).toMatchObject({ size: 1027, storageClass: 'DEEP_ARCHIVE' });
    const blobs = await h.blobNames();
    expect(blobs).toHaveLength(1);
    expect(blobs[0]).toMatch(/^archive\//);
    await expect(h.storage.getObject('data', 'deep')).rejects.toMatchObject({ code: 'InvalidObjectState' });
  });

  it('refuses bad completions: order, unknown parts, wrong ETags, small parts, no parts', async () => {
    const upload = await h.storage.createMultipartUpload({ bucket: 'data', key: 'k' });
    const id = upload.uploadId;
    const small = await h.storage.uploadPart({ bucket: 'data', key: 'k', uploadId: id, partNumber: 1, body: body('too small') });
    const big = await h.storage.uploadPart({ bucket: 'data', key: 'k', uploadId: id, partNumber: 2, body: body(Buffer.alloc(1024)) });
    const complete = (parts: { partNumber: number; etag: string }[]) => h.storage.completeMultipartUpload({ bucket: 'data', key: 'k', uploadId: id, parts });
    await expect(complete([{ partNumber: 2, etag: big.etag }, { partNumber: 1, etag: small.etag }])).rejects.toMatchObject({ code: 'InvalidPartOrder', status: 400 });
    await expect(complete([{ partNumber: 2, etag: big.etag }, { partNumber: 2, etag: big.etag }])).rejects.toMatchObject({ code: 'InvalidPartOrder' });
    await expect(complete([{ partNumber: 5, etag: big.etag }])).rejects.toMatchObject({ code: 'InvalidPart', status: 400 });
    await expect(complete([{ partNumber: 2, etag: '"00000000000000000000000000000000"' }])).rejects.toMatchObject({ code: 'InvalidPart' });
    await expect(complete([{ partNumber: 1, etag: small.etag }, { partNumber: 2, etag: big.etag }])).rejects.toMatchObject({ code: 'EntityTooSmall', status: 400 });
    await expect(complete([])).rejects.toMatchObject({ code: 'MalformedXML' });
    await expect(h.storage.uploadPart({ bucket: 'data', key: 'k', uploadId: id, partNumber: 0, body: body('x') })).rejects.toMatchObject({ code: 'InvalidArgument' });
    await expect(h.storage.uploadPart({ bucket: 'data', key: 'k', uploadId: id, partNumber: 10_001, body: body('x') })).rejects.toMatchObject({ code: 'InvalidArgument' });
    await expect(h.storage.uploadPart({ bucket: 'data', key: 'other', uploadId: id, partNumber: 1, body: body('x') })).rejects.toMatchObject({ code: 'NoSuchUpload', status: 404 });
    await expect(h.storage.uploadPart({ bucket: 'data', key: 'k', uploadId: 'no-such-upload', partNumber: 1, body: body('x') })).rejects.toMatchObject({ code: 'NoSuchUpload' });
    // A small last part is fine.
    const info = await complete([{ partNumber: 2, etag: big.etag }]);
    expect(info.size).toBe(1024);
    // A client retrying the same completion gets the same object back (S3 answers success again).
    expect((await complete([{ partNumber: 2, etag: big.etag }])).etag).toBe(info.etag);
    await expect(complete([{ partNumber: 1, etag: small.etag }])).rejects.toMatchObject({ code: 'NoSuchUpload' });
  });

  it('aborts an upload, removing its parts', async () => {
    const upload = await h.storage.createMultipartUpload({ bucket: 'data', key: 'k' });
    for (const n of [1, 2, 3]) await h.storage.uploadPart({ bucket: 'data', key: 'k', uploadId: upload.uploadId, partNumber: n, body: body(Buffer.alloc(2000, n)) });
    expect(await h.blobNames()).toHaveLength(3);
    await h.storage.abortMultipartUpload('data', 'k', upload.uploadId);
    expect(await h.blobNames()).toEqual([]);
    expect(await h.storage.listMultipartUploads('data')).toEqual([]);
    await expect(h.storage.abortMultipartUpload('data', 'k', upload.uploadId)).rejects.toMatchObject({ code: 'NoSuchUpload' });
    await expect(h.storage.headObject('data', 'k')).rejects.toMatchObject({ code: 'NoSuchKey' });
    await expect(h.storage.createMultipartUpload({ bucket: 'nope', key: 'k' })).rejects.toMatchObject({ code: 'NoSuchBucket' });
  });
});
