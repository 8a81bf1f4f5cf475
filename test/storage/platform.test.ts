/*
 * The platform opens the object store on its database: storage configured by options or
 * SKYBATCH_STORAGE_* variables, per-bucket backends, bad configuration refused clearly.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { openPlatform, type OpenPlatform } from '../../src/engine/platform.js';
import { scheduleLifecycle, storageConfigFromEnv } from '../../src/storage/config.js';
import { backends, type BackendHandle } from '../support/backends.js';
import { body, FakeS3, S3_BUCKET, text } from './helpers.js';

const fakeS3 = new FakeS3();
afterAll(() => fakeS3.stop());

describe('storage configuration from the environment', () => {
  it('reads backends, S3 settings, per-bucket backends and timings', () => {
    expect(storageConfigFromEnv({})).toEqual({});
    expect(
      storageConfigFromEnv({
        SKYBATCH_STORAGE_BACKEND: 's3',
        SKYBATCH_STORAGE_S3_BUCKET: 'b',
        SKYBATCH_STORAGE_S3_ENDPOINT: 'http://127.0.0.1:9000',
        SKYBATCH_STORAGE_S3_REGION: 'eu-west-1',
        SKYBATCH_STORAGE_S3_ACCESS_KEY_ID: 'id',
        SKYBATCH_STORAGE_S3_SECRET_ACCESS_KEY: 'secret',
        SKYBATCH_STORAGE_S3_FORCE_PATH_STYLE: 'true',
        SKYBATCH_STORAGE_S3_PREFIX: 'sky/',
        SKYBATCH_STORAGE_BUCKET_BACKENDS: 'scratch=local, shared=s3',
        SKYBATCH_STORAGE_RESTORE_DELAY_SECONDS: '60',
        SKYBATCH_STORAGE_LIFECYCLE_INTERVAL_SECONDS: '0',
        SKYBATCH_STORAGE_INLINE_BYTES: '4096',
      }),
    ).toEqual({
      backend: 's3',
      s3: { bucket: 'b', endpoint: 'http://127.0.0.1:9000', region: 'eu-west-1', accessKeyId: 'id', secretAccessKey: 'secret', forcePathStyle: true, prefix: 'sky/' },
      buckets: { scratch: 'local', shared: 's3' },
      restoreDelaySeconds: 60,
      lifecycleIntervalSeconds: 0,
      inlineBytes: 4096,
    });
  });

  it.each([
    [{ SKYBATCH_STORAGE_BACKEND: 'ftp' }, /SKYBATCH_STORAGE_BACKEND/],
    [{ SKYBATCH_STORAGE_BUCKET_BACKENDS: 'a=disk' }, /BUCKET=local\|s3/],
    [{ SKYBATCH_STORAGE_RESTORE_DELAY_SECONDS: 'soon' }, /number of seconds/],
    [{ SKYBATCH_STORAGE_RESTORE_DELAY_SECONDS: '1e300' }, /SKYBATCH_STORAGE_RESTORE_DELAY_SECONDS must be at most 99999999 seconds/],
    [{ SKYBATCH_STORAGE_LIFECYCLE_INTERVAL_SECONDS: '100000000' }, /SKYBATCH_STORAGE_LIFECYCLE_INTERVAL_SECONDS must be at most 99999999 seconds/],
    [{ SKYBATCH_STORAGE_INLINE_BYTES: '16k' }, /SKYBATCH_STORAGE_INLINE_BYTES must be a whole number of bytes from 0 to 1048576/],
    [{ SKYBATCH_STORAGE_INLINE_BYTES: '2000000' }, /SKYBATCH_STORAGE_INLINE_BYTES must be a whole number/],
    [{ SKYBATCH_STORAGE_INLINE_BYTES: '-1' }, /SKYBATCH_STORAGE_INLINE_BYTES must be a whole number/],
  ])('refuses %o', (env, message) => {
    expect(() => storageConfigFromEnv(env)).toThrow(message);
  });

  it('takes the longest lifecycle interval as given (a Node timer past 24.8 days would fire every millisecond)', async () => {
    expect(storageConfigFromEnv({ SKYBATCH_STORAGE_LIFECYCLE_INTERVAL_SECONDS: '99999999' })).toEqual({ lifecycleIntervalSeconds: 99_999_999 });
    const dir = await mkdtemp(join(tmpdir(), 'skybatch-lifecycle-'));
    const platform = await openPlatform({ dataDir: dir, run: false });
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      const stop = scheduleLifecycle(platform.storage, 99_999_999 * 1000);
      await new Promise((resolve) => setTimeout(resolve, 100));
      await stop();
    } finally {
      process.off('warning', onWarning);
      await platform.close();
      await rm(dir, { recursive: true, force: true });
    }
    expect(warnings).not.toContain('TimeoutOverflowWarning');
  });
});

describe.each(backends)('platform storage on $name', (backend) => {
  let handle: BackendHandle | undefined;
  let platform: OpenPlatform | undefined;
  afterEach(async () => {
    await platform?.close();
    platform = undefined;
    await handle?.cleanup();
    handle = undefined;
  });

  it('serves objects from local and S3 buckets side by side, and keeps them across a restart', async () => {
    handle = await backend.create();
    const endpoint = await fakeS3.start();
    const storage = {
      buckets: { shared: 's3' as const },
      s3: { bucket: S3_BUCKET, endpoint, accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', prefix: `platform-${backend.name}/` },
      lifecycleIntervalSeconds: 0,
      // The test counts the blobs in S3: every body one.
      inlineBytes: 0,
    };
    platform = await openPlatform({ dataDir: handle.dataDir, databaseUrl: handle.databaseUrl, run: false, storage });
    await platform.storage.createBucket('local-bucket');
    await platform.storage.createBucket('shared');
    await platform.storage.putObject({ bucket: 'local-bucket', key: 'a', body: body('on disk') });
    await platform.storage.putObject({ bucket: 'shared', key: 'b', body: body('in s3') });
    const listed = await fakeS3.client().send(new ListObjectsV2Command({ Bucket: S3_BUCKET, Prefix: `platform-${backend.name}/` }));
    expect(listed.KeyCount).toBe(1);
    await platform.close();
    platform = await openPlatform({ dataDir: handle.dataDir, databaseUrl: handle.databaseUrl, run: false, storage });
    expect(await text((await platform.storage.getObject('local-bucket', 'a')).body)).toBe('on disk');
    expect(await text((await platform.storage.getObject('shared', 'b')).body)).toBe('in s3');
  });

  it('refuses an S3 backend without a bucket, clearly, and opens again afterwards', async () => {
    handle = await backend.create();
    await expect(openPlatform({ dataDir: handle.dataDir, databaseUrl: handle.databaseUrl, storage: { backend: 's3' } })).rejects.toThrow(/SKYBATCH_STORAGE_S3_BUCKET/);
    platform = await openPlatform({ dataDir: handle.dataDir, databaseUrl: handle.databaseUrl, pollMs: 50, storage: { lifecycleIntervalSeconds: 1 } });
    await platform.storage.createBucket('data');
    expect((await platform.storage.listBuckets()).map((b) => b.name)).toEqual(['data']);
  });
});
