/*
 * DeleteObjects takes its keys from an XML body: each key is deleted exactly as written,
 * whitespace and all (`'_ '` is not `'_'`), through the SDK and awscli.
 */
import { CreateBucketCommand, DeleteObjectsCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awscli, startS3Server, type S3Server } from './helpers.js';

const NEIGHBOURS = ['_', '_ ', ' lead', 'lead', 'trail ', 'trail', ' ', '  ', '\t', 'tab\tin', 'x\ny', 'a\x01b', 'amp&lt;'];

let s3: S3Server;
let client: S3Client;

beforeAll(async () => {
  s3 = await startS3Server();
  client = s3.client();
}, 60_000);

afterAll(async () => {
  client?.destroy();
  await s3?.server.stop();
});

async function fill(bucket: string): Promise<void> {
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  for (const key of NEIGHBOURS) await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));
}

/** Every key, exactly: URL-encoded in the listing, so no XML reader can reshape whitespace. */
async function keysOf(bucket: string): Promise<string[]> {
  const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, EncodingType: 'url' }));
  return (page.Contents ?? []).map((o) => decodeURIComponent(o.Key ?? '')).sort();
}

describe('DeleteObjects keys', () => {
  it('deletes exactly the keys named, whitespace included (SDK)', async () => {
    await fill('delete-sdk');
    const doomed = ['_ ', ' lead', 'trail ', ' ', '\t', 'a\x01b', 'amp&lt;'];
    const result = await client.send(new DeleteObjectsCommand({ Bucket: 'delete-sdk', Delete: { Objects: doomed.map((Key) => ({ Key })) } }));
    expect(result.Errors ?? []).toEqual([]);
    expect(result.Deleted).toHaveLength(doomed.length);
    expect(await keysOf('delete-sdk')).toEqual(NEIGHBOURS.filter((k) => !doomed.includes(k)).sort());
  });

  it('deletes exactly the keys named, whitespace included (awscli)', async () => {
    await fill('delete-cli');
    const doomed = ['_ ', ' lead', 'trail ', '  ', 'tab\tin', 'x\ny'];
    const { stdout } = await awscli(s3, ['s3api', 'delete-objects', '--bucket', 'delete-cli', '--delete', JSON.stringify({ Objects: doomed.map((Key) => ({ Key })) }), '--output', 'json']);
    const answer = JSON.parse(stdout) as { Deleted?: { Key: string }[]; Errors?: unknown[] };
    expect(answer.Errors ?? []).toEqual([]);
    expect(await keysOf('delete-cli')).toEqual(NEIGHBOURS.filter((k) => !doomed.includes(k)).sort());
  });

  it('answers a per-key error for an empty key, and deletes the rest', async () => {
    await fill('delete-empty');
    const result = await client.send(new DeleteObjectsCommand({ Bucket: 'delete-empty', Delete: { Objects: [{ Key: '' }, { Key: '_' }] } }));
    expect(result.Deleted?.map((d) => d.Key)).toEqual(['_']);
    expect(result.Errors?.map((e) => e.Key)).toEqual(['']);
    expect(await keysOf('delete-empty')).toEqual(NEIGHBOURS.filter((k) => k !== '_').sort());
  });
});
