/*
 * How much of a batch's time the stepping may take. A batch holds the event loop from its first
 * step to its commit, and its writes (history rows, state, commands) cost time in proportion to
 * what the steps produced: a loop of Pass states writes some 200,000 events a second on SQLite,
 * and a batch that stepped for its whole budget then spent half as long again writing. So the
 * budget is for the whole batch, and the stepping gets the part the writes of recent batches
 * leave: a running average of their cost relative to the stepping that made them.
 */
export class BatchTime {
  /** Write time per millisecond of stepping, averaged over recent batches. */
  private writeRatio = 0.5;

  constructor(private readonly budgetMs: number) {}

  /** Milliseconds the next batch may spend stepping. */
  steppingMs(): number {
    return this.budgetMs / (1 + this.writeRatio);
  }

  /** What one committed batch took; batches too short to time tell nothing. */
  record(steppingMs: number, writingMs: number): void {
    if (steppingMs < 1) return;
    const ratio = Math.min(4, Math.max(0.05, writingMs / steppingMs));
    this.writeRatio = 0.7 * this.writeRatio + 0.3 * ratio;
  }
}
