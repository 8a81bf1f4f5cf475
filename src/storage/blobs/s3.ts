/*
 * Blobs as objects in one bucket of real S3 or any S3-compatible store, under
 * `<prefix>standard/<id>` and `<prefix>archive/<id>`. Writes go through lib-storage's Upload,
 * which sends a body of unknown length as a multipart upload in bounded parts, so memory stays
 * at partSize x queueSize whatever the object's size; a failed write aborts the upload.
 */
import { DeleteObjectCommand, GetObjectCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Readable, pipeline } from 'node:stream';
import { BlobNotFoundError, Digest, checkBlobId, newBlobId, type BlobArea, type BlobBackend, type WrittenBlob } from './blob-backend.js';

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
    return { id, size: counted.size };
  }

  async read(area: BlobArea, id: string, range?: { start: number; end: number }): Promise<Readable> {
    try {
      const result = await this.client.send(new GetObjectCommand({ Bucket: this.config.bucket, Key: this.key(area, id), ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}) }));
      const body = result.Body;
      if (body instanceof Readable) return body;
      if (!body) return Readable.from([]);
      return Readable.fromWeb(body.transformToWebStream() as Parameters<typeof Readable.fromWeb>[0]);
    } catch (err) {
      const name = (err as { name?: string }).name;
      if (name === 'NoSuchKey' || name === 'NotFound') throw new BlobNotFoundError(id);
      throw err;
    }
  }

  async delete(area: BlobArea, id: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.config.bucket, Key: this.key(area, id) }));
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}
