/*
 * Blobs no catalogue row names: written by a request whose transaction never committed (the
 * process died between the two), or replaced blobs whose deletion after the commit was cut
 * short. They are never data anyone can read; this sweep reclaims their space. A grace period
 * spares blobs being written right now, whose rows are about to commit.
 */
import { sql } from 'kysely';
import type { StorageContext } from './context.js';
import { checkBlobId, type BlobArea, type BlobBackend } from './blobs/blob-backend.js';

const BATCH = 500;

export async function collectGarbage(ctx: StorageContext, backends: Iterable<BlobBackend>, graceMs: number): Promise<{ deleted: number }> {
  let deleted = 0;
  const before = Date.now() - graceMs;
  for (const backend of backends) {
    for (const area of ['standard', 'archive'] as BlobArea[]) {
      let batch: string[] = [];
      const sweep = async () => {
        const used = await referenced(ctx, batch);
        for (const id of batch) {
          if (used.has(id)) continue;
          await backend.delete(area, id);
          deleted++;
        }
        batch = [];
      };
      for await (const blob of backend.list(area)) {
        if (blob.modifiedMs > before || !isBlobId(blob.id)) continue;
        batch.push(blob.id);
        if (batch.length >= BATCH) await sweep();
      }
      if (batch.length > 0) await sweep();
    }
  }
  return { deleted };
}

function isBlobId(id: string): boolean {
  try {
    checkBlobId(id);
    return true;
  } catch {
    return false;
  }
}

async function referenced(ctx: StorageContext, ids: string[]): Promise<Set<string>> {
  const db = ctx.store.db;
  const rows = await db
    .selectFrom('storage_objects')
    .select(sql<string>`blob_id`.as('id'))
    .where('blob_id', 'in', ids)
    .unionAll(db.selectFrom('storage_objects').select(sql<string>`restored_blob_id`.as('id')).where('restored_blob_id', 'in', ids))
    .unionAll(db.selectFrom('storage_parts').select(sql<string>`blob_id`.as('id')).where('blob_id', 'in', ids))
    .execute();
  return new Set(rows.map((row) => row.id));
}
