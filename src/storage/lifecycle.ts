/*
 * The lifecycle sweep and restores. A sweep, as of a given time, applies every bucket's enabled
 * rules (expire, transition, abort old uploads) and moves restores along: it makes the
 * temporary copy of each restore whose delay has passed and removes each copy whose days are
 * over. Every step re-checks the row it acts on (same blob id), so a sweep racing a PUT never
 * archives or deletes the newer object.
 *
 * Archiving is real: the bytes are gzip-compressed into the archive area and the standard copy
 * goes; a restore decompresses them into a temporary standard-area blob, made by the first
 * sweep or read after the restore delay.
 */
import { pipeline } from 'node:stream';
import { createGunzip, createGzip } from 'node:zlib';
import { ContentBody } from './content-body.js';
import { openContent, releaseContent } from './content.js';
import { commit, deleteBlobs, findBucket, parseJsonRecord, type ObjectRow, type StorageContext } from './context.js';
import { storageError } from './errors.js';
import { recordEvent } from './events.js';
import { DAY_MS, dueAction, isArchiveClass } from './lifecycle-rules.js';
import { abortUpload } from './multipart.js';
import { checkKey } from './names.js';
import type { LifecycleRule, LifecycleRunResult, ObjectChange, StorageClass } from './types.js';

const BATCH = 500;

export async function runLifecycle(ctx: StorageContext, now: Date): Promise<LifecycleRunResult> {
  const result: LifecycleRunResult = { transitioned: [], expired: [], restoresExpired: [], uploadsAborted: [] };
  const nowMs = now.getTime();
  const ruleRows = await ctx.store.db.selectFrom('storage_lifecycle_rules').select(['bucket', 'body']).orderBy('bucket').orderBy('position').execute();
  const byBucket = new Map<string, LifecycleRule[]>();
  for (const row of ruleRows) {
    const rule = JSON.parse(row.body) as LifecycleRule;
    if (rule.status === 'Enabled') byBucket.set(row.bucket, [...(byBucket.get(row.bucket) ?? []), rule]);
  }
  for (const [bucket, rules] of byBucket) {
    await sweepObjects(ctx, bucket, rules, now, result);
    await sweepUploads(ctx, bucket, rules, nowMs, result);
  }
  await sweepRestores(ctx, now, result);
  return result;
}

async function sweepObjects(ctx: StorageContext, bucket: string, rules: LifecycleRule[], now: Date, result: LifecycleRunResult): Promise<void> {
  const nowMs = now.getTime();
  const thresholds = rules.flatMap((r) => [...r.transitions.map((t) => t.days), ...(r.expiration ? [r.expiration.days] : [])]);
  if (thresholds.length === 0) return;
  // Objects younger than the earliest action cannot be due: leave them out of the scan.
  const oldest = nowMs - Math.min(...thresholds) * DAY_MS;
  let after: string | undefined;
  for (;;) {
    let query = ctx.store.db.selectFrom('storage_objects').selectAll().where('bucket', '=', bucket).where('last_modified_ms', '<=', oldest);
    if (after !== undefined) query = query.where('key', '>', after);
    const rows = await query.orderBy('key').limit(BATCH).execute();
    for (const row of rows) {
      const action = dueAction(rules, { key: row.key, tags: parseJsonRecord(row.tags), storageClass: row.storage_class as StorageClass, lastModifiedMs: Number(row.last_modified_ms) }, nowMs);
      if (action.kind === 'expire' && (await expire(ctx, row, now))) result.expired.push({ bucket, key: row.key });
      if (action.kind === 'transition' && (await transition(ctx, row, action.storageClass, now))) result.transitioned.push({ bucket, key: row.key, storageClass: action.storageClass });
    }
    if (rows.length < BATCH) return;
    after = rows[rows.length - 1]!.key;
  }
}

/** Applies `change` to the row only if it still holds the blob we looked at. */
function sameObject(row: ObjectRow) {
  return { bucket: row.bucket, key: row.key, blob_id: row.blob_id };
}

