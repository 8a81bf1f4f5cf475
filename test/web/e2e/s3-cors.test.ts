/*
 * A page of another origin, in Chromium, uploads straight to a presigned URL and reads the
 * object back: what browsers need CORS on the S3 API for. Without the bucket's rule the
 * browser blocks the same requests.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateBucketCommand, GetObjectCommand, PutBucketCorsCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3Server, type S3Server } from '../../s3/helpers.js';
import { haveChromium, launchChromium } from './browser.js';

if (!haveChromium() && process.env.CI) throw new Error('/usr/bin/chromium is missing: CI installs Debian chromium');

describe.skipIf(!haveChromium())('browser uploads to presigned URLs (Chromium)', () => {
  let s3: S3Server;
  let client: S3Client;
  let browser: Browser;
  let page: Server;
  let origin = '';

  beforeAll(async () => {
    s3 = await startS3Server();
    client = s3.client();
    for (const bucket of ['uploads', 'no-cors']) await client.send(new CreateBucketCommand({ Bucket: bucket }));
    page = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>uploader</title><p>uploader</p>'));
    await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
    origin = `http://localhost:${(page.address() as AddressInfo).port}`;
    await client.send(new PutBucketCorsCommand({ Bucket: 'uploads', CORSConfiguration: { CORSRules: [{ AllowedOrigins: [origin], AllowedMethods: ['PUT', 'GET'], AllowedHeaders: ['*'], ExposeHeaders: ['ETag'] }] } }));
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => page?.close(resolve));
    client?.destroy();
    await s3?.server.stop();
  });

  async function inPage(bucket: string): Promise<{ put?: number; etag?: string | null; body?: string; error?: string }> {
    const put = await getSignedUrl(client, new PutObjectCommand({ Bucket: bucket, Key: 'from-browser.txt', ContentType: 'text/plain' }));
    const get = await getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key: 'from-browser.txt' }));
    const tab = await browser.newPage();
    try {
      await tab.goto(origin);
      return await tab.evaluate(
        async ({ put, get }) => {
          try {
            const stored = await fetch(put, { method: 'PUT', body: 'uploaded by a page', headers: { 'content-type': 'text/plain' } });
            const read = await fetch(get);
            return { put: stored.status, etag: stored.headers.get('etag'), body: await read.text() };
          } catch (err) {
            return { error: String(err) };
          }
        },
        { put, get },
      );
    } finally {
      await tab.close();
    }
  }

  it('uploads and reads back across origins when the bucket allows the page', async () => {
    const result = await inPage('uploads');
    expect(result).toMatchObject({ put: 200, body: 'uploaded by a page' });
    expect(result.etag).toMatch(/^"[0-9a-f]{32}"$/);
  });

  it('is blocked by the browser when the bucket has no rule for the page', async () => {
    const result = await inPage('no-cors');
    expect(result.error).toMatch(/Failed to fetch/);
  });
});
