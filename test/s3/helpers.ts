/*
 * A real `skybatch up` for the S3 tests, and S3 clients configured for it (needs `npm run build`).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Sha256 } from '@aws-crypto/sha256-js';
import { S3Client } from '@aws-sdk/client-s3';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { tempDir } from '../support/backends.js';
import { startServer, type RunningServer } from '../support/server.js';

const execFileAsync = promisify(execFile);

export interface S3Server {
  server: RunningServer;
  dataDir: string;
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  client(credentials?: { accessKeyId: string; secretAccessKey: string }): S3Client;
}

export async function startS3Server(env: Record<string, string> = {}, databaseUrl?: string): Promise<S3Server> {
  const dataDir = tempDir('skybatch-s3-');
  const saved = { ...process.env };
  // startServer passes this process's environment on to the server.
  Object.assign(process.env, { SKYBATCH_STORAGE_RESTORE_DELAY_SECONDS: '0', ...env });
  let server: RunningServer;
  try {
    server = await startServer({ dataDir, databaseUrl });
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
  const file = JSON.parse(readFileSync(join(dataDir, 'endpoint.json'), 'utf8')) as { s3Endpoint: string; accessKeyId: string; secretAccessKey: string };
  // The tests upload objects of hundreds of MB: stopping the server also removes its data.
  const stop = server.stop.bind(server);
  server.stop = async () => {
    await stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  return {
    server,
    dataDir,
    endpoint: file.s3Endpoint,
    accessKeyId: file.accessKeyId,
    secretAccessKey: file.secretAccessKey,
    client(credentials = { accessKeyId: file.accessKeyId, secretAccessKey: file.secretAccessKey }) {
      return new S3Client({ endpoint: file.s3Endpoint, forcePathStyle: true, region: 'us-east-1', credentials, maxAttempts: 1 });
    },
  };
}

export async function errorOf(promise: Promise<unknown>): Promise<{ name: string; status: number | undefined; message: string }> {
  try {
    await promise;
  } catch (err) {
    const e = err as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, status: e.$metadata?.httpStatusCode, message: e.message };
  }
  throw new Error('expected the request to fail');
}

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * One signed request over node:http, for what the SDKs will not send (an empty Content-Type,
 * an Expect header, a malformed Content-MD5, header bytes as boto3 puts them on the wire).
 * Headers are signed as given; with `utf8Wire` their non-ASCII characters travel as UTF-8
 * bytes (boto3, curl), otherwise as Node sends strings (one latin1 byte per character).
 */
export async function signedRequest(
  s3: S3Server,
  request: { method: string; path: string; query?: Record<string, string>; headers?: Record<string, string>; body?: string | Buffer; utf8Wire?: boolean; unsignedPayload?: boolean },
): Promise<RawAnswer> {
  const endpoint = new URL(s3.endpoint);
  const path = `${endpoint.pathname}${request.path}`;
  const body = request.body ?? '';
  const signer = new SignatureV4({ credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey }, region: 'us-east-1', service: 's3', sha256: Sha256, uriEscapePath: false, applyChecksum: true });
  const payloadHash = request.unsignedPayload ? 'UNSIGNED-PAYLOAD' : createHash('sha256').update(body).digest('hex');
  const unsigned = new HttpRequest({
    method: request.method,
    protocol: 'http:',
    hostname: endpoint.hostname,
    port: Number(endpoint.port),
    path,
    query: request.query ?? {},
    headers: { host: endpoint.host, 'x-amz-content-sha256': payloadHash, ...(request.headers ?? {}) },
    body,
  });
  const signed = await signer.sign(unsigned);
  const wire: Record<string, string> = {};
  for (const [name, value] of Object.entries(signed.headers)) wire[name] = request.utf8Wire ? Buffer.from(value, 'utf8').toString('latin1') : value;
  const query = new URLSearchParams(request.query ?? {}).toString().replace(/\+/g, '%20');
  return new Promise<RawAnswer>((resolve, reject) => {
    const req = httpRequest({ host: endpoint.hostname, port: Number(endpoint.port), method: request.method, path: query === '' ? path : `${path}?${query}`, headers: { ...wire, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    // A Buffer: with a string, Node writes the headers in the body's encoding (UTF-8), not as bytes.
    req.end(Buffer.from(body));
  });
}

/** Debian's awscli v2 where installed (CI); otherwise whichever awscli is on PATH. */
export const AWS_CLI = existsSync('/usr/bin/aws') ? '/usr/bin/aws' : 'aws';

/** Runs `aws --endpoint-url S3 ARGS...` signed with the server's default key, or `credentials`; rejects on a non-zero exit. */
export async function awscli(s3: S3Server, args: string[], credentials = { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey }): Promise<{ stdout: string; stderr: string }> {
  const env = { ...process.env, AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey, AWS_DEFAULT_REGION: 'us-east-1', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' };
  return execFileAsync(AWS_CLI, ['--endpoint-url', s3.endpoint, ...args], { env });
}
