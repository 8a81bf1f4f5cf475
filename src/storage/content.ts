/*
 * An object's bytes: one blob; or, for a multipart object, its parts' blobs in part order (a
 * completed upload is never copied into one blob); or, for a small object, inline in the
 * catalogue (storage_inline_bodies, under the row's blob id, written in the transaction that
 * commits the row). Reading maps a byte range onto those pieces; releasing a row that is
 * replaced, deleted, expired or archived drops its part rows or inline body in the caller's
 * transaction and names the blobs to delete once that transaction has committed.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database, StorageObjectsTable } from '../store/schema.js';
import { bufferReader, type BlobArea, type BlobBackend, type BlobReader } from './blobs/blob-backend.js';

/** Where a content's bytes are: a blob area of the bucket's backend, or the catalogue. */
export type ContentArea = BlobArea | 'inline';

export interface BlobRef {
  area: BlobArea;
  id: string;
}

/** One blob of an object's bytes and its length. */
export interface Piece {
  id: string;
  size: number;
}

/**
 * The blobs holding `row`'s bytes, in order; undefined when its part rows no longer describe it
 * (the object was replaced between reading the row and its parts: read the row again).
 */
async function piecesOf(db: Kysely<Database>, row: StorageObjectsTable): Promise<Piece[] | undefined> {
  if (row.parts_upload_id === null) return [{ id: row.blob_id, size: Number(row.size) }];
  const parts = await db.selectFrom('storage_parts').select(['blob_id', 'size']).where('upload_id', '=', row.parts_upload_id).orderBy('part_number').execute();
  const pieces = parts.map((part) => ({ id: part.blob_id, size: Number(part.size) }));
  const total = pieces.reduce((sum, piece) => sum + piece.size, 0);
  return pieces[0]?.id === row.blob_id && total === Number(row.size) ? pieces : undefined;
}

/** Stores an inline content's bytes, in the transaction that commits the row naming them. */
export async function storeInline(trx: Transaction<Database>, content: { blobId: string; area: ContentArea; inline?: Buffer }): Promise<void> {
  if (content.area === 'inline') await trx.insertInto('storage_inline_bodies').values({ blob_id: content.blobId, body: content.inline ?? Buffer.alloc(0) }).execute();
}

/**
 * Opens `range` (inclusive; all of it without one) of the bytes of `row`, whose content is not
 * archived; undefined when the row is no longer current (replaced since it was read).
 */
export async function openContent(db: Kysely<Database>, backend: BlobBackend, row: StorageObjectsTable, range?: { start: number; end: number }): Promise<BlobReader | undefined> {
  if (row.blob_area === 'inline') {
    const found = await db.selectFrom('storage_inline_bodies').select('body').where('blob_id', '=', row.blob_id).executeTakeFirst();
    if (!found) return undefined;
    return bufferReader(range ? found.body.subarray(range.start, range.end + 1) : found.body);
  }
  const pieces = await piecesOf(db, row);
  return pieces ? openPieces(backend, row.blob_area as BlobArea, pieces, range) : undefined;
}

/**
 * Opens `range` (inclusive; all of it without one) of the concatenated pieces. The first blob
 * it needs is opened before this resolves, so a blob deleted meanwhile rejects here (ENOENT),
 * before any byte is sent; an open blob stays readable after its deletion.
 */
export async function openPieces(backend: BlobBackend, area: BlobArea, pieces: Piece[], range?: { start: number; end: number }): Promise<BlobReader> {
  const slices: { id: string; size: number; start: number; end: number }[] = [];
  let offset = 0;
  for (const piece of pieces) {
    const first = offset;
    const last = offset + piece.size - 1;
    offset += piece.size;
    if (piece.size === 0) continue;
    const start = range ? Math.max(range.start, first) : first;
    const end = range ? Math.min(range.end, last) : last;
    if (start <= end) slices.push({ id: piece.id, size: piece.size, start: start - first, end: end - first });
  }
  const open = (slice: (typeof slices)[number]) => backend.open(area, slice.id, slice.start === 0 && slice.end === slice.size - 1 ? undefined : { start: slice.start, end: slice.end });
  if (slices.length === 0) return backend.open(area, pieces[0]!.id);
  let current = await open(slices[0]!);
  if (slices.length === 1) return current;
  let next = 1;
  let closed = false;
  return {
    async read(scratch) {
      for (;;) {
        const bytes = await current.read(scratch);
        if (bytes.length > 0 || next >= slices.length || closed) return bytes;
        await current.close();
        current = await open(slices[next++]!);
        // Closed while the next blob was opening: that one is released too.
        if (closed) await current.close();
      }
    },
    async close() {
      closed = true;
      await current.close();
    },
  };
}

/**
 * Drops what `row` holds besides itself, inside the transaction that deletes or replaces it, and
 * returns the blobs to delete after the commit: its own, its parts', its restored copy.
 */
export async function releaseContent(trx: Transaction<Database>, row: StorageObjectsTable): Promise<BlobRef[]> {
  const blobs: BlobRef[] = [];
  if (row.blob_area === 'inline') {
    await trx.deleteFrom('storage_inline_bodies').where('blob_id', '=', row.blob_id).execute();
  } else if (row.parts_upload_id !== null) {
    const parts = await trx.deleteFrom('storage_parts').where('upload_id', '=', row.parts_upload_id).returning('blob_id').execute();
    for (const part of parts) blobs.push({ area: 'standard', id: part.blob_id });
  } else {
    blobs.push({ area: row.blob_area as BlobArea, id: row.blob_id });
  }
  if (row.restored_blob_id) blobs.push({ area: 'standard', id: row.restored_blob_id });
  return blobs;
}
