/*
 * Keys whose characters XML 1.0 cannot carry as they are (control characters, CR, U+FFFE):
 * listings through @aws-sdk/client-s3 (no EncodingType: numeric character references, as S3
 * writes them) and awscli (which asks for EncodingType=url) give the exact keys back, and an
 * error about a key with NUL is an XML body a strict XML 1.0 parser (Python's expat) reads.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { CreateBucketCommand, ListObjectsCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/backends.js';
import { errorOf, startS3Server, type S3Server } from './helpers.js';

// Debian's awscli v2 where installed (CI); otherwise whichever awscli is on PATH.
const AWS = existsSync('/usr/bin/aws') ? '/usr/bin/aws' : 'aws';
const BUCKET = 'xml-keys';
const KEYS = ['ctrl/a\x01b', 'ctrl/esc\x1b[0m', 'ctrl/cr\rlf\n', 'ctrl/tab\there', 'ctrl/del\x7f', 'ctrl/nonchar\uFFFE\uFFFF', 'ctrl/all\x02\x03\x08\x0b\x0c\x0e\x1f', ' lead and trail ', 'markup/<&>"\'', 'unicode/日本語 ✓ 𝄞'];

let s3: S3Server;
let client: S3Client;
let work = '';

beforeAll(async () => {
  s3 = await startS3Server();
  client = s3.client();
  work = tempDir('skybatch-xml-keys-');
  await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
  for (const key of KEYS) await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: key }));
}, 60_000);

afterAll(async () => {
  client?.destroy();
  await s3?.server.stop();
});

/** Parses with expat, which refuses anything that is not well-formed XML 1.0; returns the text of `element`. */
function strictXmlText(xml: string, element: string): string {
  const script = 'import sys, json, xml.dom.minidom as m\nd = m.parseString(sys.stdin.buffer.read())\nprint(json.dumps([n.firstChild.data if n.firstChild else "" for n in d.getElementsByTagName(sys.argv[1])]))';
  const out = execFileSync('python3', ['-c', script, element], { input: xml, encoding: 'utf8' });
  return (JSON.parse(out) as string[])[0] ?? '';
}

describe('listing keys XML cannot carry raw', () => {
  it('lists every key exactly through the SDK without EncodingType (V2 and V1)', async () => {
    const v2 = await client.send(new ListObjectsV2Command({ Bucket: BUCKET }));
    expect(v2.$metadata.httpStatusCode).toBe(200);
    expect(v2.Contents?.map((o) => o.Key)).toEqual([...KEYS].sort());
    const v1 = await client.send(new ListObjectsCommand({ Bucket: BUCKET }));
    expect(v1.Contents?.map((o) => o.Key)).toEqual([...KEYS].sort());
  });

  it('gives back prefixes, delimiters and start-after holding such characters exactly', async () => {
    const page = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'ctrl/', Delimiter: '\x1b', StartAfter: 'ctrl/a\x01b' }));
    expect(page.Prefix).toBe('ctrl/');
    expect(page.Delimiter).toBe('\x1b');
    expect(page.StartAfter).toBe('ctrl/a\x01b');
    expect(page.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['ctrl/esc\x1b']);
    expect(page.Contents?.map((o) => o.Key)).toEqual(KEYS.filter((k) => k.startsWith('ctrl/') && !k.includes('\x1b') && k > 'ctrl/a\x01b').sort());
  });

  it('writes characters XML 1.0 cannot carry as numeric character references', async () => {
    const url = await getSignedUrl(client, new ListObjectsV2Command({ Bucket: BUCKET }));
    const body = await (await fetch(url)).text();
    expect(body).toContain('<Key>ctrl/a&#x1;b</Key>');
    const raw = [...body].filter((c) => (c < ' ' && c !== '\t' && c !== '\n') || c === '\uFFFE' || c === '\uFFFF');
    expect(raw).toEqual([]);
  });

  it('lists every key exactly through awscli', async () => {
    const env = {
      PATH: process.env.PATH,
      HOME: work,
      AWS_ACCESS_KEY_ID: s3.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_CONFIG_FILE: join(work, 'aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      AWS_PAGER: '',
      AWS_MAX_ATTEMPTS: '1',
    };
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(AWS, ['--endpoint-url', s3.endpoint, 's3api', 'list-objects-v2', '--bucket', BUCKET, '--output', 'json'], { env }, (err, out, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(out)));
    });
    const listed = JSON.parse(stdout) as { Contents: { Key: string }[] };
    expect(listed.Contents.map((o) => o.Key)).toEqual([...KEYS].sort());
  });
});

describe('errors about such keys', () => {
  it('answers a key with NUL with an InvalidArgument the SDK parses', async () => {
    expect(await errorOf(client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'nul\x00key', Body: 'x' })))).toMatchObject({ name: 'InvalidArgument', status: 400, message: expect.stringMatching(/NUL/) as unknown });
  });

  it('writes the error body as well-formed XML 1.0, the resource percent-encoding what XML cannot carry', async () => {
    const url = await getSignedUrl(client, new PutObjectCommand({ Bucket: BUCKET, Key: 'nul\x00key\x01\r' }));
    const res = await fetch(url, { method: 'PUT', body: 'x' });
    expect(res.status).toBe(400);
    const body = await res.text();
    expect(strictXmlText(body, 'Code')).toBe('InvalidArgument');
    expect(strictXmlText(body, 'Resource')).toBe(`/${BUCKET}/nul%00key%01%0D`);
  });

  it('writes error messages that quote query values as well-formed XML 1.0', async () => {
    const endpoint = new URL(`${s3.endpoint}/${BUCKET}`);
    const signer = new SignatureV4({ credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey }, region: 'us-east-1', service: 's3', sha256: Sha256, uriEscapePath: false });
    const query = { 'list-type': '2', 'max-keys': '1\x01' };
    const request = new HttpRequest({ method: 'GET', protocol: 'http:', hostname: endpoint.hostname, port: Number(endpoint.port), path: endpoint.pathname, query, headers: { host: endpoint.host } });
    const signed = await signer.sign(request);
    const res = await fetch(`${endpoint.href}?${new URLSearchParams(query).toString()}`, { headers: signed.headers });
    const body = await res.text();
    expect(res.status, body).toBe(400);
    expect(strictXmlText(body, 'Code')).toBe('InvalidArgument');
  });
});
