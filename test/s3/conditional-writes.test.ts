/*
 * Conditions on writes and copies, multipart completion retried, and GET/HEAD of one part,
 * through the SDK on both stores. A create-only write (If-None-Match: *) is checked in the
 * transaction that publishes it: of many racing writers of one key exactly one wins.
 */
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../support/postgres.js';
import { errorOf, startS3Server, type S3Server } from './helpers.js';

const MiB = 1024 * 1024;

for (const store of ['sqlite', 'postgres'] as const) {
  describe(`conditional requests (${store})`, () => {
    let s3: S3Server;
    let client: S3Client;
    let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
    const bucket = `cond-${store}`;

    beforeAll(async () => {
      database = store === 'postgres' ? await createTestDatabase() : undefined;
      s3 = await startS3Server({}, database?.url);
      client = s3.client();
      await client.send(new CreateBucketCommand({ Bucket: bucket }));
    }, 60_000);

    afterAll(async () => {
      client?.destroy();
      await s3?.server.stop();
      await database?.drop();
    });

    async function body(key: string): Promise<string | undefined> {
      return (await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body?.transformToString();
    }

    it('If-None-Match: * creates, and refuses to overwrite', async () => {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'once', Body: 'first', IfNoneMatch: '*' }));
      const second = await errorOf(client.send(new PutObjectCommand({ Bucket: bucket, Key: 'once', Body: 'second', IfNoneMatch: '*' })));
      expect([second.name, second.status]).toEqual(['PreconditionFailed', 412]);
      expect(await body('once')).toBe('first');
    });

    it('of 12 racing create-only PUTs exactly one wins, and the object is its body', async () => {
      const results = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => client.send(new PutObjectCommand({ Bucket: bucket, Key: 'race', Body: `writer ${i}`, IfNoneMatch: '*' }))));
      const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
      expect(won).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect((r.reason as { name: string }).name).toBe('PreconditionFailed');
      expect(await body('race')).toBe(`writer ${won[0]}`);
    });

    it('If-Match writes over the named ETag only', async () => {
      const first = await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'match', Body: 'v1' }));
      const stale = await errorOf(client.send(new PutObjectCommand({ Bucket: bucket, Key: 'match', Body: 'v2', IfMatch: '"0123456789abcdef0123456789abcdef"' })));
      expect([stale.name, stale.status]).toEqual(['PreconditionFailed', 412]);
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'match', Body: 'v2', IfMatch: first.ETag }));
      expect(await body('match')).toBe('v2');
      const missing = await errorOf(client.send(new PutObjectCommand({ Bucket: bucket, Key: 'no-such', Body: 'x', IfMatch: first.ETag })));
      expect([missing.name, missing.status]).toEqual(['NoSuchKey', 404]);
    });

    it('CompleteMultipartUpload honours If-None-Match and answers a retry with the same object', async () => {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'taken', Body: 'already' }));
      const blocked = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'taken' }));
      const blockedPart = await client.send(new UploadPartCommand({ Bucket: bucket, Key: 'taken', UploadId: blocked.UploadId, PartNumber: 1, Body: 'new' }));
      const refused = await errorOf(client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: 'taken', UploadId: blocked.UploadId, IfNoneMatch: '*', MultipartUpload: { Parts: [{ PartNumber: 1, ETag: blockedPart.ETag }] } })));
      expect([refused.name, refused.status]).toEqual(['PreconditionFailed', 412]);
      expect(await body('taken')).toBe('already');

      const upload = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'retried' }));
      const part = await client.send(new UploadPartCommand({ Bucket: bucket, Key: 'retried', UploadId: upload.UploadId, PartNumber: 1, Body: 'parts' }));
      const complete = () => client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: 'retried', UploadId: upload.UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }));
      const done = await complete();
      const again = await complete();
      expect(again.ETag).toBe(done.ETag);
      expect(again.Key).toBe('retried');
      const otherParts = await errorOf(client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: 'retried', UploadId: upload.UploadId, MultipartUpload: { Parts: [{ PartNumber: 2, ETag: part.ETag }] } })));
      expect(otherParts.name).toBe('NoSuchUpload');
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'retried', Body: 'replaced since' }));
      expect((await errorOf(complete())).name).toBe('NoSuchUpload');
    });

    it('CopyObject honours x-amz-copy-source-if-*', async () => {
      const source = await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'source', Body: 'copy me' }));
      const past = new Date(Date.now() - 3600_000);
      const future = new Date(Date.now() + 3600_000);
      const copy = (key: string, conditions: Record<string, unknown>) => client.send(new CopyObjectCommand({ Bucket: bucket, Key: key, CopySource: `${bucket}/source`, ...conditions }));
      await copy('c-match', { CopySourceIfMatch: source.ETag });
      await copy('c-none-match', { CopySourceIfNoneMatch: '"ffffffffffffffffffffffffffffffff"' });
      await copy('c-modified', { CopySourceIfModifiedSince: past });
      await copy('c-unmodified', { CopySourceIfUnmodifiedSince: future });
      // S3: If-Match true decides over If-Unmodified-Since false.
      await copy('c-match-wins', { CopySourceIfMatch: source.ETag, CopySourceIfUnmodifiedSince: past });
      for (const [key, conditions] of [
        ['f-match', { CopySourceIfMatch: '"ffffffffffffffffffffffffffffffff"' }],
        ['f-none-match', { CopySourceIfNoneMatch: source.ETag }],
        ['f-modified', { CopySourceIfModifiedSince: future }],
        ['f-unmodified', { CopySourceIfUnmodifiedSince: past }],
        ['f-none-match-wins', { CopySourceIfNoneMatch: source.ETag, CopySourceIfModifiedSince: past }],
      ] as const) {
        const failed = await errorOf(copy(key, conditions));
        expect([key, failed.name, failed.status]).toEqual([key, 'PreconditionFailed', 412]);
        expect((await errorOf(client.send(new HeadObjectCommand({ Bucket: bucket, Key: key })))).status).toBe(404);
      }
      expect(await body('c-match-wins')).toBe('copy me');
    });

    it('GET and HEAD ?partNumber serve one part and count the parts', async () => {
      const upload = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'parts' }));
      const bodies = [Buffer.alloc(5 * MiB, 'a'), Buffer.alloc(5 * MiB, 'b'), Buffer.from('tail')];
      const parts = [];
      for (const [i, part] of bodies.entries()) parts.push({ PartNumber: i + 1, ETag: (await client.send(new UploadPartCommand({ Bucket: bucket, Key: 'parts', UploadId: upload.UploadId, PartNumber: i + 1, Body: part }))).ETag });
      await client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: 'parts', UploadId: upload.UploadId, MultipartUpload: { Parts: parts } }));
      const second = await client.send(new GetObjectCommand({ Bucket: bucket, Key: 'parts', PartNumber: 2 }));
      expect(second.$metadata.httpStatusCode).toBe(206);
      expect(second.PartsCount).toBe(3);
      expect(second.ContentRange).toBe(`bytes ${5 * MiB}-${10 * MiB - 1}/${10 * MiB + 4}`);
      expect(Buffer.from((await second.Body?.transformToByteArray()) ?? []).equals(bodies[1] as Buffer)).toBe(true);
      const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: 'parts', PartNumber: 3 }));
      expect([head.PartsCount, head.ContentLength]).toEqual([3, 4]);
      const beyond = await errorOf(client.send(new GetObjectCommand({ Bucket: bucket, Key: 'parts', PartNumber: 4 })));
      expect([beyond.name, beyond.status]).toEqual(['InvalidPartNumber', 416]);
      // An object from one PUT is one part.
      const whole = await client.send(new GetObjectCommand({ Bucket: bucket, Key: 'source', PartNumber: 1 }));
      expect(await whole.Body?.transformToString()).toBe('copy me');
      expect(whole.PartsCount).toBeUndefined();
      expect((await errorOf(client.send(new GetObjectCommand({ Bucket: bucket, Key: 'source', PartNumber: 2 })))).status).toBe(416);
    });
  });
}
