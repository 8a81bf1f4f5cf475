/*
 * Timers for delays of any length. Node's setTimeout and setInterval take at most 2^31-1 ms
 * (24.8 days): a longer delay is replaced by 1 ms, with a warning, so a 30-day job timeout
 * would kill the job at once. These re-arm in chunks of at most that much until the whole
 * delay has passed. Every timer whose delay comes from user data goes through here.
 */

/** The longest delay Node's timers take as given. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export interface LongTimer {
  /** Cancels the timer; safe to call more than once, and after it fired. */
  clear(): void;
  /** Lets the process exit while the timer waits, as Timeout.unref() does. */
  unref(): this;
  hasRef(): boolean;
}

class ChunkedTimer implements LongTimer {
  private timer: NodeJS.Timeout | undefined;
  private referenced = true;
  private remaining = 0;

  constructor(
    private readonly callback: () => void,
    private readonly periodMs: number | undefined,
  ) {}

  arm(ms: number): this {
    // NaN and negative delays fire at once, as they do with setTimeout.
    this.remaining = Number.isNaN(ms) || ms < 0 ? 0 : ms;
    this.next();
    return this;
  }

  clear(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  unref(): this {
    this.referenced = false;
    this.timer?.unref();
    return this;
  }

  hasRef(): boolean {
    return this.referenced;
  }

  private next(): void {
    const chunk = Math.min(this.remaining, MAX_TIMER_MS);
    this.remaining -= chunk;
    this.timer = setTimeout(() => this.elapsed(), chunk);
    if (!this.referenced) this.timer.unref();
  }

  private elapsed(): void {
    if (this.remaining > 0) return this.next();
    this.timer = undefined;
    if (this.periodMs !== undefined) this.arm(this.periodMs);
    this.callback();
  }
}

/** setTimeout for any delay: `callback` runs once, `ms` from now (never, for Infinity). */
export function setLongTimeout(callback: () => void, ms: number): LongTimer {
  return new ChunkedTimer(callback, undefined).arm(ms);
}

/** setInterval for any period; a period below 1 ms is 1 ms, as setInterval has it. */
export function setLongInterval(callback: () => void, periodMs: number): LongTimer {
  const period = Number.isNaN(periodMs) || periodMs < 1 ? 1 : periodMs;
  return new ChunkedTimer(callback, period).arm(period);
}
