/*
 * GET /api/v1/events: server-sent events telling the console what changed, so pages refetch
 * only what they show instead of polling. One feed per server, shared by every client: while
 * anyone listens it compares the store's change fingerprints once a second (one set of
 * aggregate queries however many tabs are open; other servers on a shared PostgreSQL are
 * seen too), and the object store announces its own changes at once.
 *
 * Protocol: `event: ready` once changes are being watched (a change made between a page's first
 * fetch and that moment is in the feed's baseline and never announced, so the page fetches again
 * on `ready`), then `event: change` with
 * `data: {"topics":["jobs",...]}`; a comment every 15 s keeps proxies from closing an idle stream.
 */
import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Platform } from '../../engine/types.js';
import type { ChangeTopic } from '../../store/console.js';

const POLL_MS = 1000;
const HEARTBEAT_MS = 15_000;

type Listener = (topics: ChangeTopic[]) => void;

export class ChangeFeed {
  private readonly listeners = new Set<Listener>();
  private timer: NodeJS.Timeout | undefined;
  private last: Partial<Record<ChangeTopic, string>> | undefined;
  private polling = false;
  private baseline: Promise<void> = Promise.resolve();

  private readonly stopObjects: () => void;

  constructor(private readonly platform: Platform, private readonly pollMs = POLL_MS) {
    this.stopObjects = platform.storage?.onChange(() => this.publish(['objects'])) ?? (() => {});
  }

  /** Starts listening; `ready` settles once changes from now on will be seen (the first fingerprint is taken). */
  subscribe(listener: Listener): { ready: Promise<void>; unsubscribe: () => void } {
    this.listeners.add(listener);
    if (this.timer === undefined) {
      this.timer = setInterval(() => void this.poll(), this.pollMs);
      this.baseline = this.poll();
    }
    const unsubscribe = () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
    return { ready: this.baseline, unsubscribe };
  }

  /** For good: the server is closing. */
  close(): void {
    this.stop();
    this.stopObjects();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.last = undefined;
  }

  private publish(topics: ChangeTopic[]): void {
    for (const listener of this.listeners) listener(topics);
  }

  private async poll(): Promise<void> {
    // A slow database must not pile up overlapping polls.
    if (this.polling || !this.platform.console) return;
    this.polling = true;
    try {
      const now = await this.platform.console.fingerprints();
      const before = this.last;
      this.last = now;
      if (before === undefined) return;
      const changed = (Object.keys(now) as ChangeTopic[]).filter((topic) => now[topic] !== before[topic]);
      if (changed.length > 0) this.publish(changed);
    } catch {
      // The next tick tries again; a feed that stops on one failed query would look like "nothing changes".
    } finally {
      this.polling = false;
    }
  }
}

export function eventRoutes(app: FastifyInstance, platform: Platform): void {
  const feed = new ChangeFeed(platform);
  const open = new Set<ServerResponse>();
  app.addHook('preClose', async () => {
    for (const response of open) response.end();
    feed.close();
  });

  app.get('/api/v1/events', {
    config: { doc: { operationId: 'streamEvents', summary: 'Server-sent events naming what changed (executions, jobs, deliveries, objects, stateMachines)', tag: 'console' } },
  }, async (_request, reply) => {
    reply.hijack();
    const response = reply.raw;
    response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    response.write('retry: 3000\n: connected\n\n');
    open.add(response);
    const { ready, unsubscribe } = feed.subscribe((topics) => response.write(`event: change\ndata: ${JSON.stringify({ topics })}\n\n`));
    void ready.then(() => response.write('event: ready\ndata: {}\n\n'));
    const heartbeat = setInterval(() => response.write(': ping\n\n'), HEARTBEAT_MS);
    response.once('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
      open.delete(response);
    });
  });
}
