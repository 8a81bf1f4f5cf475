/*
 * The object store under test on every (database, blob backend) pair: SQLite or PostgreSQL for
 * the catalogue, the local disk or S3 (an s3rver started by the suite, a separate S3
 * implementation) for the bytes. A settable clock ages objects without waiting.
 */
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { openStore, type Store } from '../../src/store/database.js';
import { S3Blobs } from '../../src/storage/blobs/s3.js';
import { ObjectStorage, type ObjectStorageOptions } from '../../src/storage/storage.js';
import { backends, tempDir, type BackendHandle } from '../support/backends.js';

export const S3_BUCKET = 'skybatch-blobs';

/** One s3rver for a test file, on a free port; `start` is idempotent. */
export class FakeS3 {
  private server: S3rver | undefined;
  private directory: string | undefined;
  endpoint = '';

  async start(): Promise<string> {
    if (this.server) return this.endpoint;
    this.directory = tempDir('skybatch-s3rver-');
    this.server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: this.directory, configureBuckets: [{ name: S3_BUCKET, configs: [] }] });
    const address = await this.server.run();
    this.endpoint = `http://127.0.0.1:${address.port}`;
    return this.endpoint;
  }

  client(): S3Client {
    return new S3Client({ endpoint: this.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  }

  async stop(): Promise<void> {
    await this.server?.close();
    this.server = undefined;
    if (this.directory) rmSync(this.directory, { recursive: true, force: true });
  }
}

export class Clock {
  ms = Date.parse('2026-01-01T00:00:00.000Z');
  now = (): Date => new Date(this.ms);
  advanceDays(days: number): void {
    this.ms += days * 24 * 60 * 60 * 1000;
  }
  advanceSeconds(seconds: number): void {
    this.ms += seconds * 1000;
  }
}

export interface Harness {
  storage: ObjectStorage;
  store: Store;
  dataDir: string;
  clock: Clock;
  /** Every blob the backend holds (both areas, temp files included for the local disk). */
  blobNames(): Promise<string[]>;
  /** Writes a blob no catalogue row names, as a crash between a write and its commit leaves. */
  orphan(): Promise<string>;
  close(): Promise<void>;
}

export type BlobKind = 'local' | 's3';

export interface Variant {
  name: string;
  database: (typeof backends)[number];
  blobs: BlobKind;
}

/** Every database with the local disk, and S3 on SQLite (the catalogue code is the same). */
export const variants: Variant[] = [
  { name: 'sqlite + local', database: backends[0]!, blobs: 'local' },
  { name: 'postgres + local', database: backends[1]!, blobs: 'local' },
  { name: 'sqlite + s3', database: backends[0]!, blobs: 's3' },
  { name: 'postgres + s3', database: backends[1]!, blobs: 's3' },
];

export async function openHarness(variant: Variant, fakeS3: FakeS3, options: Partial<ObjectStorageOptions> = {}): Promise<Harness> {
  const handle: BackendHandle = await variant.database.create();
  const store = await openStore({ dataDir: handle.dataDir, databaseUrl: handle.databaseUrl });
  const clock = new Clock();
  const prefix = `t-${randomBytes(4).toString('hex')}/`;
  let s3: S3Blobs | undefined;
  if (variant.blobs === 's3') {
    const endpoint = await fakeS3.start();
    s3 = new S3Blobs({ bucket: S3_BUCKET, endpoint, region: 'us-east-1', accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', prefix });
  }
  const storage = new ObjectStorage({
    store,
    dataDir: handle.dataDir,
    now: clock.now,
    minPartSize: 1024,
    restoreDelaySeconds: 3600,
    // Every body a blob, so the suites see the blob mechanics; inline.test.ts covers the
    // bodies kept in the catalogue (the server's default for small ones).
    inlineBytes: 0,
    ...(s3 ? { backends: { s3 }, defaultBackend: 's3' } : {}),
    ...options,
  });
  const client = variant.blobs === 's3' ? fakeS3.client() : undefined;
  return {
    storage,
    store,
    dataDir: handle.dataDir,
    clock,
    async blobNames() {
      if (client) {
        const listed = await client.send(new ListObjectsV2Command({ Bucket: S3_BUCKET, Prefix: prefix }));
        return (listed.Contents ?? []).map((c) => c.Key!.slice(prefix.length));
      }
      const root = join(handle.dataDir, 'storage');
      return ['blobs', 'archive'].flatMap((area) => readdirSync(join(root, area)).map((name) => `${area === 'blobs' ? 'standard' : area}/${name}`));
    },
    async orphan() {
      const id = randomUUID();
      if (client) await client.send(new PutObjectCommand({ Bucket: S3_BUCKET, Key: `${prefix}standard/${id}`, Body: 'orphan' }));
      else writeFileSync(join(handle.dataDir, 'storage', 'blobs', id), 'orphan');
      return `standard/${id}`;
    },
    async close() {
      await storage.close();
      client?.destroy();
      await store.close();
      await handle.cleanup();
    },
  };
}

export function body(content: string | Buffer): Readable {
  return Readable.from([typeof content === 'string' ? Buffer.from(content) : content]);
}

export async function text(stream: Readable): Promise<string> {
  return (await bytes(stream)).toString('utf8');
}

export async function bytes(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** A body that sends `before` bytes, then fails. */
export function failingBody(before: number): Readable {
  let sent = false;
  return new Readable({
    read() {
      if (!sent) {
        sent = true;
        this.push(Buffer.alloc(before, 7));
      } else {
        this.destroy(new Error('client went away'));
      }
    },
  });
}
