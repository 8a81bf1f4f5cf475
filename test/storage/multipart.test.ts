/*
 * Multipart uploads on every (database, blob backend) pair: S3's ETag, part order and size
 * rules, replacing a part, abort, and no part blobs left behind.
 */
import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { body, bytes, FakeS3, openHarness, variants, type Harness } from './helpers.js';

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

  it('assembles parts in order with S3 ETag "md5-of-md5s-N" and removes the part blobs', async () => {
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
    expect(await h.blobNames()).toHaveLength(1);
    await expect(h.storage.listParts('data', 'big/file.bin', upload.uploadId)).rejects.toMatchObject({ code: 'NoSuchUpload' });
  });

  it('completes with a subset of the uploaded parts', async () => {
    const upload = await h.storage.createMultipartUpload({ bucket: 'data', key: 'k' });
    const p1 = await h.storage.uploadPart({ bucket: 'data', key: 'k', uploadId: upload.uploadId, partNumber: 1, body: body(Buffer.alloc(1024, 1)) });
    await h.storage.uploadPart({ bucket: 'data', key: 'k', uploadId: upload.uploadId, partNumber: 2, body: body('unused') });
    const p3 = await h.storage.uploadPart({ bucket: 'data', key: 'k', uploadId: upload.uploadId, partNumber: 3, body: body('last') });
    const info = await h.storage.completeMultipartUpload({ bucket: 'data', key: 'k', uploadId: upload.uploadId, parts: [{ partNumber: 1, etag: p1.etag }, { partNumber: 3, etag: p3.etag.replace(/"/g, '') }] });
    expect(info.size).toBe(1028);
    expect(await h.blobNames()).toHaveLength(1);
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
