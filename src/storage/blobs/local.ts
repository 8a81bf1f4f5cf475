/*
 * Blobs as files under `<dataDir>/storage/{blobs,archive}/`, named by generated ids. A write
 * streams into a temp file in the same folder, fsyncs it, renames it into place and fsyncs the
 * folder, so a blob either exists whole or not at all; a failed write removes its temp file.
 */
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { lstat, open, readdir, rename, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { BlobNotFoundError, checkBlobId, newBlobId, type BlobArea, type BlobBackend, type BlobReader, type WrittenBlob } from './blob-backend.js';

const TEMP_PREFIX = '.tmp-';
const STALE_TEMP_MS = 24 * 60 * 60 * 1000;

/** Bytes gathered for one writev. */
const WRITE_BATCH_BYTES = 1024 * 1024;
/** Bytes written between background datasyncs of a large blob. */
const FLUSH_EVERY_BYTES = 64 * 1024 * 1024;

export class LocalBlobs implements BlobBackend {
  readonly name = 'local';
  private readonly folders: Record<BlobArea, string>;
  private readonly folderSyncs: Record<BlobArea, FolderSync>;

  constructor(readonly root: string) {
    this.folders = { standard: join(root, 'blobs'), archive: join(root, 'archive') };
    this.folderSyncs = { standard: new FolderSync(this.folders.standard), archive: new FolderSync(this.folders.archive) };
    for (const folder of Object.values(this.folders)) {
      mkdirSync(folder, { recursive: true });
      // Temp files left by a process killed mid-write belong to no object. Their names carry
      // the writer's pid: a dead writer's go at once, any other only when long untouched.
      for (const name of readdirSync(folder)) {
        if (!name.startsWith(TEMP_PREFIX)) continue;
        const path = join(folder, name);
        const pid = Number(name.slice(TEMP_PREFIX.length).split('-')[0]);
        const stale = Date.now() - (statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? 0) > STALE_TEMP_MS;
        if (stale || !isAlive(pid)) rmSync(path, { force: true });
      }
    }
  }

  async write(area: BlobArea, body: Readable): Promise<WrittenBlob> {
    const id = newBlobId();
    const folder = this.folders[area];
    const temp = join(folder, `${TEMP_PREFIX}${process.pid}-${id}`);
    const file = await open(temp, 'wx');
    let size = 0;
    // Flushing as the bytes arrive, not all at the end: the final sync then has little left.
    let flushed = 0;
    let flushing: Promise<void> = Promise.resolve();
    let flushFailed: unknown;
    try {
      // The socket hands over 64 KiB at a time: one writev per WRITE_BATCH_BYTES, no copies.
      let batch: Buffer[] = [];
      let batched = 0;
      const writeBatch = async () => {
        if (batch.length === 0) return;
        const pieces = batch;
        const total = batched;
        batch = [];
        batched = 0;
        const { bytesWritten } = await file.writev(pieces);
        // A short write (rare: a signal, a nearly full disk): the rest goes in plain writes.
        if (bytesWritten < total) {
          const rest = Buffer.concat(pieces).subarray(bytesWritten);
          for (let at = 0; at < rest.length; ) at += (await file.write(rest, at)).bytesWritten;
        }
        if (size - flushed >= FLUSH_EVERY_BYTES) {
          flushed = size;
          // Caught here, not left to reject unheard: the final sync below reports the failure.
          flushing = flushing.then(() => file.datasync()).catch((err: unknown) => void (flushFailed ??= err));
        }
      };
      for await (const chunk of body as AsyncIterable<Buffer | string>) {
        const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        size += bytes.length;
        batch.push(bytes);
        batched += bytes.length;
        if (batched >= WRITE_BATCH_BYTES) await writeBatch();
      }
      await writeBatch();
      await flushing;
      if (flushFailed !== undefined) throw flushFailed;
      await file.sync();
      await file.close();
    } catch (err) {
      await flushing.catch(() => {});
      await file.close().catch(() => {});
      await rm(temp, { force: true });
      body.destroy();
      throw err;
    }
    try {
      await rename(temp, join(folder, id));
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    }
    await this.folderSyncs[area].sync();
    return { id, size };
  }

  async open(area: BlobArea, id: string, range?: { start: number; end: number }): Promise<BlobReader> {
    checkBlobId(id);
    let file: FileHandle;
    try {
      file = await open(join(this.folders[area], id), 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new BlobNotFoundError(id);
      throw err;
    }
    // The reader owns the open file: it stays readable even if the blob is deleted meanwhile.
    return new FileReader(file, range?.start ?? 0, range ? range.end + 1 : Infinity);
  }

  async *list(area: BlobArea): AsyncGenerator<{ id: string; modifiedMs: number }> {
    const folder = this.folders[area];
    for (const name of await readdir(folder)) {
      if (name.startsWith(TEMP_PREFIX)) continue;
      const stat = await lstat(join(folder, name)).catch(() => undefined);
      if (stat?.isFile()) yield { id: name, modifiedMs: stat.mtimeMs };
    }
  }

  async delete(area: BlobArea, id: string): Promise<void> {
    checkBlobId(id);
    await rm(join(this.folders[area], id), { force: true });
  }

  async close(): Promise<void> {}
}

async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Makes renames into a folder durable, one fsync for every rename made before it starts:
 * writers that arrive while a sync runs share the next one (group commit), so eight small
 * PUTs in flight cost about two folder syncs, not eight.
 */
class FolderSync {
  private running: Promise<void> | undefined;
  private next: Promise<void> | undefined;

  constructor(private readonly folder: string) {}

  /** Resolves once a sync that started after this call has finished. */
  sync(): Promise<void> {
    if (!this.running) return this.start();
    this.next ??= this.running.then(
      () => this.start(),
      () => this.start(),
    );
    return this.next;
  }

  private start(): Promise<void> {
    this.next = undefined;
    const run = syncFolder(this.folder).finally(() => {
      if (this.running === run) this.running = undefined;
    });
    this.running = run;
    return run;
  }
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: alive, owned by someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Reads bytes [position, end) of an open file into the caller's buffers (positional reads). */
class FileReader implements BlobReader {
  private closed = false;

  constructor(
    private readonly file: FileHandle,
    private position: number,
    private readonly end: number,
  ) {}

  async read(scratch: Buffer): Promise<Buffer> {
    const want = Math.min(scratch.length, this.end - this.position);
    if (this.closed || want <= 0) {
      await this.close();
      return scratch.subarray(0, 0);
    }
    const { bytesRead } = await this.file.read(scratch, 0, want, this.position);
    this.position += bytesRead;
    if (bytesRead === 0) await this.close();
    return scratch.subarray(0, bytesRead);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.file.close();
  }
}
