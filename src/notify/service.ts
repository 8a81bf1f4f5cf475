/*
 * Topics, subscriptions and publishing. Publishing only writes: the message and one pending
 * delivery per subscription in one transaction; the dispatcher (dispatcher.ts) sends them.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { isAbsolute } from 'node:path';
import { BadRequestError, NotFoundError, PayloadTooLargeError } from '../errors.js';
import type { Store } from '../store/database.js';
import { isUniqueViolation } from '../store/errors.js';
import * as q from '../store/notify.js';
import { topicArn, topicName } from './arn.js';
import { PROTOCOLS, type CreatedSubscription, type DeliveryAttempt, type DeliveryInfo, type MessageAttribute, type MessageInfo, type NotificationsService, type Protocol, type SubscriptionInfo, type TopicInfo } from './types.js';

/** SNS's own limit on a message. */
export const MAX_MESSAGE_BYTES = 256 * 1024;
const MAX_SUBJECT = 100;
const DEFAULT_PAGE = 100;
const MAX_PAGE = 1000;
const EMAIL = /^[^\s@<>,;"]+@[^\s@<>,;"]+$/;

export function createNotifications(store: Store, options: { wake?: () => void } = {}): NotificationsService {
  const db = q.notifyDb(store.db);
  const wake = options.wake ?? (() => {});

  const topicInfo = (row: q.TopicRow): TopicInfo => ({ name: row.name, topicArn: topicArn(row.name), createdAt: row.created_at });
  const existingTopic = async (nameOrArn: string): Promise<q.TopicRow> => {
    const row = await q.findTopic(db, topicName(nameOrArn));
    if (!row) throw new NotFoundError(`topic "${nameOrArn}" does not exist`);
    return row;
  };
  const subscriptionInfo = (row: q.SubscriptionRow): SubscriptionInfo => ({
    subscriptionId: row.id,
    subscriptionArn: `${topicArn(row.topic)}:${row.id}`,
    topic: row.topic,
    topicArn: topicArn(row.topic),
    protocol: row.protocol as Protocol,
    endpoint: row.endpoint,
    createdAt: row.created_at,
  });

  return {
    async createTopic(name) {
      const checked = topicName(name);
      if (checked !== name) throw new BadRequestError(`a new topic needs a plain name, not an ARN: "${name}"`);
      const existing = await q.findTopic(db, name);
      // As SNS, creating a topic that exists returns it.
      if (existing) return { topic: topicInfo(existing), created: false };
      const row = { name, created_at: new Date().toISOString() };
      try {
        await db.insertInto('topics').values(row).execute();
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
        return { topic: topicInfo(await existingTopic(name)), created: false };
      }
      return { topic: topicInfo(row), created: true };
    },

    async describeTopic(nameOrArn) {
      return topicInfo(await existingTopic(nameOrArn));
    },

    async listTopics(options = {}) {
      const limit = pageSize(options.limit);
      const rows = await q.listTopics(db, options.nextToken === undefined ? undefined : decodeName(options.nextToken), limit + 1);
      return pageOf(rows.slice(0, limit).map(topicInfo), rows.length > limit ? encodeName(rows[limit - 1]!.name) : undefined);
    },

    async deleteTopic(nameOrArn) {
      const name = topicName(nameOrArn);
      const deleted = await db.transaction().execute((trx) => q.deleteTopic(trx, name, new Date().toISOString()));
      if (!deleted) throw new NotFoundError(`topic "${nameOrArn}" does not exist`);
    },

    async subscribe(request) {
      const topic = await existingTopic(request.topic);
      const protocol = checkProtocol(request.protocol);
      const endpoint = checkEndpoint(protocol, request.endpoint);
      if (request.secret !== undefined && protocol !== 'webhook') throw new BadRequestError('only webhook subscriptions take a secret');
      if (request.secret !== undefined && request.secret.length < 16) throw new BadRequestError('a webhook secret must be at least 16 characters');
      const secret = protocol === 'webhook' ? (request.secret ?? randomBytes(24).toString('base64url')) : null;
      const row: q.SubscriptionRow = { id: randomUUID(), topic: topic.name, protocol, endpoint, secret, created_at: new Date().toISOString() };
      await db.insertInto('subscriptions').values(row).execute();
      const info: CreatedSubscription = subscriptionInfo(row);
      if (secret !== null) info.secret = secret;
      return info;
    },

    async listSubscriptions(options = {}) {
      const limit = pageSize(options.limit);
      const filter = options.topic === undefined ? {} : { topic: (await existingTopic(options.topic)).name };
      const rows = await q.listSubscriptions(db, filter, options.nextToken === undefined ? undefined : decodeName(options.nextToken), limit + 1);
      return pageOf(rows.slice(0, limit).map(subscriptionInfo), rows.length > limit ? encodeName(rows[limit - 1]!.id) : undefined);
    },

    async unsubscribe(idOrArn) {
      // A subscription ARN is the topic ARN followed by ":ID".
      const id = idOrArn.startsWith('arn:') ? idOrArn.slice(idOrArn.lastIndexOf(':') + 1) : idOrArn;
      const deleted = await db.transaction().execute((trx) => q.deleteSubscription(trx, id, new Date().toISOString()));
      if (!deleted) throw new NotFoundError(`subscription "${idOrArn}" does not exist`);
    },

    async publish(request) {
      const topic = await existingTopic(request.topic);
      if (typeof request.message !== 'string' || request.message === '') throw new BadRequestError('the message must be a non-empty string');
      const size = Buffer.byteLength(request.message);
      if (size > MAX_MESSAGE_BYTES) throw new PayloadTooLargeError(`the message is ${size} bytes; the limit is ${MAX_MESSAGE_BYTES}`);
      if (request.subject !== undefined) checkSubject(request.subject);
      const attributes = checkAttributes(request.attributes ?? {});
      if (request.dedupKey !== undefined) {
        const first = await q.findMessageByDedupKey(db, request.dedupKey);
        if (first) return { messageId: first.id, created: false };
      }
      const now = Date.now();
      const at = new Date(now).toISOString();
      const message: q.MessageRow = { id: randomUUID(), topic: topic.name, subject: request.subject ?? null, message: request.message, attributes: JSON.stringify(attributes), dedup_key: request.dedupKey ?? null, published_at: at };
      try {
        await db.transaction().execute(async (trx) => {
          await trx.insertInto('messages').values(message).execute();
          const subscriptions = await trx.selectFrom('subscriptions').select('id').where('topic', '=', topic.name).execute();
          const deliveries = subscriptions.map((s) => ({ id: randomUUID(), message_id: message.id, subscription_id: s.id, topic: topic.name, status: 'pending', attempts: 0, available_at: now, lease_owner: null, lease_expires: null, last_error: null, created_at: at, finished_at: null }));
          for (let i = 0; i < deliveries.length; i += 200) await trx.insertInto('deliveries').values(deliveries.slice(i, i + 200)).execute();
        });
      } catch (err) {
        // Two publishes with one key raced: the first one's message is the answer.
        if (request.dedupKey === undefined || !isUniqueViolation(err)) throw err;
        const first = await q.findMessageByDedupKey(db, request.dedupKey);
        if (!first) throw err;
        return { messageId: first.id, created: false };
      }
      wake();
      return { messageId: message.id, created: true };
    },

    async listMessages(options = {}) {
      const limit = pageSize(options.limit);
      const filter = options.topic === undefined ? {} : { topic: (await existingTopic(options.topic)).name };
      const rows = await withCursor(() => q.listMessages(db, filter, options.nextToken, limit + 1));
      const last = rows[limit - 1];
      return pageOf(rows.slice(0, limit).map(messageInfo), rows.length > limit && last ? q.cursor(last.published_at, last.id) : undefined);
    },

    async listDeliveries(options = {}) {
      const limit = pageSize(options.limit);
      const filter = {
        ...(options.topic === undefined ? {} : { topic: (await existingTopic(options.topic)).name }),
        ...(options.messageId === undefined ? {} : { messageId: options.messageId }),
        ...(options.status === undefined ? {} : { status: options.status }),
      };
      const rows = await withCursor(() => q.listDeliveries(db, filter, options.nextToken, limit + 1));
      const shown = rows.slice(0, limit);
      const attempts = await q.attemptsOf(db, shown.map((r) => r.id));
      const byDelivery = new Map<string, DeliveryAttempt[]>();
      for (const a of attempts) {
        const list = byDelivery.get(a.delivery_id) ?? [];
        list.push({ attempt: a.attempt, startedAt: a.started_at, outcome: a.outcome as DeliveryAttempt['outcome'], ...(a.finished_at === null ? {} : { finishedAt: a.finished_at }), ...(a.error === null ? {} : { error: a.error }) });
        byDelivery.set(a.delivery_id, list);
      }
      const items = shown.map(
        (r): DeliveryInfo => ({
          deliveryId: r.id,
          messageId: r.message_id,
          subscriptionId: r.subscription_id,
          topic: r.topic,
          status: r.status as DeliveryInfo['status'],
          attempts: byDelivery.get(r.id) ?? [],
          createdAt: r.created_at,
          ...(r.last_error === null ? {} : { lastError: r.last_error }),
          ...(r.finished_at === null ? {} : { finishedAt: r.finished_at }),
        }),
      );
      const last = rows[limit - 1];
      return pageOf(items, rows.length > limit && last ? q.cursor(last.created_at, last.id) : undefined);
    },
  };
}

