/*
 * Lifecycle and restores on every (database, blob backend) pair, with an injected clock:
 * objects aged 31 / 121 / 366 days land in GLACIER / DEEP_ARCHIVE / expired, archived bytes are
 * really compressed away, GET answers InvalidObjectState until a restore is ready, and the
 * restored copy is byte-identical and goes away after its days.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LifecycleRule } from '../../src/storage/types.js';
import { body, bytes, FakeS3, openHarness, variants, type Harness } from './helpers.js';

const fakeS3 = new FakeS3();
afterAll(() => fakeS3.stop());

const DAY = 24 * 60 * 60 * 1000;

/** The reference pipeline's bucket rules (ARCHITECTURE.md 4.1). */
const pipelineRules: LifecycleRule[] = [{ id: 'age-out', status: 'Enabled', filter: {}, transitions: [{ days: 30, storageClass: 'GLACIER' }, { days: 120, storageClass: 'DEEP_ARCHIVE' }], expiration: { days: 365 } }];

describe.each(variants)('lifecycle on $name', (variant) => {
  let h: Harness;
  beforeEach(async () => {
    h = await openHarness(variant, fakeS3, { restoreDelaySeconds: 3600 });
    await h.storage.createBucket('data');
  });
  afterEach(() => h.close());

  const at = (days: number) => new Date(h.clock.ms + days * DAY);

  it('moves objects to GLACIER, DEEP_ARCHIVE and expiry as they age, and restores byte-identical copies', async () => {
    await h.storage.putLifecycle('data', pipelineRules);
    expect(await h.storage.getLifecycle('data')).toEqual(pipelineRules);
    const content = randomBytes(300_000);
    // Three objects of different ages: written at day 0, 90 and 245, then all judged at day 366.
    await h.storage.putObject({ bucket: 'data', key: 'old', body: body(content) });
    h.clock.advanceDays(245);
    await h.storage.putObject({ bucket: 'data', key: 'middle', body: body(content) });
    h.clock.advanceDays(90);
    await h.storage.putObject({ bucket: 'data', key: 'young', body: body(content) });
    h.clock.advanceDays(31);
    // Ages now: old 366, middle 121, young 31.
    const result = await h.storage.runLifecycle(h.clock.now());
    expect(result.expired).toEqual([{ bucket: 'data', key: 'old' }]);
    expect(result.transitioned).toEqual([
      { bucket: 'data', key: 'middle', storageClass: 'DEEP_ARCHIVE' },
      { bucket: 'data', key: 'young', storageClass: 'GLACIER' },
    ]);
    await expect(h.storage.headObject('data', 'old')).rejects.toMatchObject({ code: 'NoSuchKey' });
    expect((await h.storage.headObject('data', 'middle')).storageClass).toBe('DEEP_ARCHIVE');
    expect((await h.storage.headObject('data', 'young')).storageClass).toBe('GLACIER');
    // The standard copies are gone: only two archive blobs remain, compressed.
    const blobs = await h.blobNames();
    expect(blobs).toHaveLength(2);
    expect(blobs.every((name) => name.startsWith('archive/'))).toBe(true);
    // A second run at the same time changes nothing.
    expect(await h.storage.runLifecycle(h.clock.now())).toEqual({ transitioned: [], expired: [], restoresExpired: [], uploadsAborted: [] });

    await expect(h.storage.getObject('data', 'young')).rejects.toMatchObject({ code: 'InvalidObjectState', status: 403 });
    await expect(h.storage.copyObject({ sourceBucket: 'data', sourceKey: 'young', bucket: 'data', key: 'copy' })).rejects.toMatchObject({ code: 'InvalidObjectState' });
    expect(await h.storage.restoreObject('data', 'young', 2)).toEqual({ alreadyRestored: false });
    await expect(h.storage.restoreObject('data', 'young', 2)).rejects.toMatchObject({ code: 'RestoreAlreadyInProgress', status: 409 });
    expect((await h.storage.headObject('data', 'young')).restore).toEqual({ ongoing: true, expiresAt: new Date(h.clock.ms + 3600_000 + 2 * DAY).toISOString() });
    await expect(h.storage.getObject('data', 'young')).rejects.toMatchObject({ code: 'InvalidObjectState' });

    // The restore delay passes: the sweep makes the temporary copy.
    h.clock.advanceSeconds(3600);
    const sweep = await h.storage.runLifecycle(h.clock.now());
    expect(sweep.transitioned).toEqual([]);
    expect((await h.storage.headObject('data', 'young')).restore?.ongoing).toBe(false);
    expect((await bytes((await h.storage.getObject('data', 'young')).body)).equals(content)).toBe(true);
    expect((await bytes((await h.storage.getObject('data', 'young', { start: 10, end: 19 })).body)).equals(content.subarray(10, 20))).toBe(true);
    // The object stays GLACIER; a restore of a restored object only moves its expiry.
    expect((await h.storage.headObject('data', 'young')).storageClass).toBe('GLACIER');
    expect(await h.storage.restoreObject('data', 'young', 1)).toEqual({ alreadyRestored: true });

    // A read after the ready time makes the copy too, without a sweep.
    await h.storage.restoreObject('data', 'middle', 5);
    h.clock.advanceSeconds(3600);
    expect((await bytes((await h.storage.getObject('data', 'middle')).body)).equals(content)).toBe(true);

    // After its days the restored copy goes and GET fails again.
    h.clock.advanceDays(1);
    const later = await h.storage.runLifecycle(h.clock.now());
    expect(later.restoresExpired).toEqual([{ bucket: 'data', key: 'young' }]);
    await expect(h.storage.getObject('data', 'young')).rejects.toMatchObject({ code: 'InvalidObjectState' });
    expect((await h.storage.headObject('data', 'young')).restore).toBeUndefined();
    h.clock.advanceDays(5);
    await h.storage.runLifecycle(h.clock.now());
    expect((await h.blobNames()).every((name) => name.startsWith('archive/'))).toBe(true);
  });

  it('applies rules by prefix and tags, skips disabled rules, and refuses restores of standard objects', async () => {
    await h.storage.putLifecycle('data', [
      { id: 'logs', status: 'Enabled', filter: { prefix: 'logs/' }, transitions: [{ days: 10, storageClass: 'STANDARD_IA' }] },
      { id: 'tagged', status: 'Enabled', filter: { tags: { temp: 'yes' } }, transitions: [], expiration: { days: 1 } },
      { id: 'off', status: 'Disabled', filter: {}, transitions: [], expiration: { days: 1 } },
    ]);
    await h.storage.putObject({ bucket: 'data', key: 'logs/a', body: body('a') });
    await h.storage.putObject({ bucket: 'data', key: 'other/b', body: body('b') });
    await h.storage.putObject({ bucket: 'data', key: 'other/tmp', body: body('c'), tags: { temp: 'yes' } });
    const result = await h.storage.runLifecycle(at(11));
    expect(result.transitioned).toEqual([{ bucket: 'data', key: 'logs/a', storageClass: 'STANDARD_IA' }]);
    expect(result.expired).toEqual([{ bucket: 'data', key: 'other/tmp' }]);
    // Non-archive classes stay readable.
    expect(await bytes((await h.storage.getObject('data', 'logs/a')).body)).toEqual(Buffer.from('a'));
    await expect(h.storage.restoreObject('data', 'logs/a', 1)).rejects.toMatchObject({ code: 'InvalidObjectState' });
    await expect(h.storage.restoreObject('data', 'nope', 1)).rejects.toMatchObject({ code: 'NoSuchKey' });
    await expect(h.storage.restoreObject('data', 'logs/a', 0)).rejects.toMatchObject({ code: 'InvalidArgument' });
  });

  it('aborts incomplete multipart uploads after their days', async () => {
    await h.storage.putLifecycle('data', [{ id: 'uploads', status: 'Enabled', filter: { prefix: 'up/' }, transitions: [], abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } }]);
    const stale = await h.storage.createMultipartUpload({ bucket: 'data', key: 'up/stale' });
    await h.storage.uploadPart({ bucket: 'data', key: 'up/stale', uploadId: stale.uploadId, partNumber: 1, body: body('part') });
    const elsewhere = await h.storage.createMultipartUpload({ bucket: 'data', key: 'kept/x' });
    expect((await h.storage.runLifecycle(at(6))).uploadsAborted).toEqual([]);
    expect((await h.storage.runLifecycle(at(7))).uploadsAborted).toEqual([{ bucket: 'data', key: 'up/stale', uploadId: stale.uploadId }]);
    expect((await h.storage.listMultipartUploads('data')).map((u) => u.uploadId)).toEqual([elsewhere.uploadId]);
    expect(await h.blobNames()).toEqual([]);
  });

  it('stores objects PUT straight into GLACIER compressed, readable only after a restore', async () => {
    const content = Buffer.from('cold data '.repeat(1000));
    const info = await h.storage.putObject({ bucket: 'data', key: 'cold', body: body(content), storageClass: 'GLACIER' });
    expect(info.storageClass).toBe('GLACIER');
    expect(info.size).toBe(content.length);
    await expect(h.storage.getObject('data', 'cold')).rejects.toMatchObject({ code: 'InvalidObjectState' });
    await h.storage.restoreObject('data', 'cold', 1);
    h.clock.advanceSeconds(3600);
    expect((await bytes((await h.storage.getObject('data', 'cold')).body)).equals(content)).toBe(true);
  });

  it('validates lifecycle rules and deletes configurations', async () => {
    const bad: LifecycleRule[][] = [
      [],
      [{ id: 'x', status: 'Enabled', filter: {}, transitions: [{ days: 10, storageClass: 'STANDARD' }] }],
      [{ id: 'x', status: 'Enabled', filter: {}, transitions: [{ days: -1, storageClass: 'GLACIER' }] }],
      [{ id: 'x', status: 'Enabled', filter: {}, transitions: [{ days: 40, storageClass: 'GLACIER' }], expiration: { days: 30 } }],
      [{ id: 'x', status: 'Enabled', filter: {}, transitions: [] }],
      [
        { id: 'x', status: 'Enabled', filter: {}, transitions: [], expiration: { days: 3 } },
        { id: 'x', status: 'Enabled', filter: {}, transitions: [], expiration: { days: 3 } },
      ],
    ];
    for (const rules of bad) await expect(h.storage.putLifecycle('data', rules)).rejects.toMatchObject({ status: 400 });
    await expect(h.storage.getLifecycle('data')).rejects.toMatchObject({ code: 'NoSuchLifecycleConfiguration', status: 404 });
    await h.storage.putLifecycle('data', pipelineRules);
    await h.storage.deleteLifecycle('data');
    await expect(h.storage.getLifecycle('data')).rejects.toMatchObject({ code: 'NoSuchLifecycleConfiguration' });
    await expect(h.storage.putLifecycle('nope', pipelineRules)).rejects.toMatchObject({ code: 'NoSuchBucket' });
  });
});
