import { describe, expect, it } from 'vitest';
import { isTimestamp, parseTimestamp, parseTimestampNanos } from '../../../src/asl/choice/index.js';

describe('parseTimestamp', () => {
  it.each([
    ['1970-01-01T00:00:00Z', 0],
    ['2016-03-14T01:59:00Z', Date.UTC(2016, 2, 14, 1, 59, 0)],
    ['2016-03-14T01:59:00.5Z', Date.UTC(2016, 2, 14, 1, 59, 0, 500)],
    ['2016-03-14T03:59:00+02:00', Date.UTC(2016, 2, 14, 1, 59, 0)],
    ['2016-03-13T20:29:00-05:30', Date.UTC(2016, 2, 14, 1, 59, 0)],
    ['2016-03-14T01:59:00-00:00', Date.UTC(2016, 2, 14, 1, 59, 0)],
    ['2000-02-29T23:59:59.999Z', Date.UTC(2000, 1, 29, 23, 59, 59, 999)],
    ['1969-12-31T23:59:59Z', -1000],
    ['0001-01-01T00:00:00Z', Date.parse('0001-01-01T00:00:00Z')],
    ['9999-12-31T23:59:59Z', Date.parse('9999-12-31T23:59:59Z')],
  ])('%s is %d ms', (s, ms) => {
    expect(parseTimestamp(s)).toBe(ms);
  });

  it('keeps the sub-millisecond part as a fraction', () => {
    expect(parseTimestamp('1970-01-01T00:00:00.000250Z')).toBeCloseTo(0.25, 9);
    expect(parseTimestamp('2024-01-01T00:00:00.123456Z')! - Date.UTC(2024, 0, 1)).toBeCloseTo(123.456, 3);
  });

  it.each([
    '',
    '2016-03-14',
    '2016-03-14T01:59Z',
    '2016-03-14T01:59:00',
    '2016-03-14t01:59:00Z',
    '2016-03-14T01:59:00z',
    '2016-03-14 01:59:00Z',
    '2016-03-14T01:59:00+0200',
    '2016-03-14T01:59:00+02',
    '2016-03-14T01:59:00.Z',
    '2016-03-14T01:59:00.1234567890Z',
    '2016-13-01T00:00:00Z',
    '2016-00-01T00:00:00Z',
    '2016-04-31T00:00:00Z',
    '2015-02-29T00:00:00Z',
    '1900-02-29T00:00:00Z',
    '2016-03-14T24:00:00Z',
    '2016-03-14T01:60:00Z',
    '2016-12-31T23:59:60Z',
    '2016-03-14T01:59:00+24:00',
    '2016-03-14T01:59:00+01:60',
    '16-03-14T01:59:00Z',
    '+2016-03-14T01:59:00Z',
    ' 2016-03-14T01:59:00Z',
    '2016-03-14T01:59:00Z ',
    '２０１６-03-14T01:59:00Z',
  ])('%j is not a timestamp', (s) => {
    expect(parseTimestamp(s)).toBeUndefined();
    expect(parseTimestampNanos(s)).toBeUndefined();
    expect(isTimestamp(s)).toBe(false);
  });

  it('accepts leap days of leap years', () => {
    expect(isTimestamp('2000-02-29T00:00:00Z')).toBe(true);
    expect(isTimestamp('2024-02-29T00:00:00Z')).toBe(true);
  });

  it('is false for non-strings', () => {
    expect(isTimestamp(0)).toBe(false);
    expect(isTimestamp(null)).toBe(false);
    expect(isTimestamp(new Date())).toBe(false);
  });
});

describe('parseTimestampNanos', () => {
  it('is exact to the nanosecond', () => {
    const a = parseTimestampNanos('2262-04-11T23:47:16.854775807Z');
    expect(a).toBe(9_223_372_036_854_775_807n);
    expect(parseTimestampNanos('2024-01-01T00:00:00.000000001Z')! - parseTimestampNanos('2024-01-01T00:00:00Z')!).toBe(1n);
  });

  it('pads short fractions', () => {
    expect(parseTimestampNanos('1970-01-01T00:00:00.1Z')).toBe(100_000_000n);
    expect(parseTimestampNanos('1970-01-01T00:00:00.000001Z')).toBe(1_000n);
  });

  it('applies the offset', () => {
    expect(parseTimestampNanos('1970-01-01T01:00:00+01:00')).toBe(0n);
    expect(parseTimestampNanos('1969-12-31T23:00:00-01:00')).toBe(0n);
  });
});
