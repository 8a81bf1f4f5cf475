/*
 * Queries on topics, subscriptions, messages, deliveries and their attempts. The tables are
 * declared here and added to the shared Database type with kysely's withTables, as the
 * function tables are (src/store/functions.ts).
 *
 * A delivery is pending until it is delivered or has used its attempts. The dispatcher claims
 * due pending deliveries with a lease and, in the same transaction, opens an attempt row
 * (outcome "started"), so an attempt cut short by a crash stays visible; the next claim after
 * the lease ran out marks it "abandoned".
 */
import { storableText } from './text.js';
import type { Kysely, Selectable } from 'kysely';
import type { Dialect } from './database.js';
import type { Database } from './schema.js';

export interface TopicsTable {
  name: string;
  created_at: string;
}

export interface SubscriptionsTable {
  id: string;
  topic: string;
  protocol: string;
  endpoint: string;
  secret: string | null;
  created_at: string;
}

export interface MessagesTable {
  id: string;
  topic: string;
  subject: string | null;
  message: string;
  attributes: string;
  dedup_key: string | null;
  published_at: string;
}

export interface DeliveriesTable {
  id: string;
  message_id: string;
  subscription_id: string;
  topic: string;
  status: string;
  attempts: number;
  available_at: number;
  lease_owner: string | null;
  lease_expires: number | null;
  last_error: string | null;
  created_at: string;
  finished_at: string | null;
}

export interface DeliveryAttemptsTable {
  delivery_id: string;
  attempt: number;
  started_at: string;
  finished_at: string | null;
  outcome: string;
  error: string | null;
}

// A type, not an interface: withTables wants a record type.
export type NotifyTables = {
  topics: TopicsTable;
  subscriptions: SubscriptionsTable;
  messages: MessagesTable;
  deliveries: DeliveriesTable;
  delivery_attempts: DeliveryAttemptsTable;
};

export type NotifyDb = Kysely<Database & NotifyTables>;

export function notifyDb(db: Kysely<Database>): NotifyDb {
  return db.withTables<NotifyTables>();
}

export type TopicRow = Selectable<TopicsTable>;
export type SubscriptionRow = Selectable<SubscriptionsTable>;
export type MessageRow = Selectable<MessagesTable>;
export type DeliveryRow = Selectable<DeliveriesTable>;
export type AttemptRow = Selectable<DeliveryAttemptsTable>;

/** A claimed delivery with what the transport needs: the message and the subscription as it was. */
export interface DeliveryWork {
  delivery: DeliveryRow;
  message: MessageRow;
  subscription: SubscriptionRow;
}

export function findTopic(db: NotifyDb, name: string): Promise<TopicRow | undefined> {
  return db.selectFrom('topics').selectAll().where('name', '=', name).executeTakeFirst();
}

export function listTopics(db: NotifyDb, after: string | undefined, limit: number): Promise<TopicRow[]> {
  let q = db.selectFrom('topics').selectAll().orderBy('name').limit(limit);
  if (after !== undefined) q = q.where('name', '>', after);
  return q.execute();
}

/** Removes the topic and its subscriptions; deliveries still pending end failed. */
export async function deleteTopic(db: NotifyDb, name: string, now: string): Promise<boolean> {
  const result = await db.deleteFrom('topics').where('name', '=', name).executeTakeFirst();
  await db.deleteFrom('subscriptions').where('topic', '=', name).execute();
  await db.updateTable('deliveries').set({ status: 'failed', last_error: 'the topic was deleted', finished_at: now, lease_owner: null, lease_expires: null }).where('topic', '=', name).where('status', '=', 'pending').execute();
  return Number(result.numDeletedRows) > 0;
}

export function listSubscriptions(db: NotifyDb, filter: { topic?: string }, after: string | undefined, limit: number): Promise<SubscriptionRow[]> {
  let q = db.selectFrom('subscriptions').selectAll().orderBy('id').limit(limit);
  if (filter.topic !== undefined) q = q.where('topic', '=', filter.topic);
  if (after !== undefined) q = q.where('id', '>', after);
  return q.execute();
}

