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
  /**
   * Opens the blob (or `range` of it, `end` inclusive) for reading. Rejects (code ENOENT) when
   * it is gone; once open it stays readable even if the blob is deleted meanwhile.
   */
  open(area: BlobArea, id: string, range?: { start: number; end: number }): Promise<BlobReader>;
  /** Every blob of the area with its last write time (epoch ms, wall clock), in no order. */
  list(area: BlobArea): AsyncIterable<{ id: string; modifiedMs: number }>;
  /** Deleting a missing blob succeeds. */
  delete(area: BlobArea, id: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Bytes pulled in order. A sender that reuses its buffers passes one in: a file is read into
 * it, so a download allocates nothing per chunk; a backend that receives its bytes as a stream
 * hands back its own chunks instead.
 */
export interface BlobReader {
  /** The next bytes (in `scratch`, or in a buffer of the reader's own); empty once all are read. */
  read(scratch: Buffer): Promise<Buffer>;
  /** Releases what the reader holds; closing twice, or after the end, is harmless. */
  close(): Promise<void>;
}

/** A reader over a stream's chunks (the scratch buffers go unused). */
export function streamReader(stream: Readable): BlobReader {
  const chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  return {
    async read() {
      for (;;) {
        const next = await chunks.next();
        if (next.done) return EMPTY;
        if (next.value.length > 0) return next.value;
      }
    },
    async close() {
      stream.destroy();
    },
  };
}

/** A reader of one buffer, handed over whole. */
export function bufferReader(bytes: Buffer): BlobReader {
  let left: Buffer = bytes;
  return {
    async read() {
      const out = left;
      left = EMPTY;
      return out;
    },
    async close() {
      left = EMPTY;
    },
  };
}

const EMPTY = Buffer.alloc(0);

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
