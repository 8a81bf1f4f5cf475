/*
 * Blobs as objects in one bucket of real S3 or any S3-compatible store, under
 * `<prefix>standard/<id>` and `<prefix>archive/<id>`. Writes go through lib-storage's Upload,
 * which sends a body of unknown length as a multipart upload in bounded parts, so memory stays
 * at partSize x queueSize whatever the object's size; a failed write aborts the upload.
 */
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Readable, Transform, pipeline } from 'node:stream';
import { BlobNotFoundError, Digest, checkBlobId, newBlobId, streamReader, type BlobArea, type BlobBackend, type BlobReader, type WrittenBlob } from './blob-backend.js';

export interface S3BlobsConfig {
  bucket: string;
  /** e.g. http://127.0.0.1:9000 for an S3-compatible server; unset for AWS. */
  endpoint?: string;
  region?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  forcePathStyle?: boolean;
  /** Prepended to every blob's key, e.g. `skybatch/`. */
  prefix?: string;
}

export class S3Blobs implements BlobBackend {
  readonly name = 's3';
  private readonly client: S3Client;
  private readonly prefix: string;

  constructor(readonly config: S3BlobsConfig) {
    const options: S3ClientConfig = {
      region: config.region ?? 'us-east-1',
      forcePathStyle: config.forcePathStyle ?? Boolean(config.endpoint),
      // Checksums only where S3 requires them: several S3-compatible servers reject the
      // trailing-checksum encoding the SDK would otherwise use for streamed bodies.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    };
    if (config.endpoint) options.endpoint = config.endpoint;
    if (config.accessKeyId && config.secretAccessKey) options.credentials = { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey };
    this.client = new S3Client(options);
    this.prefix = config.prefix ?? '';
  }

  private key(area: BlobArea, id: string): string {
    checkBlobId(id);
    return `${this.prefix}${area}/${id}`;
  }

  async write(area: BlobArea, body: Readable): Promise<WrittenBlob> {
    const id = newBlobId();
    const counted = new Digest();
    // Errors of the body reach the upload through the pipeline; the upload reports them.
    pipeline(body, counted, () => {});
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.config.bucket, Key: this.key(area, id), Body: counted },
      partSize: 8 * 1024 * 1024,
      queueSize: 2,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (err) {
      body.destroy();
      // A single-part body may have been stored before the failure surfaced.
      await this.delete(area, id).catch(() => {});
      throw err;
    }
    return { id, size: counted.byteCount };
  }

  async open(area: BlobArea, id: string, range?: { start: number; end: number }): Promise<BlobReader> {
    try {
      const result = await this.client.send(new GetObjectCommand({ Bucket: this.config.bucket, Key: this.key(area, id), ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}) }));
      const body = result.Body;
      let stream: Readable;
      if (body instanceof Readable) stream = body;
      else if (!body) stream = Readable.from([]);
      else stream = Readable.fromWeb(body.transformToWebStream() as Parameters<typeof Readable.fromWeb>[0]);
      // Some S3-compatible servers answer a range with more than asked (the whole object, or
      // bytes=0-0 read as "from 0"): cut the asked range out of what came.
      if (range) {
        const served = /^bytes (\d+)-(\d+)\//.exec(result.ContentRange ?? '');
        const from = served ? Number(served[1]) : 0;
        if (!served || from !== range.start || Number(served[2]) !== range.end) return streamReader(pipeline(stream, slice(range.start - from, range.end - from), () => {}));
      }
      return streamReader(stream);
    } catch (err) {
      const name = (err as { name?: string }).name;
      if (name === 'NoSuchKey' || name === 'NotFound') throw new BlobNotFoundError(id);
      throw err;
    }
  }

  async *list(area: BlobArea): AsyncGenerator<{ id: string; modifiedMs: number }> {
    const prefix = `${this.prefix}${area}/`;
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.config.bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }));
      for (const item of page.Contents ?? []) {
        if (item.Key) yield { id: item.Key.slice(prefix.length), modifiedMs: item.LastModified?.getTime() ?? 0 };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async delete(area: BlobArea, id: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.config.bucket, Key: this.key(area, id) }));
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}

/** Passes bytes start..end (inclusive) of the stream through, drops the rest. */
function slice(start: number, end: number): Transform {
  let offset = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      const from = Math.max(start - offset, 0);
      const to = Math.min(end + 1 - offset, chunk.length);
      offset += chunk.length;
      callback(null, from < to ? chunk.subarray(from, to) : undefined);
    },
  });
}
