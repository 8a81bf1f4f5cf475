/*
 * A sleep that can be cut short: the loops of the engine, the task dispatcher and the
 * scheduler sleep between polls and are woken when this process made new work.
 */
export class Alarm {
  private ring: (() => void) | undefined;

  /** Resolves after `ms`, or at once when wake() is called meanwhile. */
  sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.ring = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.ring = done;
    });
  }

  wake(): void {
    this.ring?.();
  }
}
