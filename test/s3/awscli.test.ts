/*
 * Debian's awscli v2 (/usr/bin/aws; an `aws` earlier on PATH may be an old v1) against a real
 * `skybatch up` with --endpoint-url .../s3: mb, cp up and down (1 MiB, and 200 MiB in
 * multipart), ls with prefixes, sync, rm, s3api lifecycle, errors and presigned URLs.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, until } from '../support/backends.js';
import { startS3Server, type S3Server } from './helpers.js';

const AWS = '/usr/bin/aws';
let s3: S3Server;
let work = '';

interface AwsResult {
  code: number;
  stdout: string;
  stderr: string;
}

function aws(args: string[], secret?: string): Promise<AwsResult> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: work,
    AWS_ACCESS_KEY_ID: s3.accessKeyId,
    AWS_SECRET_ACCESS_KEY: secret ?? s3.secretAccessKey,
    AWS_DEFAULT_REGION: 'us-east-1',
    // Nothing from this machine's own AWS setup may leak in.
    AWS_CONFIG_FILE: join(work, 'aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_PAGER: '',
    AWS_MAX_ATTEMPTS: '1',
  };
  return new Promise((resolve) => {
    execFile(AWS, ['--endpoint-url', s3.endpoint, ...args], { env, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

async function ok(args: string[]): Promise<string> {
  const result = await aws(args);
  expect(result.code, `aws ${args.join(' ')}: ${result.stderr}`).toBe(0);
  return result.stdout;
}

function fileMd5(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('md5');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(hash.digest('hex')))
      .on('error', reject);
  });
}

async function randomFile(path: string, size: number): Promise<void> {
  const block = randomBytes(Math.min(size, 8 * 1024 * 1024));
  const chunks: Buffer[] = [];
  for (let written = 0; written < size; written += block.length) chunks.push(written + block.length <= size ? block : block.subarray(0, size - written));
  // Each block differs in its first bytes, so parts are not all alike.
  chunks.forEach((chunk, i) => chunk.length >= 4 && (chunks[i] = Buffer.concat([Buffer.from(i.toString().padStart(4, '0')), chunk.subarray(4)])));
  await writeFile(path, Buffer.concat(chunks));
}

beforeAll(async () => {
  expect(existsSync(AWS), 'Debian awscli at /usr/bin/aws (installed by .ci/run)').toBe(true);
  work = tempDir('skybatch-awscli-');
  // Path-style addressing: the bucket goes in the path after /s3, never in the host name.
  await writeFile(join(work, 'aws-config'), '[default]\ns3 =\n  addressing_style = path\n');
  s3 = await startS3Server();
}, 60_000);

afterAll(async () => {
  await s3?.server.stop();
  if (work) await rm(work, { recursive: true, force: true });
}, 60_000);

describe('awscli', () => {
  it('mb, then cp up and down a 1 MiB and a 200 MiB file byte for byte', async () => {
    await ok(['s3', 'mb', 's3://cli']);
    for (const [name, size] of [
      ['small.bin', 1024 * 1024],
      ['large.bin', 200 * 1024 * 1024],
    ] as const) {
      const source = join(work, name);
      const back = join(work, `${name}.back`);
      await randomFile(source, size);
      await ok(['s3', 'cp', source, `s3://cli/data/${name}`]);
      await ok(['s3', 'cp', `s3://cli/data/${name}`, back]);
      expect(await fileMd5(back)).toBe(await fileMd5(source));
      await rm(back);
    }
    const head = JSON.parse(await ok(['s3api', 'head-object', '--bucket', 'cli', '--key', 'data/large.bin'])) as { ContentLength: number; ETag: string };
    expect(head.ContentLength).toBe(200 * 1024 * 1024);
    // awscli uploads 200 MiB in 8 MiB parts: a multipart ETag.
    expect(head.ETag).toMatch(/^"[0-9a-f]{32}-25"$/);
    await rm(join(work, 'large.bin'));
  }, 300_000);

  it('ls with prefixes', async () => {
    await writeFile(join(work, 'note.txt'), 'note');
    await ok(['s3', 'cp', join(work, 'note.txt'), 's3://cli/data/deeper/note.txt']);
    const top = await ok(['s3', 'ls', 's3://cli']);
    expect(top).toMatch(/PRE data\//);
    const data = await ok(['s3', 'ls', 's3://cli/data/']);
    expect(data).toMatch(/PRE deeper\//);
    expect(data).toMatch(/1048576 small\.bin/);
    const partial = await ok(['s3', 'ls', 's3://cli/data/sm']);
    expect(partial).toContain('small.bin');
    expect(partial).not.toContain('large.bin');
    const buckets = await ok(['s3', 'ls']);
    expect(buckets).toContain('cli');
  });

  it('sync up and down, a second sync copies nothing, rm --recursive empties the prefix', async () => {
    const local = join(work, 'tree');
    await mkdir(join(local, 'sub'), { recursive: true });
    await writeFile(join(local, 'a.txt'), 'a');
    await writeFile(join(local, 'b with space.txt'), 'b');
    await writeFile(join(local, 'sub', 'c.txt'), 'c');
    await ok(['s3', 'sync', local, 's3://cli/tree/']);
    const listed = await ok(['s3', 'ls', '--recursive', 's3://cli/tree/']);
    for (const key of ['tree/a.txt', 'tree/b with space.txt', 'tree/sub/c.txt']) expect(listed).toContain(key);
    expect((await ok(['s3', 'sync', local, 's3://cli/tree/'])).trim()).toBe('');

    const down = join(work, 'tree-down');
    await ok(['s3', 'sync', 's3://cli/tree/', down]);
    expect(await readFile(join(down, 'b with space.txt'), 'utf8')).toBe('b');
    expect(await readFile(join(down, 'sub', 'c.txt'), 'utf8')).toBe('c');

    await ok(['s3', 'rm', '--recursive', 's3://cli/tree/']);
    // awscli's ls exits 1 when it lists nothing.
    expect((await aws(['s3', 'ls', '--recursive', 's3://cli/tree/'])).stdout.trim()).toBe('');
    await ok(['s3', 'rm', 's3://cli/data/deeper/note.txt']);
    expect(await ok(['s3', 'ls', 's3://cli/data/'])).not.toContain('deeper');
  });

  it('s3api put-bucket-lifecycle-configuration and get-bucket-lifecycle-configuration', async () => {
    const configuration = {
      Rules: [
        {
          ID: 'archive',
          Status: 'Enabled',
          Filter: { Prefix: 'data/' },
          Transitions: [
            { Days: 30, StorageClass: 'GLACIER' },
            { Days: 120, StorageClass: 'DEEP_ARCHIVE' },
          ],
          Expiration: { Days: 365 },
        },
      ],
    };
    await writeFile(join(work, 'lifecycle.json'), JSON.stringify(configuration));
    await ok(['s3api', 'put-bucket-lifecycle-configuration', '--bucket', 'cli', '--lifecycle-configuration', `file://${join(work, 'lifecycle.json')}`]);
    const got = JSON.parse(await ok(['s3api', 'get-bucket-lifecycle-configuration', '--bucket', 'cli'])) as typeof configuration;
    expect(got.Rules).toEqual(configuration.Rules);
  });

  it('a wrong secret gets SignatureDoesNotMatch; a missing key NoSuchKey; a missing bucket NoSuchBucket', async () => {
    const wrong = await aws(['s3', 'ls', 's3://cli'], 'W'.repeat(40));
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain('SignatureDoesNotMatch');
    const missingKey = await aws(['s3api', 'get-object', '--bucket', 'cli', '--key', 'no/such/key', join(work, 'out')]);
    expect(missingKey.code).not.toBe(0);
    expect(missingKey.stderr).toContain('NoSuchKey');
    const missingBucket = await aws(['s3', 'ls', 's3://no-such-bucket']);
    expect(missingBucket.code).not.toBe(0);
    expect(missingBucket.stderr).toContain('NoSuchBucket');
  });

  it('aws s3 presign gives a URL that works until it expires', async () => {
    const url = (await ok(['s3', 'presign', 's3://cli/data/small.bin', '--expires-in', '3'])).trim();
    expect(url.startsWith(`${s3.endpoint}/cli/data/small.bin?`)).toBe(true);
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer()).length).toBe(1024 * 1024);
    const expired = await until(async () => {
      const r = await fetch(url);
      if (r.status === 403) return r.text();
      await r.body?.cancel();
      return undefined;
    }, 15_000, 250);
    expect(expired).toContain('<Code>AccessDenied</Code>');
  });
});
