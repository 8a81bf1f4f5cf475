/*
 * Round trips through the S3 API with @aws-sdk/client-s3 against a real `skybatch up`:
 * buckets, objects (ranges, metadata, odd keys), listings, copies, multipart, lifecycle,
 * notifications, restores, and the XML errors S3 clients parse.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteBucketLifecycleCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketLocationCommand,
  GetBucketNotificationConfigurationCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
  RestoreObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../support/backends.js';
import { errorOf, startS3Server, type S3Server } from './helpers.js';

let s3: S3Server;
let client: S3Client;
const md5 = (data: Buffer | string) => createHash('md5').update(data).digest('hex');

beforeAll(async () => {
  s3 = await startS3Server();
  client = s3.client();
}, 60_000);

afterAll(async () => {
  client?.destroy();
  await s3?.server.stop();
});

async function bytes(body: unknown): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body as Readable) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

describe('buckets', () => {
  it('creates, heads, lists, locates and deletes a bucket', async () => {
    await client.send(new CreateBucketCommand({ Bucket: 'sdk-buckets' }));
    await client.send(new HeadBucketCommand({ Bucket: 'sdk-buckets' }));
    const listed = await client.send(new ListBucketsCommand({}));
    expect(listed.Buckets?.map((b) => b.Name)).toContain('sdk-buckets');
    const location = await client.send(new GetBucketLocationCommand({ Bucket: 'sdk-buckets' }));
    expect(location.LocationConstraint ?? '').toBe('');
    await client.send(new DeleteBucketCommand({ Bucket: 'sdk-buckets' }));
    expect(await errorOf(client.send(new HeadBucketCommand({ Bucket: 'sdk-buckets' })))).toMatchObject({ status: 404 });
  });

  it('answers NoSuchBucket, BucketNotEmpty and InvalidBucketName', async () => {
    expect(await errorOf(client.send(new GetObjectCommand({ Bucket: 'no-such-bucket', Key: 'k' })))).toMatchObject({ name: 'NoSuchBucket', status: 404 });
    await client.send(new CreateBucketCommand({ Bucket: 'sdk-full' }));
    await client.send(new PutObjectCommand({ Bucket: 'sdk-full', Key: 'k', Body: 'x' }));
    expect(await errorOf(client.send(new DeleteBucketCommand({ Bucket: 'sdk-full' })))).toMatchObject({ name: 'BucketNotEmpty', status: 409 });
    expect(await errorOf(client.send(new CreateBucketCommand({ Bucket: 'Bad_Name' })))).toMatchObject({ name: 'InvalidBucketName', status: 400 });
  });
});

describe('objects', () => {
  beforeAll(async () => {
    await client.send(new CreateBucketCommand({ Bucket: 'sdk-objects' }));
  });

  it('puts and gets an object with its type, metadata, ETag and ranges', async () => {
    const body = 'The quick brown fox jumps over the lazy dog';
    const put = await client.send(new PutObjectCommand({ Bucket: 'sdk-objects', Key: 'fox.txt', Body: body, ContentType: 'text/plain', Metadata: { project: 'p1' } }));
    expect(put.ETag).toBe(`"${md5(body)}"`);
    const head = await client.send(new HeadObjectCommand({ Bucket: 'sdk-objects', Key: 'fox.txt' }));
    expect(head).toMatchObject({ ContentLength: body.length, ContentType: 'text/plain', Metadata: { project: 'p1' }, ETag: `"${md5(body)}"` });
    const got = await client.send(new GetObjectCommand({ Bucket: 'sdk-objects', Key: 'fox.txt' }));
    expect((await bytes(got.Body)).toString()).toBe(body);
    const ranged = await client.send(new GetObjectCommand({ Bucket: 'sdk-objects', Key: 'fox.txt', Range: 'bytes=4-8' }));
    expect(ranged.$metadata.httpStatusCode).toBe(206);
    expect(ranged.ContentRange).toBe(`bytes 4-8/${body.length}`);
    expect((await bytes(ranged.Body)).toString()).toBe('quick');
    const suffix = await client.send(new GetObjectCommand({ Bucket: 'sdk-objects', Key: 'fox.txt', Range: 'bytes=-3' }));
    expect((await bytes(suffix.Body)).toString()).toBe('dog');
    expect(await errorOf(client.send(new GetObjectCommand({ Bucket: 'sdk-objects', Key: 'fox.txt', Range: 'bytes=100-200' })))).toMatchObject({ status: 416 });
  });

  it('takes bodies of any content type, or none, as raw bytes', async () => {
    await client.send(new PutObjectCommand({ Bucket: 'sdk-objects', Key: 'doc.json', Body: '{"not": "parsed"', ContentType: 'application/json' }));
    const json = await client.send(new GetObjectCommand({ Bucket: 'sdk-objects', Key: 'doc.json' }));
    expect(json.ContentType).toBe('application/json');
    expect((await bytes(json.Body)).toString()).toBe('{"not": "parsed"');

    const url = new URL(`${s3.endpoint}/sdk-objects/untyped`);
    const signer = new SignatureV4({ credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey }, region: 'us-east-1', service: 's3', sha256: Sha256, uriEscapePath: false });
    const body = 'no content type at all';
    const request = new HttpRequest({ method: 'PUT', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: url.pathname, headers: { host: url.host, 'content-length': String(body.length) }, body });
    const signed = await signer.sign(request);
    // Bytes, not a string: fetch adds no Content-Type for them.
    const response = await fetch(url, { method: 'PUT', headers: signed.headers, body: Buffer.from(body) });
    expect(response.status, await response.text()).toBe(200);
    const got = await client.send(new GetObjectCommand({ Bucket: 'sdk-objects', Key: 'untyped' }));
    expect((await bytes(got.Body)).toString()).toBe(body);
  });

  it('refuses a body whose SHA-256 is not the signed one, and stores nothing', async () => {
    const url = new URL(`${s3.endpoint}/sdk-objects/tampered`);
    const signer = new SignatureV4({ credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey }, region: 'us-east-1', service: 's3', sha256: Sha256, uriEscapePath: false });
    const signedFor = createHash('sha256').update('the body that was signed').digest('hex');
    const body = Buffer.from('a body that was swapped!');
    const request = new HttpRequest({ method: 'PUT', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: url.pathname, headers: { host: url.host, 'x-amz-content-sha256': signedFor, 'content-length': String(body.length) } });
    const signed = await signer.sign(request);
    const response = await fetch(url, { method: 'PUT', headers: signed.headers, body });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('<Code>XAmzContentSHA256Mismatch</Code>');
    expect(await errorOf(client.send(new HeadObjectCommand({ Bucket: 'sdk-objects', Key: 'tampered' })))).toMatchObject({ status: 404 });
  });

  it('answers conditional GETs: 304 for a current copy, 412 PreconditionFailed for a changed one', async () => {
    const put = await client.send(new PutObjectCommand({ Bucket: 'sdk-objects', Key: 'cond.txt', Body: 'v1' }));
    expect(await errorOf(client.send(new GetObjectCommand({ Bucket: 'sdk-objects', Key: 'cond.txt', IfNoneMatch: put.ETag })))).toMatchObject({ status: 304 });
    expect(await errorOf(client.send(new GetObjectCommand({ Bucket: 'sdk-objects', Key: 'cond.txt', IfMatch: '"0123456789abcdef0123456789abcdef"' })))).toMatchObject({ name: 'PreconditionFailed', status: 412 });
    const got = await client.send(new GetObjectCommand({ Bucket: 'sdk-objects', Key: 'cond.txt', IfMatch: put.ETag }));
    expect((await bytes(got.Body)).toString()).toBe('v1');
    const later = new Date(Date.now() + 3600_000);
    expect(await errorOf(client.send(new HeadObjectCommand({ Bucket: 'sdk-objects', Key: 'cond.txt', IfModifiedSince: later })))).toMatchObject({ status: 304 });
  });

  it('keeps keys with spaces, plus signs, unicode and dots as data', async () => {
    const keys = ['dir/a b+c~d(1).txt', 'ü/日本語.txt', 'x/../y', 'percent%2Fencoded'];
    for (const key of keys) await client.send(new PutObjectCommand({ Bucket: 'sdk-objects', Key: key, Body: key }));
    for (const key of keys) {
      const got = await client.send(new GetObjectCommand({ Bucket: 'sdk-objects', Key: key }));
      expect((await bytes(got.Body)).toString()).toBe(key);
    }
    const listed = await client.send(new ListObjectsV2Command({ Bucket: 'sdk-objects' }));
    expect(listed.Contents?.map((o) => o.Key)).toEqual(expect.arrayContaining(keys));
  });

  it('keeps absolute paths and long keys inside the bucket, and refuses NUL bytes and overlong keys', async () => {
    await client.send(new PutObjectCommand({ Bucket: 'sdk-objects', Key: '/etc/passwd', Body: 'not the real one' }));
    const got = await client.send(new GetObjectCommand({ Bucket: 'sdk-objects', Key: '/etc/passwd' }));
    expect((await bytes(got.Body)).toString()).toBe('not the real one');
    // 1024 bytes is S3's limit; percent-encoded it is a 3,072-character path segment.
    const longest = 'é'.repeat(512);
    await client.send(new PutObjectCommand({ Bucket: 'sdk-objects', Key: longest, Body: 'long' }));
    expect((await client.send(new HeadObjectCommand({ Bucket: 'sdk-objects', Key: longest }))).ContentLength).toBe(4);
    expect(await errorOf(client.send(new PutObjectCommand({ Bucket: 'sdk-objects', Key: `${longest}x`, Body: 'x' })))).toMatchObject({ name: 'KeyTooLongError', status: 400 });
    const nul = await errorOf(client.send(new PutObjectCommand({ Bucket: 'sdk-objects', Key: 'a\u0000b', Body: 'x' })));
    expect(nul.status).toBe(400);
  });

  it('streams a body of unknown length (aws-chunked with a trailing checksum)', async () => {
    const data = randomBytes(300_000);
    await client.send(new PutObjectCommand({ Bucket: 'sdk-objects', Key: 'stream.bin', Body: Readable.from([data.subarray(0, 100_000), data.subarray(100_000)]), ContentLength: data.length }));
    const got = await client.send(new GetObjectCommand({ Bucket: 'sdk-objects', Key: 'stream.bin' }));
    expect((await bytes(got.Body)).equals(data)).toBe(true);
  });

  it('copies, deletes one and many, and answers NoSuchKey with S3 XML', async () => {
    await client.send(new PutObjectCommand({ Bucket: 'sdk-objects', Key: 'src', Body: 'source', Metadata: { a: '1' } }));
    const copied = await client.send(new CopyObjectCommand({ Bucket: 'sdk-objects', Key: 'copy', CopySource: 'sdk-objects/src' }));
    expect(copied.CopyObjectResult?.ETag).toBe(`"${md5('source')}"`);
    const head = await client.send(new HeadObjectCommand({ Bucket: 'sdk-objects', Key: 'copy' }));
    expect(head.Metadata).toEqual({ a: '1' });
    await client.send(new DeleteObjectCommand({ Bucket: 'sdk-objects', Key: 'copy' }));
    const missing = await errorOf(client.send(new GetObjectCommand({ Bucket: 'sdk-objects', Key: 'copy' })));
    expect(missing).toMatchObject({ name: 'NoSuchKey', status: 404 });
    expect(await errorOf(client.send(new HeadObjectCommand({ Bucket: 'sdk-objects', Key: 'copy' })))).toMatchObject({ status: 404 });

    await client.send(new PutObjectCommand({ Bucket: 'sdk-objects', Key: 'del/1', Body: '1' }));
    await client.send(new PutObjectCommand({ Bucket: 'sdk-objects', Key: 'del/2', Body: '2' }));
    const deleted = await client.send(new DeleteObjectsCommand({ Bucket: 'sdk-objects', Delete: { Objects: [{ Key: 'del/1' }, { Key: 'del/2' }, { Key: 'del/none' }] } }));
    expect(deleted.Deleted?.map((d) => d.Key).sort()).toEqual(['del/1', 'del/2', 'del/none']);
    const after = await client.send(new ListObjectsV2Command({ Bucket: 'sdk-objects', Prefix: 'del/' }));
    expect(after.KeyCount).toBe(0);

    const raw = await fetch(`${s3.endpoint}/sdk-objects/copy`);
    expect(raw.status).toBe(403);
    const text = await raw.text();
    expect(text).toContain('<Code>AccessDenied</Code>');
    expect(text).toContain('<RequestId>');
  });

  it('lists by prefix and delimiter, page by page', async () => {
    await client.send(new CreateBucketCommand({ Bucket: 'sdk-list' }));
    const keys = ['a/1', 'a/2', 'a/3', 'b/1', 'b/sub/2', 'top1', 'top2'];
    for (const key of keys) await client.send(new PutObjectCommand({ Bucket: 'sdk-list', Key: key, Body: key }));
    const root = await client.send(new ListObjectsV2Command({ Bucket: 'sdk-list', Delimiter: '/' }));
    expect(root.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['a/', 'b/']);
    expect(root.Contents?.map((o) => o.Key)).toEqual(['top1', 'top2']);
    const b = await client.send(new ListObjectsV2Command({ Bucket: 'sdk-list', Prefix: 'b/', Delimiter: '/' }));
    expect(b.Contents?.map((o) => o.Key)).toEqual(['b/1']);
    expect(b.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['b/sub/']);
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: 'sdk-list', MaxKeys: 2, ...(token ? { ContinuationToken: token } : {}) }));
      expect(page.Contents?.length ?? 0).toBeLessThanOrEqual(2);
      seen.push(...(page.Contents ?? []).map((o) => o.Key ?? ''));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    expect(seen).toEqual(keys);
    const after = await client.send(new ListObjectsV2Command({ Bucket: 'sdk-list', StartAfter: 'b/sub/2' }));
    expect(after.Contents?.map((o) => o.Key)).toEqual(['top1', 'top2']);
  });
});

describe('multipart uploads', () => {
  beforeAll(async () => {
    await client.send(new CreateBucketCommand({ Bucket: 'sdk-multipart' }));
  });

  it('uploads parts, lists them, completes with the multipart ETag, and aborts another', async () => {
    const part1 = randomBytes(5 * 1024 * 1024);
    const part2 = randomBytes(1024 * 1024 + 7);
    const created = await client.send(new CreateMultipartUploadCommand({ Bucket: 'sdk-multipart', Key: 'big.bin', ContentType: 'application/x-test' }));
    const uploadId = created.UploadId!;
    const uploads = await client.send(new ListMultipartUploadsCommand({ Bucket: 'sdk-multipart' }));
    expect(uploads.Uploads?.map((u) => u.UploadId)).toContain(uploadId);
    const e1 = await client.send(new UploadPartCommand({ Bucket: 'sdk-multipart', Key: 'big.bin', UploadId: uploadId, PartNumber: 1, Body: part1 }));
    const e2 = await client.send(new UploadPartCommand({ Bucket: 'sdk-multipart', Key: 'big.bin', UploadId: uploadId, PartNumber: 2, Body: part2 }));
    expect(e1.ETag).toBe(`"${md5(part1)}"`);
    const parts = await client.send(new ListPartsCommand({ Bucket: 'sdk-multipart', Key: 'big.bin', UploadId: uploadId }));
    expect(parts.Parts?.map((p) => [p.PartNumber, p.Size])).toEqual([
      [1, part1.length],
      [2, part2.length],
    ]);
    const done = await client.send(
      new CompleteMultipartUploadCommand({ Bucket: 'sdk-multipart', Key: 'big.bin', UploadId: uploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: e1.ETag! }, { PartNumber: 2, ETag: e2.ETag! }] } }),
    );
    const expected = createHash('md5').update(Buffer.concat([createHash('md5').update(part1).digest(), createHash('md5').update(part2).digest()])).digest('hex');
    expect(done.ETag).toBe(`"${expected}-2"`);
    const got = await client.send(new GetObjectCommand({ Bucket: 'sdk-multipart', Key: 'big.bin' }));
    expect(got.ContentType).toBe('application/x-test');
    expect((await bytes(got.Body)).equals(Buffer.concat([part1, part2]))).toBe(true);

    const other = await client.send(new CreateMultipartUploadCommand({ Bucket: 'sdk-multipart', Key: 'aborted.bin' }));
    await client.send(new AbortMultipartUploadCommand({ Bucket: 'sdk-multipart', Key: 'aborted.bin', UploadId: other.UploadId! }));
    expect(await errorOf(client.send(new ListPartsCommand({ Bucket: 'sdk-multipart', Key: 'aborted.bin', UploadId: other.UploadId! })))).toMatchObject({ name: 'NoSuchUpload', status: 404 });
  });

  it('uploads a stream with lib-storage (parallel parts)', async () => {
    const data = randomBytes(12 * 1024 * 1024 + 3);
    const upload = new Upload({ client, params: { Bucket: 'sdk-multipart', Key: 'streamed.bin', Body: Readable.from([data]) }, partSize: 5 * 1024 * 1024, queueSize: 3 });
    await upload.done();
    const got = await client.send(new GetObjectCommand({ Bucket: 'sdk-multipart', Key: 'streamed.bin' }));
    expect((await bytes(got.Body)).equals(data)).toBe(true);
  });
});

describe('bucket configurations', () => {
  beforeAll(async () => {
    await client.send(new CreateBucketCommand({ Bucket: 'sdk-config' }));
  });

  const tiers = {
    ID: 'tiers',
    Status: 'Enabled' as const,
    Filter: { Prefix: 'result/' },
    Transitions: [
      { Days: 30, StorageClass: 'GLACIER' as const },
      { Days: 120, StorageClass: 'DEEP_ARCHIVE' as const },
    ],
    Expiration: { Days: 365 },
    AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
  };

  it('puts, gets and deletes a lifecycle configuration', async () => {
    expect(await errorOf(client.send(new GetBucketLifecycleConfigurationCommand({ Bucket: 'sdk-config' })))).toMatchObject({ name: 'NoSuchLifecycleConfiguration', status: 404 });
    await client.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket: 'sdk-config',
        LifecycleConfiguration: {
          Rules: [tiers],
        },
      }),
    );
    const got = await client.send(new GetBucketLifecycleConfigurationCommand({ Bucket: 'sdk-config' }));
    expect(got.Rules).toEqual([tiers]);
    await client.send(new DeleteBucketLifecycleCommand({ Bucket: 'sdk-config' }));
    expect(await errorOf(client.send(new GetBucketLifecycleConfigurationCommand({ Bucket: 'sdk-config' })))).toMatchObject({ name: 'NoSuchLifecycleConfiguration' });
    const invalid = await errorOf(
      client.send(new PutBucketLifecycleConfigurationCommand({ Bucket: 'sdk-config', LifecycleConfiguration: { Rules: [{ ID: 'x', Status: 'Enabled', Filter: {}, Transitions: [{ Days: 1, StorageClass: 'STANDARD' as 'GLACIER' }] }] } })),
    );
    expect(invalid.status).toBe(400);
  });

  it('puts and gets a notification configuration', async () => {
    await client.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: 'sdk-config',
        NotificationConfiguration: {
          QueueConfigurations: [
            {
              Id: 'start-pipeline',
              QueueArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:pipeline',
              Events: ['s3:ObjectCreated:*'],
              Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'in/' }, { Name: 'suffix', Value: '.csv' }] } },
            },
          ],
          TopicConfigurations: [{ Id: 'tell', TopicArn: 'arn:aws:sns:us-east-1:123456789012:done', Events: ['s3:ObjectRemoved:*'] }],
        },
      }),
    );
    const got = await client.send(new GetBucketNotificationConfigurationCommand({ Bucket: 'sdk-config' }));
    expect(got.QueueConfigurations?.[0]).toMatchObject({ Id: 'start-pipeline', QueueArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:pipeline', Events: ['s3:ObjectCreated:*'] });
    expect(got.QueueConfigurations?.[0]?.Filter?.Key?.FilterRules).toEqual(expect.arrayContaining([{ Name: 'prefix', Value: 'in/' }, { Name: 'suffix', Value: '.csv' }]));
    expect(got.TopicConfigurations?.[0]).toMatchObject({ Id: 'tell', TopicArn: 'arn:aws:sns:us-east-1:123456789012:done' });
  });

  it('archives with a storage class: GET fails with InvalidObjectState until RestoreObject', async () => {
    const data = randomBytes(100_000);
    await client.send(new PutObjectCommand({ Bucket: 'sdk-config', Key: 'cold.bin', Body: data, StorageClass: 'GLACIER' }));
    const head = await client.send(new HeadObjectCommand({ Bucket: 'sdk-config', Key: 'cold.bin' }));
    expect(head.StorageClass).toBe('GLACIER');
    expect(await errorOf(client.send(new GetObjectCommand({ Bucket: 'sdk-config', Key: 'cold.bin' })))).toMatchObject({ name: 'InvalidObjectState', status: 403 });
    const restore = await client.send(new RestoreObjectCommand({ Bucket: 'sdk-config', Key: 'cold.bin', RestoreRequest: { Days: 2 } }));
    expect(restore.$metadata.httpStatusCode).toBe(202);
    const restored = await client.send(new HeadObjectCommand({ Bucket: 'sdk-config', Key: 'cold.bin' }));
    expect(restored.Restore).toContain('ongoing-request="false"');
    const got = await client.send(new GetObjectCommand({ Bucket: 'sdk-config', Key: 'cold.bin' }));
    expect((await bytes(got.Body)).equals(data)).toBe(true);
  });
});

describe('authentication', () => {
  it('answers SignatureDoesNotMatch for a wrong secret and InvalidAccessKeyId for an unknown key', async () => {
    const wrong = s3.client({ accessKeyId: s3.accessKeyId, secretAccessKey: 'x'.repeat(40) });
    expect(await errorOf(wrong.send(new ListBucketsCommand({})))).toMatchObject({ name: 'SignatureDoesNotMatch', status: 403 });
    const unknown = s3.client({ accessKeyId: 'SKBNOSUCHKEY00000000', secretAccessKey: 'x'.repeat(40) });
    expect(await errorOf(unknown.send(new ListBucketsCommand({})))).toMatchObject({ name: 'InvalidAccessKeyId', status: 403 });
  });

  it('serves a presigned GET and PUT, and refuses the GET once it has expired', async () => {
    await client.send(new CreateBucketCommand({ Bucket: 'sdk-presign' }));
    const putUrl = await getSignedUrl(client, new PutObjectCommand({ Bucket: 'sdk-presign', Key: 'shared.txt' }), { expiresIn: 300 });
    expect((await fetch(putUrl, { method: 'PUT', body: 'presigned body' })).status).toBe(200);
    const getUrl = await getSignedUrl(client, new GetObjectCommand({ Bucket: 'sdk-presign', Key: 'shared.txt' }), { expiresIn: 1 });
    const response = await fetch(getUrl);
    // Signed within the second; if the clock ticked over already, it is expired, as it should be.
    if (response.status === 200) expect(await response.text()).toBe('presigned body');
    const expired = await until(async () => {
      const r = await fetch(getUrl);
      if (r.status === 403) return r.text();
      await r.body?.cancel();
      return undefined;
    }, 10_000, 250);
    expect(expired).toContain('<Code>AccessDenied</Code>');
    expect(expired).toContain('Request has expired');
  });

  it('a deleted access key stops working', async () => {
    const created = await s3.server.api<{ accessKeyId: string; secretAccessKey: string }>('POST', '/api/v1/access-keys', {});
    const other = s3.client(created.body);
    await other.send(new ListBucketsCommand({}));
    await s3.server.api('DELETE', `/api/v1/access-keys/${created.body.accessKeyId}`);
    expect(await errorOf(other.send(new ListBucketsCommand({})))).toMatchObject({ name: 'InvalidAccessKeyId' });
  });
});

describe('shutdown', () => {
  it('a client that stops reading a download does not keep skybatch up from stopping', async () => {
    const own = await startS3Server();
    const ownClient = own.client();
    try {
      await ownClient.send(new CreateBucketCommand({ Bucket: 'stuck' }));
      await ownClient.send(new PutObjectCommand({ Bucket: 'stuck', Key: 'big.bin', Body: randomBytes(32 * 1024 * 1024) }));
      const url = await getSignedUrl(ownClient, new GetObjectCommand({ Bucket: 'stuck', Key: 'big.bin' }), { expiresIn: 300 });
      const response = await fetch(url);
      expect(response.status).toBe(200);
      // The body is never read: the server's writes stall on a full socket.
      await own.server.stop();
      expect(own.server.process.exitCode ?? own.server.process.signalCode).not.toBeNull();
      await response.body?.cancel().catch(() => {});
    } finally {
      ownClient.destroy();
      await own.server.stop();
    }
  }, 60_000);
});
