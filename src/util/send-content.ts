/*
 * Sends an object's bytes as a reply. Piping a stream allocates a fresh buffer for every chunk
 * (and the page faults of fresh memory cost more than the copies themselves); here two buffers,
 * taken from a pool every download shares, alternate: one is read into while the other is being
 * written. A buffer is read into again only once the socket has taken its bytes (the write's
 * callback), which is also the backpressure: a slow client holds two buffers, no more.
 */
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';
import type { BlobReader } from '../storage/blobs/blob-backend.js';
import type { ContentBody } from '../storage/content-body.js';

// Large writes matter more than anything else here: on loopback, 4 MiB buffers cost half the
// CPU per GiB of 256 KiB ones (fewer syscalls and wakeups per byte).
const SEND_BUFFER_BYTES = 4 * 1024 * 1024;
/** Buffers kept for the next large download (it takes two); more are left to the GC. */
const POOL_SIZE = 2;
const pool: Buffer[] = [];

function takeBuffer(): Buffer {
  return pool.pop() ?? Buffer.allocUnsafeSlow(SEND_BUFFER_BYTES);
}

/**
 * Sends `body` with the status and headers set on `reply`. A failure of the first read is
 * thrown (nothing was sent: the caller's error reply follows); a later one cuts the connection,
 * since the length was promised, and is logged.
 */
export async function sendContent(reply: FastifyReply, body: ContentBody): Promise<void> {
  const reader = body.takeReader();
  // A body smaller than a send buffer gets buffers of its own size: a small download neither
  // holds pooled buffers nor makes the GC count 8 MiB of external memory per request.
  const length = Number(reply.getHeader('content-length'));
  const small = Number.isSafeInteger(length) && length < SEND_BUFFER_BYTES;
  const buffers: [Buffer, Buffer] = small ? [Buffer.allocUnsafe(length), Buffer.allocUnsafe(length)] : [takeBuffer(), takeBuffer()];
  const release = () => {
    if (small) return;
    for (const buffer of buffers) if (pool.length < POOL_SIZE) pool.push(buffer);
  };
  let first: Buffer;
  try {
    first = await reader.read(buffers[0]);
  } catch (err) {
    await reader.close();
    release();
    throw err;
  }
  reply.hijack();
  const res = reply.raw;
  res.writeHead(reply.statusCode, reply.getHeaders() as OutgoingHttpHeaders);
  const outcome = await pump(res, reader, buffers, first);
  await reader.close().catch(() => {});
  if (outcome === 'sent') {
    // Every write's callback has run: the socket holds no reference to either buffer.
    release();
    return;
  }
  if (outcome !== 'client gone') reply.log.error({ err: outcome }, 'object download failed after its headers were sent');
  res.destroy();
}

async function pump(res: ServerResponse, reader: BlobReader, buffers: [Buffer, Buffer], first: Buffer): Promise<'sent' | 'client gone' | Error> {
  const gone = new Promise<'client gone'>((resolve) => res.once('close', () => resolve('client gone')));
  const inFlight: [Promise<void>, Promise<void>] = [Promise.resolve(), Promise.resolve()];
  let turn: 0 | 1 = 0;
  let bytes = first;
  try {
    while (bytes.length > 0) {
      const write = written(res, bytes);
      // Awaited below, or not at all once the client is gone: never an unhandled rejection.
      write.catch(() => {});
      inFlight[turn] = write;
      turn = turn === 0 ? 1 : 0;
      if ((await Promise.race([inFlight[turn], gone])) === 'client gone') return 'client gone';
      bytes = await reader.read(buffers[turn]);
    }
    if ((await Promise.race([Promise.all(inFlight), gone])) === 'client gone') return 'client gone';
    const finished = new Promise<void>((resolve) => res.end(resolve));
    return (await Promise.race([finished, gone])) === 'client gone' ? 'client gone' : 'sent';
  } catch (err) {
    // A write refused: the socket is gone. Anything else came from reading the object.
    if (res.destroyed || res.writableEnded) return 'client gone';
    return err as Error;
  }
}

function written(res: ServerResponse, bytes: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    res.write(bytes, (err) => (err ? reject(err) : resolve()));
  });
}
