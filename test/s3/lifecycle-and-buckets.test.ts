/*
 * Lifecycle configurations written for AWS round-trip (the older rule-level <Prefix>, the
 * version actions), x-amz-expiration announces a rule's expiry, and ListBuckets and
 * ListObjectsV2 take their paging and owner parameters.
 */
import {
  CreateBucketCommand,
  GetBucketLifecycleConfigurationCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutBucketLifecycleConfigurationCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awscli, errorOf, signedRequest, startS3Server, type S3Server } from './helpers.js';

const DAY = 24 * 3600 * 1000;

let s3: S3Server;
let client: S3Client;

beforeAll(async () => {
  s3 = await startS3Server();
  client = s3.client();
  for (const name of ['life', 'list-a', 'list-b', 'list-c', 'other-1']) await client.send(new CreateBucketCommand({ Bucket: name }));
}, 60_000);

afterAll(async () => {
  client?.destroy();
  await s3?.server.stop();
});


describe('lifecycle configurations', () => {
  it('keep the older rule-level Prefix as written', async () => {
    const xml = '<LifecycleConfiguration><Rule><ID>old-style</ID><Prefix>logs/</Prefix><Status>Enabled</Status><Expiration><Days>30</Days></Expiration></Rule></LifecycleConfiguration>';
    const put = await signedRequest(s3, { method: 'PUT', path: '/life', query: { lifecycle: '' }, headers: { 'content-type': 'application/xml' }, body: xml });
    expect(put.status, put.body).toBe(200);
    const got = await signedRequest(s3, { method: 'GET', path: '/life', query: { lifecycle: '' } });
    expect(got.body).toContain('<Prefix>logs/</Prefix>');
    expect(got.body).not.toContain('<Filter>');
    const sdk = await client.send(new GetBucketLifecycleConfigurationCommand({ Bucket: 'life' }));
    expect(sdk.Rules?.[0]).toMatchObject({ ID: 'old-style', Prefix: 'logs/', Expiration: { Days: 30 } });
    expect(sdk.Rules?.[0]?.Filter).toBeUndefined();
  });

  it('accept rules with only version actions, and give them back', async () => {
    await client.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket: 'life',
        LifecycleConfiguration: {
          Rules: [
            { ID: 'markers', Status: 'Enabled', Filter: { Prefix: '' }, Expiration: { ExpiredObjectDeleteMarker: true } },
            { ID: 'noncurrent', Status: 'Enabled', Filter: { Prefix: 'v/' }, NoncurrentVersionExpiration: { NoncurrentDays: 7, NewerNoncurrentVersions: 2 }, NoncurrentVersionTransitions: [{ NoncurrentDays: 1, StorageClass: 'GLACIER' }] },
            { ID: 'expire-tmp', Status: 'Enabled', Filter: { Prefix: 'tmp/' }, Expiration: { Days: 3 } },
          ],
        },
      }),
    );
    const rules = (await client.send(new GetBucketLifecycleConfigurationCommand({ Bucket: 'life' }))).Rules ?? [];
    expect(rules.map((r) => r.ID)).toEqual(['markers', 'noncurrent', 'expire-tmp']);
    expect(rules[0]?.Expiration).toEqual({ ExpiredObjectDeleteMarker: true });
    expect(rules[1]?.NoncurrentVersionExpiration).toEqual({ NoncurrentDays: 7, NewerNoncurrentVersions: 2 });
    expect(rules[1]?.NoncurrentVersionTransitions).toEqual([{ NoncurrentDays: 1, StorageClass: 'GLACIER' }]);
    // awscli reads the same configuration back.
    const { stdout } = await awscli(s3, ['s3api', 'get-bucket-lifecycle-configuration', '--bucket', 'life', '--output', 'json']);
    expect((JSON.parse(stdout) as { Rules: { ID: string }[] }).Rules.map((r) => r.ID)).toEqual(['markers', 'noncurrent', 'expire-tmp']);
  });

  it('announce a rule\'s expiry in x-amz-expiration on PUT, HEAD and GET', async () => {
    const put = await client.send(new PutObjectCommand({ Bucket: 'life', Key: 'tmp/x', Body: 'soon gone' }));
    const head = await client.send(new HeadObjectCommand({ Bucket: 'life', Key: 'tmp/x' }));
    const expected = new Date(Math.floor((new Date(head.LastModified ?? 0).getTime() + 3 * DAY) / DAY) * DAY + DAY).toUTCString();
    for (const expiration of [put.Expiration, head.Expiration, (await client.send(new GetObjectCommand({ Bucket: 'life', Key: 'tmp/x' }))).Expiration]) {
      expect(expiration).toBe(`expiry-date="${expected}", rule-id="expire-tmp"`);
    }
    await client.send(new PutObjectCommand({ Bucket: 'life', Key: 'kept', Body: 'stays' }));
    expect((await client.send(new HeadObjectCommand({ Bucket: 'life', Key: 'kept' }))).Expiration).toBeUndefined();
  });
});

describe('ListBuckets paging', () => {
  it('pages by max-buckets and continuation-token, filtered by prefix', async () => {
    const names: string[] = [];
    let token: string | undefined;
    for (let i = 0; i < 10; i++) {
      const page = await client.send(new ListBucketsCommand({ MaxBuckets: 2, Prefix: 'list-', ...(token ? { ContinuationToken: token } : {}) }));
      names.push(...(page.Buckets ?? []).map((b) => b.Name ?? ''));
      expect(page.Prefix).toBe('list-');
      token = page.ContinuationToken;
      if (!token) break;
    }
    expect(names).toEqual(['list-a', 'list-b', 'list-c']);
    expect(((await client.send(new ListBucketsCommand({}))).Buckets ?? []).length).toBe(5);
    const bad = await errorOf(client.send(new ListBucketsCommand({ MaxBuckets: 0 })));
    expect([bad.name, bad.status]).toEqual(['InvalidArgument', 400]);
  });
});

describe('ListObjectsV2 parameters', () => {
  it('gives owners only with fetch-owner, and echoes an empty continuation token', async () => {
    await client.send(new PutObjectCommand({ Bucket: 'list-a', Key: 'k', Body: 'x' }));
    const plain = await client.send(new ListObjectsV2Command({ Bucket: 'list-a' }));
    expect(plain.Contents?.[0]?.Owner).toBeUndefined();
    const owned = await client.send(new ListObjectsV2Command({ Bucket: 'list-a', FetchOwner: true }));
    expect(owned.Contents?.[0]?.Owner?.ID).toBeTruthy();
    const empty = await signedRequest(s3, { method: 'GET', path: '/list-a', query: { 'list-type': '2', 'continuation-token': '' } });
    expect(empty.status).toBe(200);
    expect(empty.body).toContain('<ContinuationToken></ContinuationToken>');
    expect(empty.body).toContain('<Key>k</Key>');
  });
});
