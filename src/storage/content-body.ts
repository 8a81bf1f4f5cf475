/*
 * An object's bytes as GetObject hands them out. It is a Readable for whoever streams them
 * (each chunk a buffer of its own); a sender that reuses its own buffers (an HTTP download)
 * takes the reader out instead, before the stream has begun.
 */
import { Readable } from 'node:stream';
import type { BlobReader } from './blobs/blob-backend.js';

/** Bytes per chunk when streamed. */
const STREAM_CHUNK_BYTES = 1 << 20;

export class ContentBody extends Readable {
  private source: BlobReader | undefined;
  private started = false;

  constructor(source: BlobReader) {
    super({ highWaterMark: STREAM_CHUNK_BYTES });
    this.source = source;
  }

  /**
   * The bytes as a reader, for a sender with buffers of its own; the caller closes it. The
   * stream is spent afterwards: taking the reader of a stream that was read is an error.
   */
  takeReader(): BlobReader {
    const source = this.source;
    if (!source || this.started) throw new Error('the object body was already read');
    this.source = undefined;
    this.destroy();
    return source;
  }

  override _read(): void {
    this.started = true;
    const source = this.source;
    if (!source) return;
    source.read(Buffer.allocUnsafe(STREAM_CHUNK_BYTES)).then(
      (bytes) => {
        this.push(bytes.length > 0 ? bytes : null);
      },
      (err: unknown) => this.destroy(err as Error),
    );
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const source = this.source;
    this.source = undefined;
    if (!source) return callback(error);
    source.close().then(
      () => callback(error),
      (closeError: unknown) => callback(error ?? (closeError as Error)),
    );
  }
}
