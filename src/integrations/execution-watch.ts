/*
 * Waits for executions to end, for `.sync` integrations. The engine of this process reports
 * the executions it finished right after each commit (notify), so most waits end with no
 * query at all. Executions stepped by another server (PostgreSQL) are only seen by polling:
 * one query a second for all waiting executions together, and only while anyone waits, so a
 * thousand children waited on cost one query a second, not a thousand.
 */
import type { Store } from '../store/database.js';

/** Of these execution ids, those that have ended (the engine will not step them again). */
export type EndedProbe = (ids: string[]) => Promise<string[]>;

export function endedExecutions(store: Store): EndedProbe {
  return async (ids) => {
    const ended: string[] = [];
    for (let i = 0; i < ids.length; i += 500) {
      // PENDING_REDRIVE is about to run again: not an end to report.
      const rows = await store.db
        .selectFrom('executions')
        .select('id')
        .where('id', 'in', ids.slice(i, i + 500))
        .where('status', 'not in', ['RUNNING', 'PENDING_REDRIVE'])
        .execute();
      ended.push(...rows.map((r) => r.id));
    }
    return ended;
  };
}

export class ExecutionWatch {
  private readonly waiters = new Map<string, Set<() => void>>();
  private timer: NodeJS.Timeout | undefined;
  private polling = false;

  constructor(
    private readonly probe: EndedProbe,
    private readonly pollMs = 1000,
  ) {}

  /** Executions that just ended (the engine's onCommitted `finished`). */
  notify(ids: readonly string[]): void {
    for (const id of ids) {
      const set = this.waiters.get(id);
      if (set) for (const wake of [...set]) wake();
    }
  }

  /** How many executions someone waits for. */
  get watched(): number {
    return this.waiters.size;
  }

  /**
   * Resolves once execution `id` has ended, rejects with the signal's reason when it aborts.
   * Callers read the execution afterwards: this only says when.
   */
  until(id: string, signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal.aborted) {
        reject(signal.reason as Error);
        return;
      }
      const set = this.waiters.get(id) ?? new Set<() => void>();
      this.waiters.set(id, set);
      const cleanup = () => {
        set.delete(done);
        if (set.size === 0 && this.waiters.get(id) === set) this.waiters.delete(id);
        signal.removeEventListener('abort', aborted);
        if (this.waiters.size === 0) this.stopPolling();
      };
      const done = () => {
        cleanup();
        resolve();
      };
      const aborted = () => {
        cleanup();
        reject(signal.reason as Error);
      };
      set.add(done);
      signal.addEventListener('abort', aborted, { once: true });
      this.startPolling();
      // Subscribed first, checked second: an end between the two cannot be missed.
      void this.check([id]);
    });
  }

  private startPolling(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.poll(), this.pollMs);
    // A wait must not keep a process alive that is otherwise done.
    this.timer.unref();
  }

  private stopPolling(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private async poll(): Promise<void> {
    if (this.polling || this.waiters.size === 0) return;
    this.polling = true;
    try {
      await this.check([...this.waiters.keys()]);
    } finally {
      this.polling = false;
    }
  }

  private async check(ids: string[]): Promise<void> {
    try {
      this.notify(await this.probe(ids));
    } catch (err) {
      // Nobody waits any more (the platform is closing): the failure concerns no one.
      if (!ids.some((id) => this.waiters.has(id))) return;
      console.error('skybatch: checking for ended executions failed, will retry:', err);
    }
  }
}
