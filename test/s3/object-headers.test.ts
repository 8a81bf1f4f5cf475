/*
 * The standard headers S3 keeps with an object (Cache-Control, Content-Disposition,
 * Content-Encoding, Content-Language, Expires): stored on PUT, multipart and copy (REPLACE
 * takes the request's, COPY the source's), returned on HEAD and GET, and overridden per
 * request by a presigned GET's response-* parameters.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/backends.js';
import { awscli, startS3Server, type S3Server } from './helpers.js';

const BUCKET = 'headers';
const EXPIRES = new Date('2031-01-02T03:04:05Z');
const STANDARD = {
  CacheControl: 'max-age=3600, must-revalidate',
  ContentDisposition: 'attachment; filename="report.csv"',
  ContentEncoding: 'gzip',
  ContentLanguage: 'de-CH',
  Expires: EXPIRES,
};

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

function standardOf(answer: { CacheControl?: string | undefined; ContentDisposition?: string | undefined; ContentEncoding?: string | undefined; ContentLanguage?: string | undefined; Expires?: Date | undefined }) {
  return { CacheControl: answer.CacheControl, ContentDisposition: answer.ContentDisposition, ContentEncoding: answer.ContentEncoding, ContentLanguage: answer.ContentLanguage, Expires: answer.Expires };
}

describe('standard headers', () => {
  it('are kept by PutObject and returned by HEAD and GET', async () => {
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'put', Body: 'csv', ...STANDARD }));
    expect(standardOf(await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'put' })))).toEqual(STANDARD);
    const got = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'put' }));
    await got.Body?.transformToString();
    expect(standardOf(got)).toEqual(STANDARD);
  });

  it('are kept through a multipart upload', async () => {
    const upload = await client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'multi', ...STANDARD }));
    const part = await client.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'multi', UploadId: upload.UploadId, PartNumber: 1, Body: 'one part' }));
    await client.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: 'multi', UploadId: upload.UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }));
    expect(standardOf(await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'multi' })))).toEqual(STANDARD);
  });

  it('are copied with COPY and replaced with REPLACE', async () => {
    await client.send(new CopyObjectCommand({ Bucket: BUCKET, Key: 'copied', CopySource: `${BUCKET}/put` }));
    expect(standardOf(await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'copied' })))).toEqual(STANDARD);
    await client.send(new CopyObjectCommand({ Bucket: BUCKET, Key: 'replaced', CopySource: `${BUCKET}/put`, MetadataDirective: 'REPLACE', CacheControl: 'no-store', ContentType: 'text/csv' }));
    const replaced = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'replaced' }));
    expect(standardOf(replaced)).toEqual({ CacheControl: 'no-store', ContentDisposition: undefined, ContentEncoding: undefined, ContentLanguage: undefined, Expires: undefined });
    expect(replaced.ContentType).toBe('text/csv');
  });

  it('are kept by awscli uploads, without the aws-chunked framing', async () => {
    const file = join(tempDir('skybatch-headers-'), 'page.html');
    writeFileSync(file, '<p>hi</p>');
    await awscli(s3, ['s3', 'cp', file, `s3://${BUCKET}/cli.html`, '--cache-control', 'public, max-age=60', '--content-disposition', 'inline', '--content-language', 'fr', '--content-encoding', 'identity']);
    const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'cli.html' }));
    expect([head.CacheControl, head.ContentDisposition, head.ContentLanguage, head.ContentEncoding]).toEqual(['public, max-age=60', 'inline', 'fr', 'identity']);
  });

  it('a presigned GET overrides them with response-* parameters', async () => {
    const url = await getSignedUrl(
      client,
      new GetObjectCommand({
        Bucket: BUCKET,
        Key: 'put',
        ResponseCacheControl: 'no-cache',
        ResponseContentDisposition: 'attachment; filename="other.csv"',
        ResponseContentType: 'text/plain',
        ResponseContentLanguage: 'en',
        ResponseContentEncoding: 'identity',
        ResponseExpires: new Date('2040-01-01T00:00:00Z'),
      }),
    );
    const res = await fetch(url);
    expect(await res.text()).toBe('csv');
    expect([res.headers.get('cache-control'), res.headers.get('content-disposition'), res.headers.get('content-type'), res.headers.get('content-language'), res.headers.get('content-encoding')]).toEqual([
      'no-cache',
      'attachment; filename="other.csv"',
      'text/plain',
      'en',
      'identity',
    ]);
    expect(new Date(res.headers.get('expires') ?? '').toISOString()).toBe('2040-01-01T00:00:00.000Z');
    const plain = await fetch(await getSignedUrl(client, new GetObjectCommand({ Bucket: BUCKET, Key: 'put' })));
    // Not read: fetch would gunzip a body that says gzip but is not.
    await plain.body?.cancel();
    expect(plain.headers.get('cache-control')).toBe(STANDARD.CacheControl);
  });
});