async function expire(ctx: StorageContext, row: ObjectRow, now: Date): Promise<boolean> {
  const { backend } = await findBucket(ctx, row.bucket);
  const change: ObjectChange = { eventName: 'LifecycleExpiration:Delete', bucket: row.bucket, key: row.key, size: Number(row.size), etag: row.etag, eventTime: now.toISOString() };
  const gone = await commit(ctx, async (trx) => {
    const match = sameObject(row);
    const deleted = await trx.deleteFrom('storage_objects').where('bucket', '=', match.bucket).where('key', '=', match.key).where('blob_id', '=', match.blob_id).returningAll().executeTakeFirst();
    if (!deleted) return undefined;
    await recordEvent(trx, change, ctx.region);
    return releaseContent(trx, deleted);
  });
  if (!gone) return false;
  await deleteBlobs(backend, gone);
  ctx.emit(change);
  return true;
}

async function transition(ctx: StorageContext, row: ObjectRow, storageClass: StorageClass, now: Date): Promise<boolean> {
  const { backend } = await findBucket(ctx, row.bucket);
  const change: ObjectChange = { eventName: 'LifecycleTransition', bucket: row.bucket, key: row.key, size: Number(row.size), etag: row.etag, eventTime: now.toISOString() };
  const archiving = isArchiveClass(storageClass) && row.blob_area !== 'archive';
  let archived: string | undefined;
  if (archiving) {
    const source = await openContent(ctx.store.db, backend, row);
    // Replaced since it was listed: the next sweep sees the new object.
    if (!source) return false;
    archived = (await backend.write('archive', pipeline(new ContentBody(source), createGzip(), () => {}))).id;
  }
  const updated = await commit(ctx, async (trx) => {
    const changed = await trx
      .updateTable('storage_objects')
      .set(archived ? { storage_class: storageClass, blob_id: archived, blob_area: 'archive', parts_upload_id: null } : { storage_class: storageClass })
      .where('bucket', '=', row.bucket)
      .where('key', '=', row.key)
      .where('blob_id', '=', row.blob_id)
      .executeTakeFirst();
    if (Number(changed.numUpdatedRows) === 0) return undefined;
    await recordEvent(trx, change, ctx.region);
    // The archived copy replaces the standard bytes (one blob or the parts): they go.
    return archived ? releaseContent(trx, row) : [];
  });
  if (!updated) {
    if (archived) await deleteBlobs(backend, [{ area: 'archive', id: archived }]);
    return false;
  }
  await deleteBlobs(backend, updated);
  ctx.emit(change);
  return true;
}

async function sweepUploads(ctx: StorageContext, bucket: string, rules: LifecycleRule[], nowMs: number, result: LifecycleRunResult): Promise<void> {
  const aborting = rules.filter((r) => r.abortIncompleteMultipartUpload);
  if (aborting.length === 0) return;
  const uploads = await ctx.store.db.selectFrom('storage_uploads').selectAll().where('bucket', '=', bucket).orderBy('initiated_ms').execute();
  for (const upload of uploads) {
    const due = aborting.some((r) => (!r.filter.prefix || upload.key.startsWith(r.filter.prefix)) && nowMs - Number(upload.initiated_ms) >= r.abortIncompleteMultipartUpload!.daysAfterInitiation * DAY_MS);
    if (!due) continue;
    try {
      await abortUpload(ctx, bucket, upload.key, upload.upload_id);
      result.uploadsAborted.push({ bucket, key: upload.key, uploadId: upload.upload_id });
    } catch (err) {
      // Completed or aborted meanwhile: nothing left to do.
      if ((err as { code?: string }).code !== 'NoSuchUpload') throw err;
    }
  }
}

async function sweepRestores(ctx: StorageContext, now: Date, result: LifecycleRunResult): Promise<void> {
  const nowMs = now.getTime();
  const ready = await ctx.store.db.selectFrom('storage_objects').selectAll().where('restore_ready_at', '<=', nowMs).where('restored_blob_id', 'is', null).where('restore_expires_at', '>', nowMs).execute();
  for (const row of ready) await makeRestoredCopy(ctx, row, now);
  const over = await ctx.store.db.selectFrom('storage_objects').selectAll().where('restore_ready_at', 'is not', null).where('restore_expires_at', '<=', nowMs).execute();
  for (const row of over) {
    const { backend } = await findBucket(ctx, row.bucket);
    const cleared = await commit(ctx, async (trx) => {
      const changed = await trx
        .updateTable('storage_objects')
        .set({ restore_ready_at: null, restore_expires_at: null, restored_blob_id: null })
        .where('bucket', '=', row.bucket)
        .where('key', '=', row.key)
        .where('blob_id', '=', row.blob_id)
        .where('restore_expires_at', '=', row.restore_expires_at)
        .executeTakeFirst();
      return Number(changed.numUpdatedRows) > 0;
    });
    if (!cleared) continue;
    if (row.restored_blob_id) await deleteBlobs(backend, [{ area: 'standard', id: row.restored_blob_id }]);
    result.restoresExpired.push({ bucket: row.bucket, key: row.key });
  }
}

