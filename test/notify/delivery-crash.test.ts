/*
 * A server that dies while delivering loses nothing: its lease runs out, another server's
 * dispatcher delivers the message, and the cut-short attempt stays visible as "abandoned".
 * Two dispatchers on one store (PostgreSQL's SKIP LOCKED, or SQLite's single writer) never
 * deliver the same attempt twice.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPlatform, type OpenPlatform } from '../../src/engine/platform.js';
import { backoff, NotificationDispatcher } from '../../src/notify/dispatcher.js';
import { claimDeliveries, notifyDb } from '../../src/store/notify.js';
import { backends, until, type BackendHandle } from '../support/backends.js';
import { startWebhookReceiver } from './helpers.js';

describe.each(backends)('delivery after a crash on $name', (backend) => {
  let handle: BackendHandle;
  let platform: OpenPlatform;

  beforeAll(async () => {
    handle = await backend.create();
    // Not running: the test drives the dispatchers itself.
    platform = await openPlatform({ dataDir: handle.dataDir, databaseUrl: handle.databaseUrl, run: false });
  });
  afterAll(async () => {
    await platform.close();
    await handle.cleanup();
  });

  it('delivers a message whose first delivery was cut short, recording the abandoned attempt', async () => {
    const notify = platform.notifications!;
    const file = join(handle.dataDir, 'crash.jsonl');
    await notify.createTopic('crash');
    await notify.subscribe({ topic: 'crash', protocol: 'file', endpoint: file });
    const { messageId } = await notify.publish({ topic: 'crash', message: 'survives' });
    // A server claims the delivery, then dies: nothing renews its short lease.
    const db = notifyDb(platform.store.db);
    const claimed = await db.transaction().execute((trx) => claimDeliveries(trx, platform.store.dialect, 'dead-server', Date.now(), 200, 10));
    expect(claimed).toHaveLength(1);

    const survivors = [0, 1].map((n) => new NotificationDispatcher(platform.store, { owner: `survivor-${n}`, pollMs: 20, retry: { baseDelayMs: 10 } }));
    for (const d of survivors) d.start();
    try {
      const [delivery] = await until(async () => {
        const { items } = await notify.listDeliveries({ messageId });
        return items[0]?.status === 'delivered' ? items : undefined;
      });
      expect(delivery!.attempts.map((a) => a.outcome)).toEqual(['abandoned', 'delivered']);
      expect(delivery!.attempts[0]!.error).toMatch(/stopped before it finished/);
    } finally {
      for (const d of survivors) await d.stop();
    }
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ MessageId: messageId, Message: 'survives' });
  });

  it('shares a burst of deliveries between two dispatchers, each delivered once', async () => {
    const notify = platform.notifications!;
    const file = join(handle.dataDir, 'burst.jsonl');
    await notify.createTopic('burst');
    await notify.subscribe({ topic: 'burst', protocol: 'file', endpoint: file });
    const ids = new Set<string>();
    for (let i = 0; i < 60; i++) ids.add((await notify.publish({ topic: 'burst', message: `m${i}` })).messageId);
    const dispatchers = [0, 1].map((n) => new NotificationDispatcher(platform.store, { owner: `worker-${n}`, pollMs: 20, concurrency: 4 }));
    for (const d of dispatchers) d.start();
    try {
      await until(async () => (await notify.listDeliveries({ topic: 'burst', status: 'delivered', limit: 1000 })).items.length === 60);
    } finally {
      for (const d of dispatchers) await d.stop();
    }
    const seen = readFileSync(file, 'utf8').trimEnd().split('\n').map((l) => (JSON.parse(l) as { MessageId: string }).MessageId);
    expect(seen).toHaveLength(60);
    expect(new Set(seen)).toEqual(ids);
    const { items } = await notify.listDeliveries({ topic: 'burst', limit: 1000 });
    expect(items.every((d) => d.attempts.length === 1)).toBe(true);
  });

  it('keeps renewing the lease of a slow delivery, so no other server sends it again', async () => {
    const notify = platform.notifications!;
    const hook = await startWebhookReceiver();
    // The receiver answers well after the lease would have run out without renewal.
    hook.delay.ms = 1200;
    await notify.createTopic('slow');
    await notify.subscribe({ topic: 'slow', protocol: 'webhook', endpoint: hook.url });
    const { messageId } = await notify.publish({ topic: 'slow', message: 'patience' });
    const dispatchers = [0, 1].map((n) => new NotificationDispatcher(platform.store, { owner: `slow-${n}`, pollMs: 20, leaseMs: 300 }));
    for (const d of dispatchers) d.start();
    try {
      const [delivery] = await until(async () => {
        const { items } = await notify.listDeliveries({ messageId });
        return items[0]?.status === 'delivered' ? items : undefined;
      });
      expect(delivery!.attempts.map((a) => a.outcome)).toEqual(['delivered']);
      expect(hook.posts).toHaveLength(1);
    } finally {
      for (const d of dispatchers) await d.stop();
      await hook.close();
    }
  });
});

describe('retry backoff', () => {
  it.each([
    [1, 1000],
    [2, 2000],
    [3, 4000],
    [10, 60_000],
  ])('after attempt %i waits %i ms', (attempt, ms) => {
    expect(backoff({ maxAttempts: 10, baseDelayMs: 1000, maxDelayMs: 60_000 }, attempt)).toBe(ms);
  });
});
