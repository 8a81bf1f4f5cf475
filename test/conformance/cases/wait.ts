/*
 * The Wait state: Seconds, SecondsPath, Timestamp, TimestampPath. The output is the input.
 * Time is virtual and starts at 2026-01-01T00:00:00Z.
 */
import type { ConformanceCase } from '../case.js';
import { chain, single } from '../helpers.js';

export const cases: ConformanceCase[] = [
  {
    name: 'Seconds waits that many seconds and passes the input through',
    definition: single({ Type: 'Wait', Seconds: 10 }),
    input: { a: 1 },
    expected: { status: 'SUCCEEDED', output: { a: 1 } },
    minElapsedSeconds: 10,
    maxElapsedSeconds: 10,
    expectEvents: ['ExecutionStarted', 'WaitStateEntered', 'WaitStateExited', 'ExecutionSucceeded'],
  },
  {
    name: 'Seconds 0 continues at once',
    definition: single({ Type: 'Wait', Seconds: 0 }),
    input: { a: 1 },
    expected: { status: 'SUCCEEDED', output: { a: 1 } },
    maxElapsedSeconds: 0,
  },
  {
    name: 'SecondsPath reads the number of seconds from the input',
    definition: single({ Type: 'Wait', SecondsPath: '$.delay' }),
    input: { delay: 5, other: 'x' },
    expected: { status: 'SUCCEEDED', output: { delay: 5, other: 'x' } },
    minElapsedSeconds: 5,
    maxElapsedSeconds: 5,
  },
  {
    name: 'Timestamp waits until that instant',
    definition: single({ Type: 'Wait', Timestamp: '2026-01-01T00:01:00Z' }),
    input: { t: true },
    expected: { status: 'SUCCEEDED', output: { t: true } },
    minElapsedSeconds: 60,
    maxElapsedSeconds: 60,
  },
  {
    name: 'Timestamp with a numeric offset denotes the same instant in UTC',
    definition: single({ Type: 'Wait', Timestamp: '2026-01-01T01:00:30+01:00' }),
    expected: { status: 'SUCCEEDED', output: {} },
    minElapsedSeconds: 30,
    maxElapsedSeconds: 30,
  },
  {
    name: 'TimestampPath reads the instant from the input',
    definition: single({ Type: 'Wait', TimestampPath: '$.expirydate' }),
    input: { expirydate: '2026-01-01T00:02:00Z' },
    expected: { status: 'SUCCEEDED', output: { expirydate: '2026-01-01T00:02:00Z' } },
    minElapsedSeconds: 120,
    maxElapsedSeconds: 120,
  },
  {
    name: 'A Timestamp in the past continues at once',
    definition: single({ Type: 'Wait', Timestamp: '2020-01-01T00:00:00Z' }),
    input: { late: true },
    expected: { status: 'SUCCEEDED', output: { late: true } },
    maxElapsedSeconds: 0,
  },
  {
    name: 'Consecutive waits add up',
    definition: chain([
      ['First', { Type: 'Wait', Seconds: 5 }],
      ['Second', { Type: 'Wait', SecondsPath: '$.more' }],
    ]),
    input: { more: 7 },
    expected: { status: 'SUCCEEDED', output: { more: 7 } },
    minElapsedSeconds: 12,
    maxElapsedSeconds: 12,
  },
  {
    name: 'A Wait state applies InputPath and OutputPath',
    definition: single({ Type: 'Wait', Seconds: 1, InputPath: '$.inner', OutputPath: '$.keep' }),
    input: { inner: { keep: { k: 1 }, drop: 2 } },
    expected: { status: 'SUCCEEDED', output: { k: 1 } },
    minElapsedSeconds: 1,
  },
  {
    name: 'SecondsPath to a missing field fails with States.Runtime',
    definition: single({ Type: 'Wait', SecondsPath: '$.nothing' }),
    input: { delay: 5 },
    expected: { status: 'FAILED', error: 'States.Runtime' },
  },
];
