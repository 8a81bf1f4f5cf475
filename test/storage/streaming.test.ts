/*
 * Bodies stream: a 200 MiB object goes in and out with the process's memory growing far less
 * than the object (sampled RSS), and the S3 backend handles a body larger than its part size.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { FakeS3, openHarness, variants, type Harness } from './helpers.js';

const MiB = 1024 * 1024;

const fakeS3 = new FakeS3();
afterAll(() => fakeS3.stop());

/** `size` bytes of a repeating, position-dependent pattern, produced on demand. */
function generated(size: number): Readable {
  const block = Buffer.alloc(MiB);
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= size) return void this.push(null);
      const n = Math.min(MiB, size - sent);
      block.fill(sent / MiB);
      this.push(Buffer.from(block.subarray(0, n)));
      sent += n;
    },
  });
}

async function md5Of(stream: Readable): Promise<{ md5: string; size: number }> {
  const hash = createHash('md5');
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { md5: hash.digest('hex'), size };
}

/** Highest RSS seen while `work` runs, sampled often. */
async function peakRss<T>(work: () => Promise<T>): Promise<{ result: T; peak: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  try {
    const result = await work();
    return { result, peak: Math.max(peak, process.memoryUsage().rss) };
  } finally {
    clearInterval(timer);
  }
}

describe('streaming', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('writes and reads a 200 MiB object without holding it in memory', { timeout: 180_000 }, async () => {
    h = await openHarness(variants[0]!, fakeS3);
    await h.storage.createBucket('data');
    const size = 200 * MiB;
    const expected = await md5Of(generated(size));
    global.gc?.();
    const before = process.memoryUsage().rss;
    const { result: info, peak: putPeak } = await peakRss(() => h!.storage.putObject({ bucket: 'data', key: 'big.bin', body: generated(size) }));
    expect(info.size).toBe(size);
    expect(info.etag).toBe(`"${expected.md5}"`);
    const { result: read, peak: getPeak } = await peakRss(async () => md5Of((await h!.storage.getObject('data', 'big.bin')).body));
    expect(read).toEqual(expected);
    // Generous: the object is 200 MiB; streaming keeps growth to buffers of a few MiB.
    expect(putPeak - before).toBeLessThan(80 * MiB);
    expect(getPeak - before).toBeLessThan(80 * MiB);
  });

  it('sends a body larger than a part to the S3 backend in parts', { timeout: 120_000 }, async () => {
    h = await openHarness(variants[2]!, fakeS3);
    await h.storage.createBucket('data');
    const size = 20 * MiB + 123;
    const expected = await md5Of(generated(size));
    const info = await h.storage.putObject({ bucket: 'data', key: 'big.bin', body: generated(size) });
    expect(info.etag).toBe(`"${expected.md5}"`);
    expect(await md5Of((await h.storage.getObject('data', 'big.bin')).body)).toEqual(expected);
    expect(await md5Of((await h.storage.getObject('data', 'big.bin', { start: 9 * MiB, end: 9 * MiB + 9 })).body)).toEqual(await md5Of(Readable.from([Buffer.alloc(10, 9)])));
  });
});
