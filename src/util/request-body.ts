/*
 * Request bodies that stream into the object store, and what happens to them when the request
 * fails before they are read to the end (a refused key, a missing bucket, a full disk).
 *
 * The rule: a failed request is still answered, and its connection survives when it can.
 *   - The store never holds the socket's own stream: it gets a detached copy (detachedBody),
 *     so when it destroys that copy, as it does on a failure, the socket stays open for the
 *     error response. Destroying the request itself would destroy the socket with it.
 *   - When the response goes out, whatever the client is still sending is read and thrown away
 *     (discardUnreadBody). Node does that by itself only for a body nobody began to read; a body
 *     that was piped and then abandoned stays paused, and the client, blocked sending it, waits
 *     for a response it never reads. Past DISCARD_LIMIT_BYTES the connection is closed instead:
 *     the client has its answer by then, and the server owes nobody an unbounded download.
 */
import type { IncomingMessage } from 'node:http';
import { PassThrough, type Readable } from 'node:stream';

export const DISCARD_LIMIT_BYTES = 256 * 1024 * 1024;

/** The bytes of `raw` as a stream of their own, which the reader may destroy without closing the connection. */
export function detachedBody(raw: Readable): Readable {
  const body = new PassThrough({ highWaterMark: 1 << 20 });
  // A client that goes away mid-upload must fail the store's write, not leave it waiting.
  raw.once('error', (err) => body.destroy(err));
  raw.once('aborted', () => body.destroy(new Error('the request body ended before its Content-Length')));
  return raw.pipe(body);
}

/** Reads what is left of the request body into the void, closing the connection past `limitBytes`. */
export function discardUnreadBody(raw: IncomingMessage, limitBytes = DISCARD_LIMIT_BYTES): void {
  if (raw.complete || raw.readableEnded || raw.destroyed) return;
  raw.unpipe();
  let discarded = 0;
  raw.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > limitBytes) raw.destroy();
  });
  raw.resume();
}
