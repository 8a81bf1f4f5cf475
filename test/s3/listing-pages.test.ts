/*
 * Paging through listings as clients do it: awscli's paginator and the SDK passing back
 * NextMarker / StartAfter / continuation tokens, with and without a delimiter.
 */
import { CreateBucketCommand, ListObjectsCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awscli, startS3Server, type S3Server } from './helpers.js';

const BUCKET = 'pages';
const KEYS = ['a', 'boo/x', 'boo/y', 'boo/z/deep', 'c/z', 'd', 'e/1', 'e/2'];

let s3: S3Server;
let client: S3Client;

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


describe('ListObjects (V1) paging with a delimiter', () => {
  it('awscli pages through one entry at a time to the end', async () => {
    const { stdout } = await awscli(s3, ['s3api', 'list-objects', '--bucket', BUCKET, '--delimiter', '/', '--page-size', '1', '--output', 'json']);
    const answer = JSON.parse(stdout) as { Contents?: { Key: string }[]; CommonPrefixes?: { Prefix: string }[] };
    expect(answer.Contents?.map((o) => o.Key)).toEqual(['a', 'd']);
    expect(answer.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['boo/', 'c/', 'e/']);
  });

  it('never hands back the marker it was given', async () => {
    const seen: string[] = [];
    let marker: string | undefined;
    for (let i = 0; i < 20; i++) {
      const page = await client.send(new ListObjectsCommand({ Bucket: BUCKET, Delimiter: '/', MaxKeys: 1, ...(marker ? { Marker: marker } : {}) }));
      seen.push(...(page.Contents ?? []).map((o) => o.Key ?? ''), ...(page.CommonPrefixes ?? []).map((p) => p.Prefix ?? ''));
      if (!page.IsTruncated) break;
      expect(page.NextMarker).not.toBe(marker);
      marker = page.NextMarker;
    }
    expect(seen).toEqual(['a', 'boo/', 'c/', 'd', 'e/']);
  });

  it('a prefix and a nested delimiter page the same way', async () => {
    const seen: string[] = [];
    let marker: string | undefined;
    for (let i = 0; i < 20; i++) {
      const page = await client.send(new ListObjectsCommand({ Bucket: BUCKET, Prefix: 'boo/', Delimiter: '/', MaxKeys: 1, ...(marker ? { Marker: marker } : {}) }));
      seen.push(...(page.Contents ?? []).map((o) => o.Key ?? ''), ...(page.CommonPrefixes ?? []).map((p) => p.Prefix ?? ''));
      if (!page.IsTruncated) break;
      marker = page.NextMarker;
    }
    expect(seen).toEqual(['boo/x', 'boo/y', 'boo/z/']);
  });
});

describe('ListObjectsV2 start-after on a common prefix', () => {
  it('skips the keys rolled up under it', async () => {
    const page = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Delimiter: '/', StartAfter: 'boo/' }));
    expect(page.Contents?.map((o) => o.Key)).toEqual(['d']);
    expect(page.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['c/', 'e/']);
  });

  it('awscli list-objects-v2 pages to the end one entry at a time', async () => {
    const { stdout } = await awscli(s3, ['s3api', 'list-objects-v2', '--bucket', BUCKET, '--delimiter', '/', '--page-size', '1', '--output', 'json']);
    const answer = JSON.parse(stdout) as { Contents?: { Key: string }[]; CommonPrefixes?: { Prefix: string }[] };
    expect(answer.Contents?.map((o) => o.Key)).toEqual(['a', 'd']);
    expect(answer.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['boo/', 'c/', 'e/']);
  });
});
