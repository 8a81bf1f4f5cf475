/*
 * Delivers pending notification deliveries. Each claim counts an attempt and opens its attempt
 * row (src/store/notify.ts); the outcome closes it. A failed attempt is retried after an
 * exponential backoff (base * 2^(attempt-1), capped) until maxAttempts, then the delivery is
 * failed. At least once: a server that dies mid-send loses its lease and the delivery is sent
 * again by whoever claims it next, so receivers should use the MessageId to drop repeats.
 */
import type { Store } from '../store/database.js';
import { withRetry } from '../store/errors.js';
import * as q from '../store/notify.js';
import { LeaseLoop } from '../util/lease-loop.js';
import { messageInfo } from './service.js';
import { emailTransport, type EmailOptions } from './transports/email.js';
import { fileTransport } from './transports/file.js';
import type { Transport } from './transports/transport.js';
import { webhookTransport } from './transports/webhook.js';
import { topicArn } from './arn.js';
import type { Protocol } from './types.js';

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 1000, maxDelayMs: 5 * 60_000 };

/** When attempt `attempt` (1-based) failed: the delay before the next one. */
export function backoff(policy: RetryPolicy, attempt: number): number {
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
}

export interface NotificationDispatcherOptions {
  owner: string;
  retry?: Partial<RetryPolicy>;
  email?: Partial<EmailOptions>;
  webhookTimeoutMs?: number;
  leaseMs?: number;
  pollMs?: number;
  concurrency?: number;
  /** Replaces the built-in transport of a protocol (embedders). */
  transports?: Partial<Record<Protocol, Transport>>;
  now?: () => number;
}

export class NotificationDispatcher {
  private readonly loop: LeaseLoop<q.DeliveryWork>;
  private readonly transports: Record<Protocol, Transport>;
  private readonly retry: RetryPolicy;
  private readonly now: () => number;

  constructor(store: Store, options: NotificationDispatcherOptions) {
    const db = q.notifyDb(store.db);
    const leaseMs = options.leaseMs ?? 10_000;
    this.now = options.now ?? Date.now;
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.transports = {
      email: emailTransport({ smtpUrl: options.email?.smtpUrl, from: options.email?.from ?? 'skybatch@localhost' }),
      webhook: webhookTransport({ timeoutMs: options.webhookTimeoutMs ?? 10_000 }),
      file: fileTransport,
      ...options.transports,
    };
    this.loop = new LeaseLoop<q.DeliveryWork>({
      name: 'notifications',
      concurrency: options.concurrency ?? 32,
      pollMs: options.pollMs ?? 1000,
      leaseMs,
      key: (work) => work.delivery.id,
      claim: (limit) => withRetry(() => db.transaction().execute((trx) => q.claimDeliveries(trx, store.dialect, options.owner, this.now(), leaseMs, limit))),
      renew: (ids) => q.renewDeliveryLeases(db, options.owner, ids, this.now() + leaseMs),
      work: (work, signal) => this.deliver(db, options.owner, work, signal),
    });
  }

  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
    for (const transport of Object.values(this.transports)) transport.close?.();
  }

  wake(): void {
    this.loop.wake();
  }

  private async deliver(db: q.NotifyDb, owner: string, work: q.DeliveryWork, signal: AbortSignal): Promise<void> {
    const { delivery, message, subscription } = work;
    const protocol = subscription.protocol as Protocol;
    let outcome: q.AttemptOutcome;
    try {
      await this.transports[protocol].send({
        deliveryId: delivery.id,
        message: messageInfo(message),
        subscription: {
          subscriptionId: subscription.id,
          subscriptionArn: `${topicArn(subscription.topic)}:${subscription.id}`,
          topic: subscription.topic,
          topicArn: topicArn(subscription.topic),
          protocol,
          endpoint: subscription.endpoint,
          createdAt: subscription.created_at,
        },
        ...(subscription.secret === null ? {} : { secret: subscription.secret }),
        signal,
      });
      outcome = { outcome: 'delivered' };
    } catch (err) {
      // Stopping this server is not the endpoint's fault: the lease runs out and another attempt follows.
      if (signal.aborted) return;
      const error = err instanceof Error ? err.message : String(err);
      const final = delivery.attempts >= this.retry.maxAttempts;
      outcome = final ? { outcome: 'error', error, final } : { outcome: 'error', error, final, retryAt: this.now() + backoff(this.retry, delivery.attempts) };
    }
    try {
      await withRetry(() => db.transaction().execute((trx) => q.finishDelivery(trx, owner, delivery, outcome, this.now())));
    } catch (err) {
      // The store refused this outcome: fail the delivery with that reason rather than leave it
      // pending, to be claimed and sent again until its attempts run out with no reason given.
      console.error(`skybatch: notifications: could not record the outcome of delivery ${delivery.id}; failing it:`, err);
      const error = `the outcome of this attempt could not be recorded: ${err instanceof Error ? err.message : String(err)}`;
      await withRetry(() => db.transaction().execute((trx) => q.finishDelivery(trx, owner, delivery, { outcome: 'error', error, final: true }, this.now())));
    }
  }
}
