/*
 * Versioning on a server that keeps one version per key: GetBucketVersioning answers as for
 * a bucket that never had versioning, ListObjectVersions lists the current versions (id
 * "null"), and what is not supported answers 501 NotImplemented at once, which no client retries.
 */
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
  type S3Client as Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awscli, errorOf, startS3Server, type S3Server } from './helpers.js';

const BUCKET = 'versions';
const KEYS = ['a', 'dir/x', 'dir/y', 'z'];

let s3: S3Server;
let client: Client;

beforeAll(async () => {
  s3 = await startS3Server();
  client = s3.client();
  await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
  for (const key of KEYS) await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: key }));
}, 60_000);

afterAll(async () => {
  client?.destroy();
  await s3?.server.stop();
});


describe('versioning', () => {
  it('GetBucketVersioning answers with no status', async () => {
    const answer = await client.send(new GetBucketVersioningCommand({ Bucket: BUCKET }));
    expect(answer.$metadata.httpStatusCode).toBe(200);
    expect(answer.Status).toBeUndefined();
    const { stdout } = await awscli(s3, ['s3api', 'get-bucket-versioning', '--bucket', BUCKET, '--output', 'json']);
    expect(stdout.trim()).toBe('');
    expect((await errorOf(client.send(new GetBucketVersioningCommand({ Bucket: 'no-such-bucket' })))).name).toBe('NoSuchBucket');
  });

  it('enabling versioning is NotImplemented, answered once', async () => {
    const retrying = new S3Client({ endpoint: s3.endpoint, forcePathStyle: true, region: 'us-east-1', credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey }, maxAttempts: 3 });
    try {
      for (const command of [new PutBucketVersioningCommand({ Bucket: BUCKET, VersioningConfiguration: { Status: 'Enabled' } }), new GetBucketPolicyCommand({ Bucket: BUCKET }), new GetObjectTaggingCommand({ Bucket: BUCKET, Key: 'a' })]) {
        try {
          await retrying.send(command as never);
          throw new Error('expected NotImplemented');
        } catch (err) {
          const e = err as { name: string; $metadata?: { httpStatusCode?: number; attempts?: number } };
          expect(e.name).toBe('NotImplemented');
          expect(e.$metadata?.httpStatusCode).toBe(501);
          expect(e.$metadata?.attempts).toBe(1);
        }
      }
    } finally {
      retrying.destroy();
    }
    await expect(awscli(s3, ['s3api', 'get-bucket-policy', '--bucket', BUCKET])).rejects.toThrow(/NotImplemented/);
  });

  it('ListObjectVersions lists the current version of every key', async () => {
    const answer = await client.send(new ListObjectVersionsCommand({ Bucket: BUCKET }));
    expect(answer.Versions?.map((v) => [v.Key, v.VersionId, v.IsLatest, v.Size])).toEqual(KEYS.map((k) => [k, 'null', true, k.length]));
    expect(answer.IsTruncated).toBe(false);
    const folded = await client.send(new ListObjectVersionsCommand({ Bucket: BUCKET, Delimiter: '/' }));
    expect(folded.Versions?.map((v) => v.Key)).toEqual(['a', 'z']);
    expect(folded.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['dir/']);
  });

  it('awscli pages through ListObjectVersions one entry at a time', async () => {
    const { stdout } = await awscli(s3, ['s3api', 'list-object-versions', '--bucket', BUCKET, '--delimiter', '/', '--page-size', '1', '--output', 'json']);
    const answer = JSON.parse(stdout) as { Versions?: { Key: string; VersionId: string }[]; CommonPrefixes?: { Prefix: string }[] };
    expect(answer.Versions?.map((v) => `${v.Key}@${v.VersionId}`)).toEqual(['a@null', 'z@null']);
    expect(answer.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['dir/']);
  });

  it('versionId=null addresses the current object; any other id is refused', async () => {
    const got = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'a', VersionId: 'null' }));
    expect(await got.Body?.transformToString()).toBe('a');
    expect((await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'z', VersionId: 'null' }))).ContentLength).toBe(1);
    const wrong = await errorOf(client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'a', VersionId: '3HL4kqtJlcpXroDTDmJ' })));
    expect([wrong.name, wrong.status]).toEqual(['InvalidArgument', 400]);
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'gone', Body: 'x' }));
    await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'gone', VersionId: 'null' }));
    expect((await errorOf(client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'gone' })))).status).toBe(404);
  });
});
