/*
 * A real `skybatch up` for the S3 tests, and S3 clients configured for it (needs `npm run build`).
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { tempDir } from '../support/backends.js';
import { startServer, type RunningServer } from '../support/server.js';

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
