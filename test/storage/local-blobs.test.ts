/*
 * The local blob backend on its own: many blobs written at once (their renames share folder
 * syncs) all read back whole, and a body that fails midway leaves nothing behind.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { LocalBlobs } from '../../src/storage/blobs/local.js';
import { ContentBody } from '../../src/storage/content-body.js';
import { tempDir } from '../support/backends.js';

async function bytesOf(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A body in 64 KiB pieces, as a socket hands it over. */
function pieces(data: Buffer): Readable {
  const parts: Buffer[] = [];
  for (let at = 0; at < data.length; at += 64 * 1024) parts.push(data.subarray(at, at + 64 * 1024));
  return Readable.from(parts);
}

describe('local blobs', () => {
  it('writes 40 blobs at once, each read back byte for byte', async () => {
    const blobs = new LocalBlobs(tempDir('skybatch-blobs-'));
    const bodies = Array.from({ length: 40 }, (_, i) => randomBytes(i % 5 === 0 ? 3 * 1024 * 1024 + i : 1024 + i));
    const written = await Promise.all(bodies.map((body) => blobs.write('standard', pieces(body))));
    for (const [i, blob] of written.entries()) {
      expect(blob.size).toBe(bodies[i]?.length);
      const back = await bytesOf(new ContentBody(await blobs.open('standard', blob.id)));
      expect(createHash('md5').update(back).digest('hex')).toBe(createHash('md5').update(bodies[i] as Buffer).digest('hex'));
    }
    await blobs.close();
  });

  it('leaves no file behind when the body fails midway', async () => {
    const root = tempDir('skybatch-blobs-');
    const blobs = new LocalBlobs(root);
    const failing = new Readable({
      read() {
        this.push(randomBytes(2 * 1024 * 1024));
        this.destroy(new Error('client went away'));
      },
    });
    await expect(blobs.write('standard', failing)).rejects.toThrow(/client went away/);
    expect(readdirSync(join(root, 'blobs'))).toEqual([]);
    await blobs.close();
  });
});
