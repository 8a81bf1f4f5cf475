import { describe, expect, it } from 'vitest';
import { BatchTime } from '../../src/engine/batch-time.js';

describe('BatchTime', () => {
  it('leaves the stepping what the writes of recent batches did not take', () => {
    const time = new BatchTime(40);
    const first = time.steppingMs();
    expect(first).toBeLessThan(40);
    // Writes that cost as much as the stepping: the stepping moves towards half the budget.
    for (let i = 0; i < 30; i++) time.record(20, 20);
    expect(time.steppingMs()).toBeCloseTo(20, 0);
    // Writes that cost nearly nothing give the stepping nearly all of it.
    for (let i = 0; i < 30; i++) time.record(30, 0);
    expect(time.steppingMs()).toBeGreaterThan(37);
  });

  it('ignores batches too short to time and bounds what one slow write can take', () => {
    const time = new BatchTime(40);
    const before = time.steppingMs();
    time.record(0.2, 500);
    expect(time.steppingMs()).toBe(before);
    for (let i = 0; i < 50; i++) time.record(2, 10_000);
    expect(time.steppingMs()).toBeCloseTo(8, 0);
  });
});