export function messageInfo(row: q.MessageRow): MessageInfo {
  return {
    messageId: row.id,
    topic: row.topic,
    topicArn: topicArn(row.topic),
    message: row.message,
    attributes: JSON.parse(row.attributes) as Record<string, MessageAttribute>,
    publishedAt: row.published_at,
    ...(row.subject === null ? {} : { subject: row.subject }),
  };
}

function checkProtocol(protocol: string): Protocol {
  if (!(PROTOCOLS as readonly string[]).includes(protocol)) throw new BadRequestError(`protocol "${protocol}" is not supported; use one of ${PROTOCOLS.join(', ')}`);
  return protocol as Protocol;
}

function checkEndpoint(protocol: Protocol, endpoint: string): string {
  if (typeof endpoint !== 'string' || endpoint.trim() === '') throw new BadRequestError(`a ${protocol} subscription needs an endpoint`);
  switch (protocol) {
    case 'email':
      if (!EMAIL.test(endpoint) || endpoint.length > 254) throw new BadRequestError(`"${endpoint}" is not an email address`);
      return endpoint;
    case 'webhook': {
      let url: URL;
      try {
        url = new URL(endpoint);
      } catch {
        throw new BadRequestError(`"${endpoint}" is not a URL; a webhook needs an http:// or https:// URL`);
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new BadRequestError(`"${endpoint}" is not an http:// or https:// URL`);
      return url.toString();
    }
    case 'file':
      // Relative paths would depend on the directory each server happened to start in.
      if (!isAbsolute(endpoint) || endpoint.includes('\0')) throw new BadRequestError(`"${endpoint}" is not an absolute file path`);
      return endpoint;
  }
}

function checkSubject(subject: string): void {
  // As SNS: printable, no line breaks (it becomes a mail header), at most 100 characters.
  if (typeof subject !== 'string' || subject === '' || subject.length > MAX_SUBJECT || /[\r\n\p{Cc}]/u.test(subject)) {
    throw new BadRequestError(`the subject must be 1 to ${MAX_SUBJECT} printable characters on one line`);
  }
}

const ATTRIBUTE_TYPE = /^(String|Number|Binary|String\.Array)(\.[A-Za-z0-9_-]+)?$/;

function checkAttributes(attributes: Record<string, MessageAttribute>): Record<string, MessageAttribute> {
  if (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes)) throw new BadRequestError('MessageAttributes must be an object');
  const entries = Object.entries(attributes);
  if (entries.length > 10) throw new BadRequestError('at most 10 message attributes are allowed');
  const checked: Record<string, MessageAttribute> = {};
  for (const [name, value] of entries) {
    if (!/^[A-Za-z0-9_.-]{1,256}$/.test(name)) throw new BadRequestError(`message attribute name "${name}" must be 1 to 256 letters, digits, "_", "-" or "."`);
    if (typeof value !== 'object' || value === null || typeof value.DataType !== 'string' || !ATTRIBUTE_TYPE.test(value.DataType)) {
      throw new BadRequestError(`message attribute "${name}" needs a DataType of String, Number, Binary or String.Array`);
    }
    const isBinary = value.DataType.startsWith('Binary');
    const v = isBinary ? value.BinaryValue : value.StringValue;
    if (typeof v !== 'string') throw new BadRequestError(`message attribute "${name}" needs a ${isBinary ? 'BinaryValue' : 'StringValue'} string`);
    if (value.DataType.startsWith('Number') && !Number.isFinite(Number(v))) throw new BadRequestError(`message attribute "${name}" is a Number but "${v}" is not a number`);
    checked[name] = isBinary ? { DataType: value.DataType, BinaryValue: v } : { DataType: value.DataType, StringValue: v };
  }
  return checked;
}

function pageSize(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_PAGE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) throw new BadRequestError(`limit must be an integer from 1 to ${MAX_PAGE}`);
  return limit;
}

function pageOf<T>(items: T[], nextToken: string | undefined): { items: T[]; nextToken?: string } {
  return nextToken === undefined ? { items } : { items, nextToken };
}

function encodeName(name: string): string {
  return Buffer.from(name).toString('base64url');
}

function decodeName(token: string): string {
  const name = Buffer.from(token, 'base64url').toString('utf8');
  if (name === '' || encodeName(name) !== token) throw new BadRequestError('nextToken is not one this server gave out');
  return name;
}

async function withCursor<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof q.InvalidCursorError) throw new BadRequestError(err.message);
    throw err;
  }
}
