/*
 * Requests the SDKs rarely send but S3 answers: header bytes beyond ASCII (as boto3 and curl
 * put UTF-8 on the wire), an empty Content-Type, an Expect other than 100-continue, and
 * Content-MD5 values that are empty, malformed or wrong.
 */
import { createHash } from 'node:crypto';
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, signedRequest, startS3Server, type S3Server } from './helpers.js';

const BUCKET = 'protocol';

let s3: S3Server;
let client: S3Client;

beforeAll(async () => {
  s3 = await startS3Server();
  client = s3.client();
  await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
}, 60_000);

afterAll(async () => {
  client?.destroy();
  await s3?.server.stop();
});

const md5 = (text: string) => createHash('md5').update(text).digest('base64');
const codeOf = (xml: string) => /<Code>([^<]*)<\/Code>/.exec(xml)?.[1];

describe('header values beyond ASCII', () => {
  it('verifies a signature over UTF-8 header bytes, and keeps the value', async () => {
    const put = await signedRequest(s3, { method: 'PUT', path: `/${BUCKET}/utf8`, headers: { 'x-amz-meta-x': 'Hello Worldé', 'x-amz-meta-cjk': '日本語 ✓' }, body: 'body', utf8Wire: true });
    expect(put.status, put.body).toBe(200);
    const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'utf8' }));
    // S3 returns metadata that is not US-ASCII as RFC 2047 encoded words.
    expect(head.Metadata).toEqual({ x: `=?UTF-8?B?${Buffer.from('Hello Worldé').toString('base64')}?=`, cjk: `=?UTF-8?B?${Buffer.from('日本語 ✓').toString('base64')}?=` });
  });

  it('verifies the JS SDK, which sends latin1 bytes and signs UTF-8', async () => {
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'sdk-latin1', Body: 'b', Metadata: { x: 'Hello Worldé' } }));
    const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'sdk-latin1' }));
    expect(head.Metadata?.x).toBe(`=?UTF-8?B?${Buffer.from('Hello Worldé').toString('base64')}?=`);
  });

  it('stores encoded words decoded, and returns them the same way', async () => {
    const word = `=?UTF-8?B?${Buffer.from('naïve').toString('base64')}?=`;
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'encoded-word', Body: 'b', Metadata: { x: word, plain: 'ascii only' } }));
    const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'encoded-word' }));
    expect(head.Metadata).toEqual({ x: word, plain: 'ascii only' });
  });
});

describe('empty and unusual headers', () => {
  it('stores an object sent with an empty Content-Type', async () => {
    const put = await signedRequest(s3, { method: 'PUT', path: `/${BUCKET}/empty-type`, headers: { 'content-type': '' }, body: 'typed?' });
    expect(put.status, put.body + s3.server.output()).toBe(200);
    const got = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'empty-type' }));
    expect(await got.Body?.transformToString()).toBe('typed?');
    expect(got.ContentType).toBe('binary/octet-stream');
  });

  it('ignores an Expect header it does not know', async () => {
    const put = await signedRequest(s3, { method: 'PUT', path: `/${BUCKET}/expect`, headers: { expect: 'something-else' }, body: 'expected' });
    expect(put.status, put.body).toBe(200);
    const get = await signedRequest(s3, { method: 'GET', path: `/${BUCKET}/expect`, headers: { expect: 'nothing' } });
    expect([get.status, get.body]).toEqual([200, 'expected']);
  });

  it('refuses an empty storage class', async () => {
    const put = await signedRequest(s3, { method: 'PUT', path: `/${BUCKET}/empty-class`, headers: { 'x-amz-storage-class': '' }, body: 'x' });
    expect(put.status).toBe(400);
    expect(codeOf(put.body)).toBe('InvalidStorageClass');
  });
});

describe('Content-MD5', () => {
  it('refuses an empty value with InvalidDigest', async () => {
    const put = await signedRequest(s3, { method: 'PUT', path: `/${BUCKET}/md5-empty`, headers: { 'content-md5': '' }, body: 'x' });
    expect([put.status, codeOf(put.body)]).toEqual([400, 'InvalidDigest']);
  });

  it('refuses a malformed value with InvalidDigest', async () => {
    for (const value of ['not-base64!', 'AAAA', Buffer.alloc(20).toString('base64')]) {
      const put = await signedRequest(s3, { method: 'PUT', path: `/${BUCKET}/md5-bad`, headers: { 'content-md5': value }, body: 'x' });
      expect([put.status, codeOf(put.body)], value).toEqual([400, 'InvalidDigest']);
    }
    expect((await errorOf(client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'md5-bad' })))).status).toBe(404);
  });

  it('refuses a well-formed digest of other bytes with BadDigest, and stores nothing', async () => {
    const put = await signedRequest(s3, { method: 'PUT', path: `/${BUCKET}/md5-wrong`, headers: { 'content-md5': md5('other') }, body: 'x' });
    expect([put.status, codeOf(put.body)]).toEqual([400, 'BadDigest']);
    expect((await errorOf(client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'md5-wrong' })))).status).toBe(404);
    const right = await signedRequest(s3, { method: 'PUT', path: `/${BUCKET}/md5-right`, headers: { 'content-md5': md5('x') }, body: 'x' });
    expect(right.status).toBe(200);
  });

  it('checks the digest of an XML body (DeleteObjects)', async () => {
    const xml = '<Delete><Object><Key>md5-right</Key></Object></Delete>';
    const wrong = await signedRequest(s3, { method: 'POST', path: `/${BUCKET}`, query: { delete: '' }, headers: { 'content-md5': md5('other'), 'content-type': 'application/xml' }, body: xml });
    expect([wrong.status, codeOf(wrong.body)]).toEqual([400, 'BadDigest']);
    const empty = await signedRequest(s3, { method: 'POST', path: `/${BUCKET}`, query: { delete: '' }, headers: { 'content-md5': '', 'content-type': 'application/xml' }, body: xml });
    expect([empty.status, codeOf(empty.body)]).toEqual([400, 'InvalidDigest']);
    const right = await signedRequest(s3, { method: 'POST', path: `/${BUCKET}`, query: { delete: '' }, headers: { 'content-md5': md5(xml), 'content-type': 'application/xml' }, body: xml });
    expect(right.status, right.body).toBe(200);
    expect((await errorOf(client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'md5-right' })))).status).toBe(404);
  });
});
