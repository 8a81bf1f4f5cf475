/*
 * Queries of the object-event dispatcher on object_event_outbox (005-object-events.ts).
 * A row is pending while delivered_at is null and it has attempts left; claiming it takes a
 * lease and counts the attempt, so a row whose delivery crashes the server cannot be retried
 * forever. A row that used its attempts keeps delivered_at null and its last_error.
 */
import { storableText } from './text.js';
import type { Kysely, Selectable } from 'kysely';
import type { Dialect } from './database.js';
import type { Database, ObjectEventOutboxTable } from './schema.js';

type Db = Kysely<Database>;
export type OutboxRow = Selectable<ObjectEventOutboxTable>;

export async function claimOutbox(db: Db, dialect: Dialect, owner: string, now: number, leaseMs: number, limit: number, maxAttempts: number): Promise<OutboxRow[]> {
  let q = db
    .selectFrom('object_event_outbox')
    .selectAll()
    .where('delivered_at', 'is', null)
    .where('attempts', '<', maxAttempts)
    .where('available_at', '<=', now)
    .where((eb) => eb.or([eb('lease_expires', 'is', null), eb('lease_expires', '<', now)]))
    .orderBy('available_at')
    .orderBy('id')
    .limit(limit);
  if (dialect === 'postgres') q = q.forUpdate().skipLocked();
  const rows = await q.execute();
  for (const row of rows) {
    row.attempts += 1;
    row.lease_owner = owner;
    row.lease_expires = now + leaseMs;
    await db.updateTable('object_event_outbox').set({ attempts: row.attempts, lease_owner: owner, lease_expires: row.lease_expires }).where('id', '=', row.id).execute();
  }
  return rows;
}

export async function renewOutboxLeases(db: Db, owner: string, ids: number[], until: number): Promise<void> {
  if (ids.length === 0) return;
  await db.updateTable('object_event_outbox').set({ lease_expires: until }).where('lease_owner', '=', owner).where('id', 'in', ids).where('delivered_at', 'is', null).execute();
}

/** False when this owner no longer held the row (its lease ran out and another server took it). */
export async function markDelivered(db: Db, owner: string, id: number, result: string, now: number): Promise<boolean> {
  const updated = await db
    .updateTable('object_event_outbox')
    .set({ delivered_at: new Date(now).toISOString(), result: storableText(result), lease_owner: null, lease_expires: null })
    .where('id', '=', id)
    .where('lease_owner', '=', owner)
    .where('delivered_at', 'is', null)
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) > 0;
}

/** Records a failed attempt; the row is due again at `retryAt` (ignored once it has no attempts left). */
export async function markFailed(db: Db, owner: string, id: number, error: string, retryAt: number): Promise<boolean> {
  const updated = await db
    .updateTable('object_event_outbox')
    .set({ last_error: storableText(error), available_at: retryAt, lease_owner: null, lease_expires: null })
    .where('id', '=', id)
    .where('lease_owner', '=', owner)
    .where('delivered_at', 'is', null)
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) > 0;
}

/** Ends a row undelivered with its reason: no attempts are left for it. */
export async function markGivenUp(db: Db, owner: string, id: number, error: string, maxAttempts: number): Promise<void> {
  await db
    .updateTable('object_event_outbox')
    .set({ last_error: storableText(error), attempts: maxAttempts, lease_owner: null, lease_expires: null })
    .where('id', '=', id)
    .where('lease_owner', '=', owner)
    .where('delivered_at', 'is', null)
    .execute();
}

/** Single-server (SQLite) store: rows held before a crash are free again at start. */
export async function releaseAllOutboxLeases(db: Db): Promise<void> {
  await db.updateTable('object_event_outbox').set({ lease_owner: null, lease_expires: null }).where('delivered_at', 'is', null).where('lease_owner', 'is not', null).execute();
}