/**
 * Decompresses an archived object into its temporary copy; returns the row as it is now (with
 * the copy, unless the object changed meanwhile).
 */
export async function makeRestoredCopy(ctx: StorageContext, row: ObjectRow, now: Date): Promise<ObjectRow | undefined> {
  const { backend } = await findBucket(ctx, row.bucket);
  const source = new ContentBody(await backend.open('archive', row.blob_id));
  const copy = await backend.write('standard', pipeline(source, createGunzip(), () => {}));
  const change: ObjectChange = { eventName: 'ObjectRestore:Completed', bucket: row.bucket, key: row.key, size: Number(row.size), etag: row.etag, eventTime: now.toISOString() };
  const updated = await commit(ctx, async (trx) => {
    const changed = await trx
      .updateTable('storage_objects')
      .set({ restored_blob_id: copy.id })
      .where('bucket', '=', row.bucket)
      .where('key', '=', row.key)
      .where('blob_id', '=', row.blob_id)
      .where('restored_blob_id', 'is', null)
      .executeTakeFirst();
    const done = Number(changed.numUpdatedRows) > 0;
    if (done) await recordEvent(trx, change, ctx.region);
    return done;
  });
  if (!updated) {
    await deleteBlobs(backend, [{ area: 'standard', id: copy.id }]);
    return ctx.store.db.selectFrom('storage_objects').selectAll().where('bucket', '=', row.bucket).where('key', '=', row.key).executeTakeFirst();
  }
  ctx.emit(change);
  return { ...row, restored_blob_id: copy.id };
}

/**
 * Starts a restore of an archived object: readable `restoreDelayMs` later, for `days` from then.
 * Asking again while it is prepared is RestoreAlreadyInProgress; asking again once it is ready
 * only moves the expiry, as S3 does.
 */
export async function requestRestore(ctx: StorageContext, bucket: string, key: string, days: number): Promise<{ alreadyRestored: boolean }> {
  checkKey(key);
  if (!Number.isInteger(days) || days < 1) throw storageError('InvalidArgument', 'Days must be a whole number of at least 1');
  await findBucket(ctx, bucket);
  const nowMs = ctx.now().getTime();
  const outcome = await commit(ctx, async (trx) => {
    const row = await trx.selectFrom('storage_objects').selectAll().where('bucket', '=', bucket).where('key', '=', key).executeTakeFirst();
    if (!row) throw storageError('NoSuchKey', `The specified key does not exist: ${key}`);
    if (!isArchiveClass(row.storage_class as StorageClass)) throw storageError('InvalidObjectState', `Restore is not allowed for the object's storage class (${row.storage_class})`);
    const readyAt = row.restore_ready_at === null ? undefined : Number(row.restore_ready_at);
    const live = readyAt !== undefined && Number(row.restore_expires_at) > nowMs;
    if (live && readyAt > nowMs) throw storageError('RestoreAlreadyInProgress', 'Object restore is already in progress');
    const where = trx.updateTable('storage_objects').where('bucket', '=', bucket).where('key', '=', key);
    // Asking again for a restored object only moves its expiry, as S3 does.
    if (live) {
      await where.set({ restore_expires_at: nowMs + days * DAY_MS }).execute();
      return { alreadyRestored: true, stale: undefined };
    }
    const ready = nowMs + ctx.restoreDelayMs;
    await where.set({ restore_ready_at: ready, restore_expires_at: ready + days * DAY_MS, restored_blob_id: null }).execute();
    return { alreadyRestored: false, stale: row.restored_blob_id ?? undefined };
  });
  if (outcome.stale) await deleteBlobs((await findBucket(ctx, bucket)).backend, [{ area: 'standard', id: outcome.stale }]);
  return { alreadyRestored: outcome.alreadyRestored };
}
