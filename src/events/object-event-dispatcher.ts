/*
 * Delivers the rows of object_event_outbox at least once: leased as notification deliveries
 * are (src/util/lease-loop.ts), acted on by their target (object-event-targets.ts), then
 * marked delivered with the result. A failed attempt records last_error and is retried after
 * an exponential backoff; after maxAttempts the row stays undelivered with its last error,
 * for the console and `skybatch` to show.
 */
import type { Store } from '../store/database.js';
import { withRetry } from '../store/errors.js';
import { claimOutbox, markDelivered, markFailed, markGivenUp, renewOutboxLeases, type OutboxRow } from '../store/object-event-outbox.js';
import { LeaseLoop } from '../util/lease-loop.js';
import { backoff, type RetryPolicy } from '../notify/dispatcher.js';
import { deliverToTarget, type TargetDeps } from './object-event-targets.js';

export const DEFAULT_EVENT_RETRY: RetryPolicy = { maxAttempts: 10, baseDelayMs: 1000, maxDelayMs: 10 * 60_000 };

export interface ObjectEventDispatcherOptions {
  owner: string;
  retry?: Partial<RetryPolicy>;
  leaseMs?: number;
  pollMs?: number;
  concurrency?: number;
  now?: () => number;
}

export class ObjectEventDispatcher {
  private readonly loop: LeaseLoop<OutboxRow>;

  constructor(store: Store, deps: TargetDeps, options: ObjectEventDispatcherOptions) {
    const leaseMs = options.leaseMs ?? 10_000;
    const now = options.now ?? Date.now;
    const retry: RetryPolicy = { ...DEFAULT_EVENT_RETRY, ...options.retry };
    const { db } = store;
    this.loop = new LeaseLoop<OutboxRow>({
      name: 'object events',
      concurrency: options.concurrency ?? 32,
      pollMs: options.pollMs ?? 500,
      leaseMs,
      key: (row) => String(row.id),
      claim: (limit) => withRetry(() => db.transaction().execute((trx) => claimOutbox(trx, store.dialect, options.owner, now(), leaseMs, limit, retry.maxAttempts))),
      renew: (ids) => renewOutboxLeases(db, options.owner, ids.map(Number), now() + leaseMs),
      work: async (row, signal) => {
        let result: string;
        try {
          result = await deliverToTarget(deps, row, signal);
        } catch (err) {
          if (signal.aborted) return;
          const message = err instanceof Error ? err.message : String(err);
          const error = row.attempts >= retry.maxAttempts ? `gave up after ${row.attempts} attempts: ${message}` : message;
          await withRetry(() => markFailed(db, options.owner, row.id, error, now() + backoff(retry, row.attempts)));
          return;
        }
        try {
          await withRetry(() => markDelivered(db, options.owner, row.id, result, now()));
        } catch (err) {
          // Its target acted; delivering it again would act twice. It ends undelivered, with why.
          console.error(`skybatch: object events: could not record the delivery of event ${row.id}; giving up on it:`, err);
          const error = `delivered, but the result could not be recorded: ${err instanceof Error ? err.message : String(err)}`;
          await withRetry(() => markGivenUp(db, options.owner, row.id, error, retry.maxAttempts));
        }
      },
    });
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** Called by the object store after it committed rows, so they go out without waiting for a poll. */
  wake(): void {
    this.loop.wake();
  }
}
