/*
 * A real `skybatch up` whose data directory is a real full disk (a 16 MiB tmpfs): a 30 MB
 * upload through @aws-sdk/client-s3 and one through the REST API are answered at once with 507
 * and a message saying the disk is full (the server reads and drops the rest of the body rather
 * than leave the client hanging), each failure is logged once with its cause (ENOSPC), and the
 * objects stored before the disk filled can still be read through both APIs.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf } from '../s3/helpers.js';
import { tempDir, until } from '../support/backends.js';
import { startServer, type RunningServer } from '../support/server.js';
import { mountTmpfs, tmpfsSkipReason, type Tmpfs } from '../support/tmpfs.js';

const BODY = Buffer.alloc(30 * 1024 * 1024, 'z');
// Debian's awscli v2 where installed (CI); otherwise whichever awscli is on PATH.
const AWS = existsSync('/usr/bin/aws') ? '/usr/bin/aws' : 'aws';

interface LogLine {
  msg?: string;
  reqId?: string;
  err?: { code?: string; message?: string; stack?: string };
}

describe.skipIf(tmpfsSkipReason !== undefined)(`a full disk${tmpfsSkipReason ? ` (skipped: ${tmpfsSkipReason})` : ''}`, () => {
  let disk: Tmpfs;
  let server: RunningServer;
  let client: S3Client;
  let endpoint: { s3Endpoint: string; accessKeyId: string; secretAccessKey: string };

  beforeAll(async () => {
    disk = mountTmpfs(16);
    server = await startServer({ dataDir: disk.dir });
    endpoint = JSON.parse(readFileSync(join(disk.dir, 'endpoint.json'), 'utf8')) as { s3Endpoint: string; accessKeyId: string; secretAccessKey: string };
    client = new S3Client({ endpoint: endpoint.s3Endpoint, forcePathStyle: true, region: 'us-east-1', credentials: endpoint, maxAttempts: 1 });
    await client.send(new CreateBucketCommand({ Bucket: 'data' }));
    await client.send(new PutObjectCommand({ Bucket: 'data', Key: 'before.txt', Body: 'stored before the disk filled' }));
    disk.fill();
  }, 60_000);

  afterAll(async () => {
    client?.destroy();
    await server?.stop();
    disk?.unmount();
  });

  /** The server's JSON log lines about failed requests. */
  const failures = (): LogLine[] =>
    server
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as LogLine)
      .filter((line) => line.msg === 'request failed' || line.msg === 'S3 request failed');

  /** The failures logged since `before`, once the server's stderr has caught up with its responses. */
  const loggedSince = async (before: number): Promise<LogLine[]> => {
    await until(async () => failures().length > before);
    return failures().slice(before);
  };

  it('answers a 30 MB S3 PutObject with 507 InsufficientStorage, and logs ENOSPC once', { timeout: 30_000 }, async () => {
    const before = failures().length;
    const err = await errorOf(client.send(new PutObjectCommand({ Bucket: 'data', Key: 'big.bin', Body: BODY })));
    expect(err).toMatchObject({ name: 'InsufficientStorage', status: 507 });
    expect(err.message).toMatch(/disk is full/);
    const logged = await loggedSince(before);
    expect(logged).toHaveLength(1);
    expect(logged[0]?.err?.code).toBe('ENOSPC');
    expect(logged[0]?.err?.stack).toMatch(/ENOSPC/);
  });

  it('answers awscli\'s 30 MB put-object (which sends the whole body before reading) with 507', { timeout: 30_000 }, async () => {
    const work = tempDir('skybatch-full-disk-aws-');
    const file = join(work, 'big.bin');
    writeFileSync(file, BODY);
    const env = { PATH: process.env.PATH, HOME: work, AWS_ACCESS_KEY_ID: endpoint.accessKeyId, AWS_SECRET_ACCESS_KEY: endpoint.secretAccessKey, AWS_DEFAULT_REGION: 'us-east-1', AWS_CONFIG_FILE: join(work, 'config'), AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_MAX_ATTEMPTS: '1' };
    const before = failures().length;
    const result = await new Promise<{ code: number; stderr: string }>((resolve) => {
      execFile(AWS, ['--endpoint-url', endpoint.s3Endpoint, 's3api', 'put-object', '--bucket', 'data', '--key', 'big-aws.bin', '--body', file], { env }, (err, _stdout, stderr) => resolve({ code: err ? 1 : 0, stderr }));
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/InsufficientStorage/);
    expect(result.stderr).toMatch(/disk is full/);
    expect(await loggedSince(before)).toHaveLength(1);
  });

  it('answers a 30 MB REST upload with 507 JSON, and logs ENOSPC once', { timeout: 30_000 }, async () => {
    const before = failures().length;
    const res = await fetch(`${server.url}/api/v1/buckets/data/objects/big.bin`, { method: 'PUT', headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/octet-stream' }, body: BODY });
    expect(res.status).toBe(507);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(Object.keys(body)).toEqual(['error']);
    expect(body.error.code).toBe('InsufficientStorage');
    expect(body.error.message).toMatch(/disk is full/);
    const logged = await loggedSince(before);
    expect(logged).toHaveLength(1);
    expect(logged[0]?.err?.code).toBe('ENOSPC');
  });

  it('keeps serving the objects stored before, through S3 and REST', async () => {
    const got = await client.send(new GetObjectCommand({ Bucket: 'data', Key: 'before.txt' }));
    expect(await got.Body?.transformToString()).toBe('stored before the disk filled');
    const res = await fetch(`${server.url}/api/v1/buckets/data/objects/before.txt`, { headers: { authorization: `Bearer ${server.token}` } });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('stored before the disk filled');
    expect(await errorOf(client.send(new GetObjectCommand({ Bucket: 'data', Key: 'big.bin' })))).toMatchObject({ name: 'NoSuchKey', status: 404 });
  });
});