/** Unsubscribing stops deliveries not yet made, as SNS does. */
export async function deleteSubscription(db: NotifyDb, id: string, now: string): Promise<boolean> {
  const result = await db.deleteFrom('subscriptions').where('id', '=', id).executeTakeFirst();
  await db.updateTable('deliveries').set({ status: 'failed', last_error: 'the subscription was deleted', finished_at: now, lease_owner: null, lease_expires: null }).where('subscription_id', '=', id).where('status', '=', 'pending').execute();
  return Number(result.numDeletedRows) > 0;
}

export function findMessageByDedupKey(db: NotifyDb, key: string): Promise<MessageRow | undefined> {
  return db.selectFrom('messages').selectAll().where('dedup_key', '=', key).executeTakeFirst();
}

export function listMessages(db: NotifyDb, filter: { topic?: string }, before: string | undefined, limit: number): Promise<MessageRow[]> {
  // Newest first; ids are unique, published_at orders them and id breaks ties.
  let q = db.selectFrom('messages').selectAll().orderBy('published_at', 'desc').orderBy('id', 'desc').limit(limit);
  if (filter.topic !== undefined) q = q.where('topic', '=', filter.topic);
  if (before !== undefined) {
    const [at, id] = splitCursor(before);
    q = q.where((eb) => eb.or([eb('published_at', '<', at), eb.and([eb('published_at', '=', at), eb('id', '<', id)])]));
  }
  return q.execute();
}

export function listDeliveries(db: NotifyDb, filter: { topic?: string; messageId?: string; status?: string }, before: string | undefined, limit: number): Promise<DeliveryRow[]> {
  let q = db.selectFrom('deliveries').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit);
  if (filter.topic !== undefined) q = q.where('topic', '=', filter.topic);
  if (filter.messageId !== undefined) q = q.where('message_id', '=', filter.messageId);
  if (filter.status !== undefined) q = q.where('status', '=', filter.status);
  if (before !== undefined) {
    const [at, id] = splitCursor(before);
    q = q.where((eb) => eb.or([eb('created_at', '<', at), eb.and([eb('created_at', '=', at), eb('id', '<', id)])]));
  }
  return q.execute();
}

export function attemptsOf(db: NotifyDb, deliveryIds: string[]): Promise<AttemptRow[]> {
  if (deliveryIds.length === 0) return Promise.resolve([]);
  return db.selectFrom('delivery_attempts').selectAll().where('delivery_id', 'in', deliveryIds).orderBy('delivery_id').orderBy('attempt').execute();
}

export function cursor(at: string, id: string): string {
  return Buffer.from(JSON.stringify([at, id])).toString('base64url');
}

function splitCursor(token: string): [string, string] {
  try {
    const value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && typeof value[0] === 'string' && typeof value[1] === 'string') return [value[0], value[1]];
  } catch {
    // fall through
  }
  throw new InvalidCursorError();
}

export class InvalidCursorError extends Error {
  constructor() {
    super('nextToken is not one this server gave out');
  }
}

/**
 * Claims up to `limit` due pending deliveries nobody holds (or whose holder's lease ran out),
 * counting the attempt and opening its attempt row.
 */
