/*
 * The S3 API on a server whose store is PostgreSQL: keys and the catalogue live there.
 */
import { CreateBucketCommand, GetObjectCommand, ListBucketsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../support/postgres.js';
import { errorOf, startS3Server, type S3Server } from './helpers.js';

let s3: S3Server;
let database: Awaited<ReturnType<typeof createTestDatabase>>;

beforeAll(async () => {
  database = await createTestDatabase();
  s3 = await startS3Server({}, database.url);
}, 60_000);

afterAll(async () => {
  await s3?.server.stop();
  await database?.drop();
});

describe('S3 API on PostgreSQL', () => {
  it('round-trips an object and checks signatures with keys kept in PostgreSQL', async () => {
    const client = s3.client();
    await client.send(new CreateBucketCommand({ Bucket: 'pg-bucket' }));
    await client.send(new PutObjectCommand({ Bucket: 'pg-bucket', Key: 'a/b.txt', Body: 'on postgres' }));
    const got = await client.send(new GetObjectCommand({ Bucket: 'pg-bucket', Key: 'a/b.txt' }));
    expect(await got.Body?.transformToString()).toBe('on postgres');
    const wrong = s3.client({ accessKeyId: s3.accessKeyId, secretAccessKey: 'y'.repeat(40) });
    expect(await errorOf(wrong.send(new ListBucketsCommand({})))).toMatchObject({ name: 'SignatureDoesNotMatch', status: 403 });
    client.destroy();
    wrong.destroy();
  });
});
