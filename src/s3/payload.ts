/*
 * The request body as the object store should see it: the bytes of the object, streamed.
 *
 * x-amz-content-sha256 says how the client framed and signed the body:
 *   - a hex SHA-256: the plain body; hashed as it streams and refused at its end
 *     (XAmzContentSHA256Mismatch) when it differs, so the store never commits it;
 *   - UNSIGNED-PAYLOAD: the plain body, unchecked;
 *   - STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER] / STREAMING-UNSIGNED-PAYLOAD-TRAILER:
 *     aws-chunked framing, `HEXSIZE[;chunk-signature=SIG]\r\nDATA\r\n` ... `0[;...]\r\n`
 *     then optional trailer lines (checksums) and an empty line. Signed chunks chain: each
 *     signature covers the previous one and the chunk's SHA-256, seeded by the request's.
 */
import { createHash, type Hash } from 'node:crypto';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { S3Error } from './errors.js';
import { EMPTY_SHA256, hmac, sameHex, STREAMING_SIGNED, STREAMING_SIGNED_TRAILER, STREAMING_UNSIGNED_TRAILER, UNSIGNED_PAYLOAD, type VerifiedRequest } from './sigv4.js';

const MAX_CHUNK_HEADER = 4096;
/**
 * The socket delivers 64 KiB at a time. Pieces are passed on as they are (the local store
 * gathers them into one writev); only the aws-chunked decoder's small slices are joined, up
 * to this size.
 */
const COALESCE_BYTES = 64 * 1024;
const MAX_TRAILER = 16 * 1024;

export function isStreamingPayload(payloadHash: string): boolean {
  return payloadHash === STREAMING_SIGNED || payloadHash === STREAMING_SIGNED_TRAILER || payloadHash === STREAMING_UNSIGNED_TRAILER;
}

/** The object bytes of `raw`, checked as the signature promised. */
export function decodePayload(raw: Readable, verified: VerifiedRequest): Readable {
  const hash = verified.payloadHash;
  let decoded: Transform;
  if (hash === UNSIGNED_PAYLOAD) decoded = new Coalesce();
  else if (isStreamingPayload(hash)) decoded = new AwsChunkedDecoder(hash === STREAMING_UNSIGNED_TRAILER ? undefined : verified);
  else if (/^[0-9a-f]{64}$/i.test(hash)) decoded = new Sha256Check(hash.toLowerCase());
  else throw new S3Error('InvalidArgument', `x-amz-content-sha256 must be a hex SHA-256, ${UNSIGNED_PAYLOAD} or a STREAMING-* value, not "${hash}"`);
  // An aborted upload must fail the store's write, not leave it waiting for more bytes.
  raw.once('error', (err) => decoded.destroy(err));
  raw.once('aborted', () => decoded.destroy(new S3Error('IncompleteBody', 'The request body ended before its Content-Length.')));
  return raw.pipe(decoded);
}

/** Passes bytes on in pieces of COALESCE_BYTES (the last one shorter). */
class Coalesce extends Transform {
  private pieces: Buffer[] = [];
  private held = 0;

  protected collect(chunk: Buffer): void {
    this.pieces.push(chunk);
    this.held += chunk.length;
    if (this.held >= COALESCE_BYTES) this.release();
  }

  protected release(): void {
    if (this.held === 0) return;
    this.push(this.pieces.length === 1 ? this.pieces[0] : Buffer.concat(this.pieces, this.held));
    this.pieces = [];
    this.held = 0;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.collect(chunk);
    callback();
  }

  override _flush(callback: TransformCallback): void {
    this.release();
    callback();
  }
}

class Sha256Check extends Coalesce {
  private readonly hash = createHash('sha256');

