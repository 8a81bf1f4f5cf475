/*
 * ASL timestamps: RFC3339 date-times with an uppercase "T" and either an uppercase "Z" or a
 * numeric offset (the spec's extra restrictions). Fractions of a second go down to the
 * nanosecond, as the JVM that AWS runs on parses them; a JS number of epoch milliseconds
 * cannot hold nanoseconds, so comparisons go through the exact BigInt form.
 */

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:Z|([+-])(\d{2}):(\d{2}))$/;

const NANOS_PER_SECOND = 1_000_000_000n;

interface Instant {
  /** Seconds since the epoch (an integer, exact for every 4-digit year). */
  seconds: number;
  /** 0..999_999_999 */
  nanos: number;
}

function parseInstant(s: string): Instant | undefined {
  const m = RFC3339.exec(s);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  // Leap seconds (":60") are refused, as java.time's ISO parsers refuse them.
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let offset = 0;
  if (m[8] !== undefined) {
    const oh = Number(m[9]);
    const om = Number(m[10]);
    if (oh > 23 || om > 59) return undefined;
    offset = (m[8] === '-' ? -1 : 1) * (oh * 3600 + om * 60);
  }
  const seconds = daysFromCivil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset;
  const nanos = m[7] === undefined ? 0 : Number(m[7].padEnd(9, '0'));
  return { seconds, nanos };
}

/** True when `s` is a timestamp ASL accepts. */
export function isTimestamp(value: unknown): value is string {
  return typeof value === 'string' && parseInstant(value) !== undefined;
}

/**
 * Epoch milliseconds of an ASL timestamp, with the sub-millisecond part as a fraction
 * (precise to about a microsecond); undefined when `s` is not a valid ASL timestamp.
 * Use parseTimestampNanos to compare two timestamps exactly.
 */
export function parseTimestamp(s: string): number | undefined {
  const instant = parseInstant(s);
  return instant && instant.seconds * 1000 + instant.nanos / 1e6;
}

/** Exact epoch nanoseconds of an ASL timestamp, or undefined when `s` is not one. */
export function parseTimestampNanos(s: string): bigint | undefined {
  const instant = parseInstant(s);
  return instant && BigInt(instant.seconds) * NANOS_PER_SECOND + BigInt(instant.nanos);
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's algorithm). Date.UTC would map years 0-99 to 1900-1999. */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}
