/* Checks of scalar values that several state types share. */
import { MAX_TIMER_SECONDS } from '../limits.js';

export function isInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value);
}

export function isPositiveInteger(value: unknown): value is number {
  return isInteger(value) && value > 0;
}

export function isNonNegativeInteger(value: unknown): value is number {
  return isInteger(value) && value >= 0;
}

/** A number of seconds a timer may take: TimeoutSeconds, HeartbeatSeconds, IntervalSeconds... */
export function isTimerSeconds(value: unknown): value is number {
  return isPositiveInteger(value) && value <= MAX_TIMER_SECONDS;
}

/** A Wait's Seconds, which may be 0. */
export function isWaitSeconds(value: unknown): value is number {
  return isNonNegativeInteger(value) && value <= MAX_TIMER_SECONDS;
}

export const TIMER_SECONDS = `a positive integer of at most ${MAX_TIMER_SECONDS}`;
export const WAIT_SECONDS = `a non-negative integer of at most ${MAX_TIMER_SECONDS}`;

// ASL narrows RFC 3339: an uppercase T between date and time and an uppercase Z for UTC.
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-](\d{2}):(\d{2}))$/;

export function isTimestamp(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const m = RFC3339.exec(value);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth) return false;
  // 60 admits a leap second, which RFC 3339 allows.
  if (hour > 23 || minute > 59 || second > 60) return false;
  if (m[9] !== undefined && (Number(m[9]) > 23 || Number(m[10]) > 59)) return false;
  return true;
}
