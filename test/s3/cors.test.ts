/*
 * Bucket CORS: Put/Get/DeleteBucketCors through the SDK and awscli, preflights answered from
 * the rules (and refused without one), and the grant on the actual cross-origin requests.
 */
import { CreateBucketCommand, DeleteBucketCorsCommand, GetBucketCorsCommand, PutBucketCorsCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awscli, errorOf, startS3Server, type S3Server } from './helpers.js';


let s3: S3Server;
let client: S3Client;

beforeAll(async () => {
  s3 = await startS3Server();
  client = s3.client();
  await client.send(new CreateBucketCommand({ Bucket: 'web' }));
  await client.send(new CreateBucketCommand({ Bucket: 'closed' }));
}, 60_000);

afterAll(async () => {
  client?.destroy();
  await s3?.server.stop();
});

const RULES = [
  { ID: 'app', AllowedOrigins: ['https://app.example.com', 'http://*.example.org'], AllowedMethods: ['GET', 'PUT'], AllowedHeaders: ['content-type', 'x-amz-*'], ExposeHeaders: ['ETag'], MaxAgeSeconds: 600 },
  { AllowedOrigins: ['*'], AllowedMethods: ['GET'], AllowedHeaders: [], ExposeHeaders: [] },
];

function preflight(path: string, headers: Record<string, string>): Promise<Response> {
  return fetch(`${s3.endpoint}${path}`, { method: 'OPTIONS', headers });
}

describe('bucket CORS configuration', () => {
  it('round-trips through the SDK and is deleted', async () => {
    await expect(errorOf(client.send(new GetBucketCorsCommand({ Bucket: 'web' })))).resolves.toMatchObject({ name: 'NoSuchCORSConfiguration', status: 404 });
    await client.send(new PutBucketCorsCommand({ Bucket: 'web', CORSConfiguration: { CORSRules: RULES } }));
    const got = await client.send(new GetBucketCorsCommand({ Bucket: 'web' }));
    expect(got.CORSRules?.[0]).toMatchObject({ ID: 'app', AllowedOrigins: RULES[0]?.AllowedOrigins, AllowedMethods: ['GET', 'PUT'], AllowedHeaders: ['content-type', 'x-amz-*'], ExposeHeaders: ['ETag'], MaxAgeSeconds: 600 });
    expect(got.CORSRules?.[1]?.AllowedOrigins).toEqual(['*']);
    await client.send(new PutBucketCorsCommand({ Bucket: 'closed', CORSConfiguration: { CORSRules: [{ AllowedOrigins: ['https://x.example'], AllowedMethods: ['GET'] }] } }));
    await client.send(new DeleteBucketCorsCommand({ Bucket: 'closed' }));
    expect((await errorOf(client.send(new GetBucketCorsCommand({ Bucket: 'closed' })))).name).toBe('NoSuchCORSConfiguration');
  });

  it('refuses an unknown method and a second wildcard', async () => {
    const method = await errorOf(client.send(new PutBucketCorsCommand({ Bucket: 'closed', CORSConfiguration: { CORSRules: [{ AllowedOrigins: ['*'], AllowedMethods: ['PATCH'] }] } })));
    expect([method.name, method.status]).toEqual(['InvalidRequest', 400]);
    const stars = await errorOf(client.send(new PutBucketCorsCommand({ Bucket: 'closed', CORSConfiguration: { CORSRules: [{ AllowedOrigins: ['https://*.*.example'], AllowedMethods: ['GET'] }] } })));
    expect(stars.name).toBe('InvalidRequest');
  });

  it('is set by awscli put-bucket-cors', async () => {
    await awscli(s3, ['s3api', 'create-bucket', '--bucket', 'cli-cors']);
    const config = { CORSRules: [{ AllowedOrigins: ['https://cli.example'], AllowedMethods: ['PUT'], AllowedHeaders: ['*'] }] };
    await awscli(s3, ['s3api', 'put-bucket-cors', '--bucket', 'cli-cors', '--cors-configuration', JSON.stringify(config)]);
    const { stdout } = await awscli(s3, ['s3api', 'get-bucket-cors', '--bucket', 'cli-cors', '--output', 'json']);
    expect((JSON.parse(stdout) as typeof config).CORSRules[0]).toMatchObject(config.CORSRules[0] as object);
  });
});

describe('preflights', () => {
  it('are answered from the first matching rule', async () => {
    const res = await preflight('/web/uploads/file.txt', { origin: 'https://app.example.com', 'access-control-request-method': 'PUT', 'access-control-request-headers': 'Content-Type, x-amz-meta-owner' });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(res.headers.get('access-control-allow-methods')).toBe('GET, PUT');
    expect(res.headers.get('access-control-allow-headers')).toBe('Content-Type, x-amz-meta-owner');
    expect(res.headers.get('access-control-max-age')).toBe('600');
    expect(res.headers.get('access-control-expose-headers')).toBe('ETag');
    const wild = await preflight('/web/k', { origin: 'http://docs.example.org', 'access-control-request-method': 'GET' });
    expect(wild.headers.get('access-control-allow-origin')).toBe('http://docs.example.org');
    const anyone = await preflight('/web/k', { origin: 'https://elsewhere.test', 'access-control-request-method': 'GET' });
    expect(anyone.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('are refused with 403 when no rule allows them, and 400 without an Origin', async () => {
    for (const headers of [
      { origin: 'https://elsewhere.test', 'access-control-request-method': 'PUT' },
      { origin: 'https://app.example.com', 'access-control-request-method': 'PUT', 'access-control-request-headers': 'authorization' },
    ]) {
      const res = await preflight('/web/k', headers);
      expect(res.status).toBe(403);
      expect(await res.text()).toContain('CORSResponse');
    }
    expect((await preflight('/closed/k', { origin: 'https://x.example', 'access-control-request-method': 'GET' })).status).toBe(403);
    expect((await preflight('/web/k', { 'access-control-request-method': 'GET' })).status).toBe(400);
  });
});

describe('cross-origin requests', () => {
  it('get the grant of the matching rule, errors included, and nothing without a match', async () => {
    await client.send(new PutObjectCommand({ Bucket: 'web', Key: 'page.txt', Body: 'hello' }));
    const url = await getSignedUrl(client, new GetObjectCommand({ Bucket: 'web', Key: 'page.txt' }));
    const ok = await fetch(url, { headers: { origin: 'https://app.example.com' } });
    expect(await ok.text()).toBe('hello');
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(ok.headers.get('access-control-expose-headers')).toBe('ETag');
    const missing = await fetch(await getSignedUrl(client, new GetObjectCommand({ Bucket: 'web', Key: 'nope' })), { headers: { origin: 'https://app.example.com' } });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    const none = await fetch(url, { headers: { origin: 'https://x.example' } });
    await none.arrayBuffer();
    expect(none.headers.get('access-control-allow-origin')).toBe('*');
    const plain = await fetch(url);
    await plain.arrayBuffer();
    expect(plain.headers.get('access-control-allow-origin')).toBeNull();
  });
});