export async function claimDeliveries(db: NotifyDb, dialect: Dialect, owner: string, now: number, leaseMs: number, limit: number): Promise<DeliveryWork[]> {
  let q = db
    .selectFrom('deliveries')
    .selectAll()
    .where('status', '=', 'pending')
    .where('available_at', '<=', now)
    .where((eb) => eb.or([eb('lease_expires', 'is', null), eb('lease_expires', '<', now)]))
    .orderBy('available_at')
    .limit(limit);
  if (dialect === 'postgres') q = q.forUpdate().skipLocked();
  const rows = await q.execute();
  if (rows.length === 0) return [];
  const startedAt = new Date(now).toISOString();
  for (const row of rows) {
    row.attempts += 1;
    row.lease_owner = owner;
    row.lease_expires = now + leaseMs;
    await db.updateTable('deliveries').set({ attempts: row.attempts, lease_owner: owner, lease_expires: row.lease_expires }).where('id', '=', row.id).execute();
    // A previous attempt still "started" belonged to a server whose lease ran out.
    await db.updateTable('delivery_attempts').set({ outcome: 'abandoned', finished_at: startedAt, error: 'the server delivering it stopped before it finished' }).where('delivery_id', '=', row.id).where('outcome', '=', 'started').execute();
    await db.insertInto('delivery_attempts').values({ delivery_id: row.id, attempt: row.attempts, started_at: startedAt, finished_at: null, outcome: 'started', error: null }).execute();
  }
  const messageIds = [...new Set(rows.map((r) => r.message_id))];
  const subscriptionIds = [...new Set(rows.map((r) => r.subscription_id))];
  const messages = new Map((await db.selectFrom('messages').selectAll().where('id', 'in', messageIds).execute()).map((m) => [m.id, m]));
  const subscriptions = new Map((await db.selectFrom('subscriptions').selectAll().where('id', 'in', subscriptionIds).execute()).map((s) => [s.id, s]));
  const work: DeliveryWork[] = [];
  for (const delivery of rows) {
    const message = messages.get(delivery.message_id);
    const subscription = subscriptions.get(delivery.subscription_id);
    if (message && subscription) work.push({ delivery, message, subscription });
    else {
      // Unsubscribed between publish and now: nothing left to deliver to.
      await finishDelivery(db, owner, delivery, { outcome: 'error', error: 'the subscription no longer exists', final: true }, now);
    }
  }
  return work;
}

export async function renewDeliveryLeases(db: NotifyDb, owner: string, ids: string[], until: number): Promise<void> {
  if (ids.length === 0) return;
  await db.updateTable('deliveries').set({ lease_expires: until }).where('lease_owner', '=', owner).where('id', 'in', ids).where('status', '=', 'pending').execute();
}

export type AttemptOutcome = { outcome: 'delivered' } | { outcome: 'error'; error: string; final: boolean; retryAt?: number };

/**
 * Records how an attempt ended and releases the lease; false when this owner no longer held
 * the delivery (its lease ran out and another server took it, or it was unsubscribed).
 */
export async function finishDelivery(db: NotifyDb, owner: string, delivery: DeliveryRow, outcome: AttemptOutcome, now: number): Promise<boolean> {
  const at = new Date(now).toISOString();
  const result = outcome.outcome === 'error' ? { ...outcome, error: storableText(outcome.error) } : outcome;
  const base = db.updateTable('deliveries').where('id', '=', delivery.id).where('lease_owner', '=', owner).where('status', '=', 'pending');
  const updated =
    result.outcome === 'delivered'
      ? await base.set({ status: 'delivered', finished_at: at, lease_owner: null, lease_expires: null }).executeTakeFirst()
      : result.final
        ? await base.set({ status: 'failed', finished_at: at, last_error: result.error, lease_owner: null, lease_expires: null }).executeTakeFirst()
        : await base.set({ last_error: result.error, available_at: result.retryAt ?? now, lease_owner: null, lease_expires: null }).executeTakeFirst();
  await db
    .updateTable('delivery_attempts')
    .set({ outcome: result.outcome, finished_at: at, error: result.outcome === 'error' ? result.error : null })
    .where('delivery_id', '=', delivery.id)
    .where('attempt', '=', delivery.attempts)
    .where('outcome', '=', 'started')
    .execute();
  return Number(updated.numUpdatedRows) > 0;
}

/** Single-server (SQLite) store: deliveries held before a crash are free again at start. */
export async function releaseAllDeliveryLeases(db: NotifyDb): Promise<void> {
  await db.updateTable('deliveries').set({ lease_owner: null, lease_expires: null }).where('status', '=', 'pending').where('lease_owner', 'is not', null).execute();
}
