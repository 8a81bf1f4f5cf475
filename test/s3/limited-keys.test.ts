/*
 * Access keys limited when they are made (read-only, to buckets, to prefixes): every S3 route
 * refuses what the key may not do with AccessDenied, through the SDK and awscli; the REST API
 * and `skybatch access-keys` make, show and validate such keys.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutBucketLifecycleConfigurationCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCollected } from '../support/run-collected.js';
import { awscli, errorOf, startS3Server, type S3Server } from './helpers.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

let s3: S3Server;
let admin: S3Client;
const clients: S3Client[] = [];

interface Made {
  accessKeyId: string;
  secretAccessKey: string;
  limits?: unknown;
}

async function makeKey(limits: Record<string, unknown>): Promise<{ key: Made; client: S3Client }> {
  const made = await s3.server.api<Made>('POST', '/api/v1/access-keys', { description: 'limited', limits });
  expect(made.status).toBe(201);
  const client = s3.client({ accessKeyId: made.body.accessKeyId, secretAccessKey: made.body.secretAccessKey });
  clients.push(client);
  return { key: made.body, client };
}

beforeAll(async () => {
  s3 = await startS3Server();
  admin = s3.client();
  for (const bucket of ['data', 'private']) {
    await admin.send(new CreateBucketCommand({ Bucket: bucket }));
    for (const key of ['in/a', 'out/b']) await admin.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: `${bucket}/${key}` }));
  }
}, 60_000);

afterAll(async () => {
  for (const client of [admin, ...clients]) client?.destroy();
  await s3?.server.stop();
});

const denied = async (promise: Promise<unknown>) => {
  const error = await errorOf(promise);
  expect([error.name, error.status]).toEqual(['AccessDenied', 403]);
};

describe('a read-only key', () => {
  it('reads and lists, and can change nothing', async () => {
    const { client } = await makeKey({ readOnly: true });
    expect(await (await client.send(new GetObjectCommand({ Bucket: 'data', Key: 'in/a' }))).Body?.transformToString()).toBe('data/in/a');
    expect((await client.send(new ListObjectsV2Command({ Bucket: 'private' }))).KeyCount).toBe(2);
    await denied(client.send(new PutObjectCommand({ Bucket: 'data', Key: 'in/new', Body: 'x' })));
    await denied(client.send(new DeleteObjectCommand({ Bucket: 'data', Key: 'in/a' })));
    await denied(client.send(new CopyObjectCommand({ Bucket: 'data', Key: 'copy', CopySource: 'data/in/a' })));
    await denied(client.send(new CreateMultipartUploadCommand({ Bucket: 'data', Key: 'mp' })));
    await denied(client.send(new CreateBucketCommand({ Bucket: 'newbucket' })));
    await denied(client.send(new DeleteBucketCommand({ Bucket: 'private' })));
    await denied(client.send(new PutBucketLifecycleConfigurationCommand({ Bucket: 'data', LifecycleConfiguration: { Rules: [{ ID: 'r', Status: 'Enabled', Filter: { Prefix: '' }, Expiration: { Days: 1 } }] } })));
    const result = await client.send(new DeleteObjectsCommand({ Bucket: 'data', Delete: { Objects: [{ Key: 'in/a' }] } }));
    expect(result.Errors?.map((e) => [e.Key, e.Code])).toEqual([['in/a', 'AccessDenied']]);
    expect((await admin.send(new HeadObjectCommand({ Bucket: 'data', Key: 'in/a' }))).ContentLength).toBe(9);
    // A presigned URL signed by the key carries its limits.
    const url = await getSignedUrl(client, new PutObjectCommand({ Bucket: 'data', Key: 'in/presigned' }));
    expect((await fetch(url, { method: 'PUT', body: 'x' })).status).toBe(403);
  });
});

describe('a key limited to buckets and prefixes', () => {
  it('sees only its bucket and works only under its prefix', async () => {
    const { client, key } = await makeKey({ buckets: ['data'], prefixes: ['in/'] });
    expect((await client.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name)).toEqual(['data']);
    await denied(client.send(new GetObjectCommand({ Bucket: 'private', Key: 'in/a' })));
    await denied(client.send(new GetObjectCommand({ Bucket: 'data', Key: 'out/b' })));
    await client.send(new PutObjectCommand({ Bucket: 'data', Key: 'in/mine', Body: 'mine' }));
    expect((await client.send(new ListObjectsV2Command({ Bucket: 'data', Prefix: 'in/' }))).Contents?.map((o) => o.Key)).toEqual(['in/a', 'in/mine']);
    await denied(client.send(new ListObjectsV2Command({ Bucket: 'data' })));
    // A copy needs the source too: out/ is not the key's.
    await denied(client.send(new CopyObjectCommand({ Bucket: 'data', Key: 'in/stolen', CopySource: 'data/out/b' })));
    await denied(client.send(new CopyObjectCommand({ Bucket: 'data', Key: 'in/stolen', CopySource: 'private/in/a' })));
    await client.send(new CopyObjectCommand({ Bucket: 'data', Key: 'in/copy', CopySource: 'data/in/mine' }));
    const result = await client.send(new DeleteObjectsCommand({ Bucket: 'data', Delete: { Objects: [{ Key: 'in/copy' }, { Key: 'out/b' }] } }));
    expect(result.Deleted?.map((d) => d.Key)).toEqual(['in/copy']);
    expect(result.Errors?.map((e) => [e.Key, e.Code])).toEqual([['out/b', 'AccessDenied']]);
    await denied(client.send(new PutBucketLifecycleConfigurationCommand({ Bucket: 'data', LifecycleConfiguration: { Rules: [{ ID: 'r', Status: 'Enabled', Filter: { Prefix: 'in/' }, Expiration: { Days: 1 } }] } })));

    // awscli, signed with the same key.
    const listed = await awscli(s3, ['s3', 'ls', 's3://data/in/'], key);
    expect(listed.stdout).toContain('mine');
    await expect(awscli(s3, ['s3', 'cp', 's3://private/in/a', '-'], key)).rejects.toThrow(/403|Forbidden|AccessDenied/);
  });
});

describe('limited keys through the REST API and the CLI', () => {
  it('are shown with their limits and validated', async () => {
    const { key } = await makeKey({ readOnly: true, buckets: ['data'] });
    const shown = await s3.server.api<{ limits: unknown }>('GET', `/api/v1/access-keys/${key.accessKeyId}`);
    expect(shown.body.limits).toEqual({ readOnly: true, buckets: ['data'] });
    const listed = await s3.server.api<{ items: { accessKeyId: string; limits?: unknown }[] }>('GET', '/api/v1/access-keys');
    expect(listed.body.items.find((k) => k.accessKeyId === key.accessKeyId)?.limits).toEqual({ readOnly: true, buckets: ['data'] });
    expect(JSON.stringify(listed.body)).not.toContain(key.secretAccessKey);
    const bad = await s3.server.api<{ error: { code: string; message: string } }>('POST', '/api/v1/access-keys', { limits: { prefixes: ['in/'] } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/prefixes need buckets/);
    const unknown = await s3.server.api<{ error: { code: string } }>('POST', '/api/v1/access-keys', { limits: { writeOnly: true } });
    expect(unknown.status).toBe(400);
    expect((await s3.server.api('GET', '/api/v1/access-keys/SKYNOSUCHKEY00000000')).status).toBe(404);
  });

  it('skybatch access-keys create --read-only --bucket --prefix, describe, list', async () => {
    const cli = (...args: string[]) => runCollected(process.execPath, [join(root, 'bin/skybatch.js'), ...args, '--data', s3.dataDir]);
    const created = await cli('access-keys', 'create', '--read-only', '--bucket', 'data', '--bucket', 'private', '--prefix', 'in/', '--json');
    expect(created.code, created.stderr).toBe(0);
    const key = JSON.parse(created.stdout) as Made;
    expect(key.limits).toEqual({ readOnly: true, buckets: ['data', 'private'], prefixes: ['in/'] });
    const described = await cli('access-keys', 'describe', key.accessKeyId);
    expect(described.stdout).toMatch(/limits:?\s+read-only; buckets data,private; prefixes in\//);
    const listed = await cli('access-keys', 'list');
    expect(listed.stdout).toMatch(/LIMITS/);
    expect(listed.stdout).toMatch(/none/);
    const refused = await cli('access-keys', 'create', '--prefix', 'in/');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/prefixes need buckets/);
  });
});
