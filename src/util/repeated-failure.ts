/*
 * A loop that fails the same way on every pass (the disk is full, the database is down) says
 * so once, with the cause, and once more when it works again: 200 identical lines in 20 s
 * would bury the cause and the lines around it.
 */
export class RepeatedFailure {
  private last: string | undefined;

  constructor(
    private readonly what: string,
    private readonly log: (...args: unknown[]) => void = console.error,
  ) {}

  failed(err: unknown): void {
    const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    if (message === this.last) return;
    this.last = message;
    this.log(`skybatch: ${this.what} failed, will retry (said once until it changes or recovers):`, err);
  }

  succeeded(): void {
    if (this.last === undefined) return;
    this.last = undefined;
    this.log(`skybatch: ${this.what} works again`);
  }
}