  constructor(private readonly expected: string) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.collect(chunk);
    callback();
  }

  override _flush(callback: TransformCallback): void {
    const actual = this.hash.digest('hex');
    // Checked before the last bytes go on: the store sees the body end only when it is right.
    if (actual !== this.expected) {
      callback(new S3Error('XAmzContentSHA256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed."));
      return;
    }
    this.release();
    callback();
  }
}

type Phase = 'header' | 'data' | 'data-end' | 'trailer' | 'done';

class AwsChunkedDecoder extends Coalesce {
  private phase: Phase = 'header';
  private pending: Buffer = Buffer.alloc(0);
  private remaining = 0;
  private chunkSignature = '';
  private chunkHash: Hash | undefined;
  private previousSignature: string;

  /** `signing` undefined: unsigned chunks (STREAMING-UNSIGNED-PAYLOAD-TRAILER). */
  constructor(private readonly signing: VerifiedRequest | undefined) {
    super();
    this.previousSignature = signing?.signature ?? '';
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.consume(chunk);
      callback();
    } catch (err) {
      callback(err as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    if (this.phase !== 'done' && !(this.phase === 'trailer' && this.pending.length === 0)) {
      callback(new S3Error('IncompleteBody', 'The aws-chunked body ended in the middle of a chunk.'));
      return;
    }
    this.release();
    callback();
  }

  private consume(input: Buffer): void {
    let data = this.pending.length > 0 ? Buffer.concat([this.pending, input]) : input;
    this.pending = Buffer.alloc(0);
    while (data.length > 0) {
      if (this.phase === 'data') {
        const take = Math.min(this.remaining, data.length);
        const piece = data.subarray(0, take);
        this.chunkHash?.update(piece);
        this.collect(piece);
        this.remaining -= take;
        data = data.subarray(take);
        if (this.remaining === 0) this.phase = 'data-end';
        continue;
      }
      const lineEnd = data.indexOf('\r\n');
      if (lineEnd === -1) {
        if (data.length > (this.phase === 'trailer' ? MAX_TRAILER : MAX_CHUNK_HEADER)) throw new S3Error('InvalidRequest', 'malformed aws-chunked body: a chunk header is too long');
        this.pending = Buffer.from(data);
        return;
      }
      const line = data.subarray(0, lineEnd).toString('latin1');
      data = data.subarray(lineEnd + 2);
      if (this.phase === 'header') this.startChunk(line);
      else if (this.phase === 'data-end') {
        if (line !== '') throw new S3Error('InvalidRequest', 'malformed aws-chunked body: chunk data longer than its declared size');
        this.endChunk();
      } else if (this.phase === 'trailer') {
        // Trailing checksums (x-amz-checksum-*) and their signature; the SHA-256 chain already
        // covers the data of signed uploads, and the store keeps its own MD5.
        if (line === '') this.phase = 'done';
      } else if (line !== '' || data.length > 0) {
        throw new S3Error('InvalidRequest', 'malformed aws-chunked body: data after the final chunk');
      }
    }
  }

  private startChunk(line: string): void {
    const [sizeText = '', ...extensions] = line.split(';');
    if (!/^[0-9a-fA-F]{1,15}$/.test(sizeText)) throw new S3Error('InvalidRequest', `malformed aws-chunked body: bad chunk size "${sizeText.slice(0, 20)}"`);
    this.remaining = parseInt(sizeText, 16);
    const signature = extensions.map((e) => e.trim()).find((e) => e.startsWith('chunk-signature='));
    this.chunkSignature = signature?.slice('chunk-signature='.length) ?? '';
    if (this.signing !== undefined && this.chunkSignature === '') throw new S3Error('SignatureDoesNotMatch', 'an aws-chunked chunk has no chunk-signature');
    this.chunkHash = this.signing === undefined ? undefined : createHash('sha256');
    if (this.remaining === 0) {
      this.verifyChunk();
      this.phase = 'trailer';
    } else {
      this.phase = 'data';
    }
  }

  private endChunk(): void {
    this.verifyChunk();
    this.phase = 'header';
  }

  private verifyChunk(): void {
    if (this.signing === undefined || this.chunkHash === undefined) return;
    const stringToSign = ['AWS4-HMAC-SHA256-PAYLOAD', this.signing.amzDate, this.signing.scope, this.previousSignature, EMPTY_SHA256, this.chunkHash.digest('hex')].join('\n');
    const expected = hmac(this.signing.signingKey, stringToSign).toString('hex');
    if (!sameHex(expected, this.chunkSignature)) throw new S3Error('SignatureDoesNotMatch', 'The chunk signature we calculated does not match the signature you provided.');
    this.previousSignature = expected;
  }
}
