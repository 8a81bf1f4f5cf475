/*
 * Where an object's bytes live. A blob is named by an id the store generates (never by the
 * object key) and is immutable once written: replacing an object writes a new blob and the
 * catalogue row switches to it in one transaction; the old blob is deleted after the commit.
 *
 * Two areas: `standard` holds bytes as written; `archive` holds the gzip-compressed copies of
 * GLACIER / DEEP_ARCHIVE objects, which cannot be read until restored.
 */
import { createHash, randomUUID } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';

export type BlobArea = 'standard' | 'archive';

export interface WrittenBlob {
  id: string;
  /** Bytes stored (the compressed size in the archive area). */
  size: number;
}

export interface BlobBackend {
  readonly name: string;
  /** Streams `body` into a new blob. When the body fails, nothing of the blob remains. */
  write(area: BlobArea, body: Readable): Promise<WrittenBlob>;
  /** Opens the blob for reading; `end` inclusive. Rejects (code ENOENT) when it is gone. */
  read(area: BlobArea, id: string, range?: { start: number; end: number }): Promise<Readable>;
  /** Every blob of the area with its last write time (epoch ms, wall clock), in no order. */
  list(area: BlobArea): AsyncIterable<{ id: string; modifiedMs: number }>;
  /** Deleting a missing blob succeeds. */
  delete(area: BlobArea, id: string): Promise<void>;
  close(): Promise<void>;
}

const BLOB_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function newBlobId(): string {
  return randomUUID();
}

/** Backends refuse anything but an id we generated, so no caller can steer a path. */
export function checkBlobId(id: string): void {
  if (!BLOB_ID.test(id)) throw new Error(`not a blob id: ${JSON.stringify(id).slice(0, 60)}`);
}

export class BlobNotFoundError extends Error {
  readonly code = 'ENOENT';
  constructor(id: string) {
    super(`blob ${id} does not exist`);
  }
}

/** A pass-through that counts and MD5-hashes what flows through it. */
export class Digest extends Transform {
  /** Without MD5 (`hash: false`) it only counts: a multipart object's ETag comes from its parts' MD5s. */
  private readonly hash: ReturnType<typeof createHash> | undefined;

  constructor(hashing = true) {
    super();
    this.hash = hashing ? createHash('md5') : undefined;
  }

  // Not `size`: lib-storage takes a stream's `size` for its total length.
  byteCount = 0;
  private md5?: Buffer;

  override _transform(chunk: Buffer | string, _encoding: BufferEncoding, callback: (error?: Error | null, data?: Buffer) => void): void {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    this.hash?.update(bytes);
    this.byteCount += bytes.length;
    callback(null, bytes);
  }

  /** The MD5 of everything that passed; call once the stream has ended. */
  digest(): Buffer {
    this.md5 ??= this.hash?.digest() ?? Buffer.alloc(0);
    return this.md5;
  }
}
