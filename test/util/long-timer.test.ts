import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MAX_TIMER_MS, setLongInterval, setLongTimeout } from '../../src/util/long-timer.js';

// Fake timers here test the helper's own arithmetic (re-arming past Node's 2^31-1 ms limit);
// nothing else is faked.
describe('long timers', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const DAY_MS = 24 * 60 * 60 * 1000;

  it('a 30-day timeout does not fire early (setTimeout would fire after 1 ms)', () => {
    const fired = vi.fn();
    setLongTimeout(fired, 30 * DAY_MS);
    vi.advanceTimersByTime(1);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(MAX_TIMER_MS);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(30 * DAY_MS - MAX_TIMER_MS - 2);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fired).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(100 * DAY_MS);
    expect(fired).toHaveBeenCalledTimes(1);
  });

  it("the longest Wait a state machine may take, 99,999,999 s, fires at its time", () => {
    const fired = vi.fn();
    const ms = 99_999_999_000;
    setLongTimeout(fired, ms);
    vi.advanceTimersByTime(ms - 1);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fired).toHaveBeenCalledTimes(1);
  });

  it('short timeouts fire as setTimeout would, zero and negative delays at once', () => {
    const fired = vi.fn();
    setLongTimeout(() => fired('short'), 50);
    setLongTimeout(() => fired('zero'), 0);
    setLongTimeout(() => fired('negative'), -5);
    setLongTimeout(() => fired('nan'), Number.NaN);
    vi.advanceTimersByTime(1);
    expect(fired.mock.calls.map((c) => c[0]).sort()).toEqual(['nan', 'negative', 'zero']);
    vi.advanceTimersByTime(49);
    expect(fired).toHaveBeenCalledWith('short');
  });

  it('an infinite delay never fires', () => {
    const fired = vi.fn();
    setLongTimeout(fired, Number.POSITIVE_INFINITY);
    vi.advanceTimersByTime(10 * MAX_TIMER_MS);
    expect(fired).not.toHaveBeenCalled();
  });

  it('clear() stops a timeout before its first chunk ends and after it re-armed', () => {
    const early = vi.fn();
    const late = vi.fn();
    const a = setLongTimeout(early, 40 * DAY_MS);
    const b = setLongTimeout(late, 40 * DAY_MS);
    a.clear();
    vi.advanceTimersByTime(MAX_TIMER_MS + 10);
    b.clear();
    vi.advanceTimersByTime(40 * DAY_MS);
    expect(early).not.toHaveBeenCalled();
    expect(late).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('unref() carries over to every re-armed chunk', () => {
    const timer = setLongTimeout(() => undefined, 30 * DAY_MS).unref();
    vi.advanceTimersByTime(MAX_TIMER_MS);
    expect(timer.hasRef()).toBe(false);
    timer.clear();
  });

  it('an interval longer than 24.8 days repeats at its period, not every millisecond', () => {
    const ticks = vi.fn();
    const interval = setLongInterval(ticks, 30 * DAY_MS);
    vi.advanceTimersByTime(29 * DAY_MS);
    expect(ticks).not.toHaveBeenCalled();
    vi.advanceTimersByTime(DAY_MS);
    expect(ticks).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(30 * DAY_MS);
    expect(ticks).toHaveBeenCalledTimes(2);
    interval.clear();
    vi.advanceTimersByTime(60 * DAY_MS);
    expect(ticks).toHaveBeenCalledTimes(2);
  });

  it('a short interval repeats like setInterval', () => {
    const ticks = vi.fn();
    const interval = setLongInterval(ticks, 100);
    vi.advanceTimersByTime(350);
    expect(ticks).toHaveBeenCalledTimes(3);
    interval.clear();
  });
});
