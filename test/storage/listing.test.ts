/*
 * ListObjectsV2 on the catalogue: byte order, prefixes, delimiters and common prefixes,
 * pagination with opaque tokens, start-after.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ListObjectsRequest, ListObjectsResult } from '../../src/storage/types.js';
import { body, FakeS3, openHarness, variants, type Harness } from './helpers.js';

const fakeS3 = new FakeS3();
afterAll(() => fakeS3.stop());

/** Follows continuation tokens to the end; returns every page. */
async function allPages(h: Harness, request: ListObjectsRequest): Promise<ListObjectsResult[]> {
  const pages: ListObjectsResult[] = [];
  let token: string | undefined;
  do {
    const page = await h.storage.listObjects({ ...request, ...(token ? { continuationToken: token } : {}) });
    pages.push(page);
    token = page.nextContinuationToken;
    expect(page.isTruncated).toBe(token !== undefined);
  } while (token);
  return pages;
}

// Catalogue-only behaviour: the local disk is enough, on both databases.
describe.each(variants.filter((v) => v.blobs === 'local'))('listing on $name', (variant) => {
  let h: Harness;
  beforeEach(async () => {
    h = await openHarness(variant, fakeS3);
    await h.storage.createBucket('data');
  });
  afterEach(() => h.close());

  it('pages through 2,500 keys 1,000 at a time, in byte order', { timeout: 120_000 }, async () => {
    const keys = Array.from({ length: 2500 }, (_, i) => `logs/${String(i).padStart(5, '0')}`);
    for (let i = 0; i < keys.length; i += 50) await Promise.all(keys.slice(i, i + 50).map((key) => h.storage.putObject({ bucket: 'data', key, body: body('') })));
    const pages = await allPages(h, { bucket: 'data' });
    expect(pages.map((p) => p.objects.length)).toEqual([1000, 1000, 500]);
    expect(pages.flatMap((p) => p.objects.map((o) => o.key))).toEqual(keys);
    const small = await allPages(h, { bucket: 'data', prefix: 'logs/0001', maxKeys: 3 });
    expect(small.flatMap((p) => p.objects.map((o) => o.key))).toEqual(keys.slice(10, 20));
    expect(small).toHaveLength(4);
    const after = await h.storage.listObjects({ bucket: 'data', startAfter: 'logs/02495' });
    expect(after.objects.map((o) => o.key)).toEqual(keys.slice(2496));
    expect(after.isTruncated).toBe(false);
  });

  it('groups keys under common prefixes with a delimiter, and pages over them', async () => {
    const keys = ['a.txt', 'photos/2024/jan.jpg', 'photos/2024/feb.jpg', 'photos/2025/mar.jpg', 'photos/cover.jpg', 'videos/x.mp4', 'videos/y.mp4', 'z', 'Ω/omega', 'é/accent'];
    for (const key of keys) await h.storage.putObject({ bucket: 'data', key, body: body(key) });
    const top = await h.storage.listObjects({ bucket: 'data', delimiter: '/' });
    expect(top.objects.map((o) => o.key)).toEqual(['a.txt', 'z']);
    // Byte order: 'é' (C3 A9) sorts before 'Ω' (CE A9).
    expect(top.commonPrefixes).toEqual(['photos/', 'videos/', 'é/', 'Ω/']);
    const photos = await h.storage.listObjects({ bucket: 'data', prefix: 'photos/', delimiter: '/' });
    expect(photos.objects.map((o) => o.key)).toEqual(['photos/cover.jpg']);
    expect(photos.commonPrefixes).toEqual(['photos/2024/', 'photos/2025/']);
    const paged = await allPages(h, { bucket: 'data', delimiter: '/', maxKeys: 2 });
    expect(paged.map((p) => [...p.objects.map((o) => o.key), ...p.commonPrefixes])).toEqual([['a.txt', 'photos/'], ['z', 'videos/'], ['é/', 'Ω/']]);
    const noPrefixMatch = await h.storage.listObjects({ bucket: 'data', prefix: 'nothing/' });
    expect(noPrefixMatch).toEqual({ objects: [], commonPrefixes: [], isTruncated: false });
    const byPrefix = await h.storage.listObjects({ bucket: 'data', prefix: 'photos/2024/' });
    expect(byPrefix.objects.map((o) => o.key)).toEqual(['photos/2024/feb.jpg', 'photos/2024/jan.jpg']);
  });

  it('refuses bad tokens, bad max-keys and missing buckets', async () => {
    await expect(h.storage.listObjects({ bucket: 'data', continuationToken: 'not a token' })).rejects.toMatchObject({ code: 'InvalidArgument' });
    await expect(h.storage.listObjects({ bucket: 'data', maxKeys: 1001 })).rejects.toMatchObject({ code: 'InvalidArgument' });
    await expect(h.storage.listObjects({ bucket: 'nope' })).rejects.toMatchObject({ code: 'NoSuchBucket' });
  });
});
