/*
 * The loop shared by the outbox-style dispatchers (notification deliveries, object events):
 * claim due rows with a lease, work on each, renew the leases of rows still in flight, and
 * sleep until the next poll or a wake(). Rows are claimed in a transaction by `claim`, which
 * takes row locks with SKIP LOCKED on PostgreSQL, so several servers share the work; a server
 * that dies stops renewing and its rows are claimed again once their lease runs out.
 */
import { Alarm } from './alarm.js';
import { RepeatedFailure } from './repeated-failure.js';

export interface LeaseLoopOptions<Row> {
  name: string;
  concurrency: number;
  pollMs: number;
  leaseMs: number;
  claim(limit: number): Promise<Row[]>;
  key(row: Row): string;
  work(row: Row, signal: AbortSignal): Promise<void>;
  renew(keys: string[]): Promise<void>;
}

export class LeaseLoop<Row> {
  private running = false;
  private readonly inFlight = new Map<string, AbortController>();
  private readonly alarm = new Alarm();
  private loop: Promise<void> | undefined;
  private renewTimer: NodeJS.Timeout | undefined;
  private readonly settled = new Set<Promise<void>>();

  private readonly claimFailures: RepeatedFailure;

  constructor(private readonly options: LeaseLoopOptions<Row>) {
    this.claimFailures = new RepeatedFailure(`${options.name}: claiming work`);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.renewTimer = setInterval(() => {
      if (this.inFlight.size > 0) this.options.renew([...this.inFlight.keys()]).catch((err: unknown) => console.error(`skybatch: ${this.options.name}: lease renewal failed:`, err));
    }, this.options.leaseMs / 3);
    this.loop = this.run();
  }

  /** Stops claiming, aborts work in flight and waits for it: its rows are claimed again later. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    clearInterval(this.renewTimer);
    for (const controller of this.inFlight.values()) controller.abort();
    this.wake();
    await this.loop;
    await Promise.all(this.settled);
  }

  wake(): void {
    this.alarm.wake();
  }

  private async run(): Promise<void> {
    while (this.running) {
      const room = this.options.concurrency - this.inFlight.size;
      let claimed: Row[] = [];
      if (room > 0) {
        try {
          claimed = await this.options.claim(room);
          this.claimFailures.succeeded();
        } catch (err) {
          this.claimFailures.failed(err);
        }
      }
      for (const row of claimed) this.dispatch(row);
      if (claimed.length > 0 && claimed.length === room) continue;
      await this.alarm.sleep(this.options.pollMs);
    }
  }

  private dispatch(row: Row): void {
    const key = this.options.key(row);
    const controller = new AbortController();
    this.inFlight.set(key, controller);
    const done: Promise<void> = this.options
      .work(row, controller.signal)
      .catch((err: unknown) => console.error(`skybatch: ${this.options.name}: ${key} failed:`, err))
      .finally(() => {
        this.inFlight.delete(key);
        this.settled.delete(done);
        // A finished row may have been a retry that is due again soon: look again.
        if (this.running) this.wake();
      });
    this.settled.add(done);
  }
}
