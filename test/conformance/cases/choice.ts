/*
 * The Choice state (JSONPath): every comparison operator family, the type tests, And/Or/Not,
 * rule order, Default, no match, and the data passing through the state.
 */
import type { ConformanceCase } from '../case.js';

/** One rule going to Yes ("yes"), otherwise Default No ("no"). */
function decide(rule: Record<string, unknown>): object {
  return {
    StartAt: 'Decide',
    States: {
      Decide: { Type: 'Choice', Choices: [{ ...rule, Next: 'Yes' }], Default: 'No' },
      Yes: { Type: 'Pass', Result: 'yes', End: true },
      No: { Type: 'Pass', Result: 'no', End: true },
    },
  };
}

function yes(name: string, rule: Record<string, unknown>, input: unknown): ConformanceCase {
  return { name, definition: decide(rule), input, expected: { status: 'SUCCEEDED', output: 'yes' } };
}

function no(name: string, rule: Record<string, unknown>, input: unknown): ConformanceCase {
  return { name, definition: decide(rule), input, expected: { status: 'SUCCEEDED', output: 'no' } };
}

export const cases: ConformanceCase[] = [
  yes('StringEquals matches an equal string', { Variable: '$.s', StringEquals: 'abc' }, { s: 'abc' }),
  no('StringEquals is case-sensitive', { Variable: '$.s', StringEquals: 'abc' }, { s: 'ABC' }),
  yes('StringEqualsPath compares with another field', { Variable: '$.a', StringEqualsPath: '$.b' }, { a: 'x', b: 'x' }),
  yes('StringLessThan compares lexically', { Variable: '$.s', StringLessThan: 'b' }, { s: 'abc' }),
  no('StringGreaterThan is false for a smaller string', { Variable: '$.s', StringGreaterThan: 'b' }, { s: 'abc' }),
  yes('StringLessThanEquals matches an equal string', { Variable: '$.s', StringLessThanEquals: 'abc' }, { s: 'abc' }),
  yes('StringGreaterThanEqualsPath compares with another field', { Variable: '$.a', StringGreaterThanEqualsPath: '$.b' }, { a: 'b', b: 'a' }),
  yes('StringMatches with a wildcard in the middle', { Variable: '$.file', StringMatches: 'log-*.txt' }, { file: 'log-2026-01-01.txt' }),
  no('StringMatches without a wildcard must match the whole string', { Variable: '$.file', StringMatches: 'log' }, { file: 'log-1.txt' }),
  yes('StringMatches with an escaped asterisk matches a literal asterisk', { Variable: '$.s', StringMatches: 'a\\*c' }, { s: 'a*c' }),
  no('StringMatches with an escaped asterisk is not a wildcard', { Variable: '$.s', StringMatches: 'a\\*c' }, { s: 'abc' }),
  yes('NumericEquals treats 1 and 1.0 as equal', { Variable: '$.n', NumericEquals: 1 }, { n: 1.0 }),
  yes('NumericLessThan with a negative number', { Variable: '$.n', NumericLessThan: 0 }, { n: -0.5 }),
  no('NumericGreaterThan is false for an equal number', { Variable: '$.n', NumericGreaterThan: 10 }, { n: 10 }),
  yes('NumericGreaterThanEquals matches an equal number', { Variable: '$.n', NumericGreaterThanEquals: 10 }, { n: 10 }),
  yes('NumericLessThanEquals with a float', { Variable: '$.n', NumericLessThanEquals: 2.5 }, { n: 2.49 }),
  yes('NumericEqualsPath compares with another field', { Variable: '$.a', NumericEqualsPath: '$.b' }, { a: 3, b: 3 }),
  yes('NumericLessThanPath compares with another field', { Variable: '$.a', NumericLessThanPath: '$.limit' }, { a: 3, limit: 4 }),
  no('A string never equals a number in NumericEquals', { Variable: '$.n', NumericEquals: 5 }, { n: '5' }),
  no('A number never equals a string in StringEquals', { Variable: '$.n', StringEquals: '5' }, { n: 5 }),
  yes('BooleanEquals matches false', { Variable: '$.b', BooleanEquals: false }, { b: false }),
  yes('BooleanEqualsPath compares with another field', { Variable: '$.a', BooleanEqualsPath: '$.b' }, { a: true, b: true }),
  yes('TimestampEquals matches the same instant', { Variable: '$.t', TimestampEquals: '2026-01-01T00:00:00Z' }, { t: '2026-01-01T00:00:00Z' }),
  yes('TimestampLessThan compares instants', { Variable: '$.t', TimestampLessThan: '2026-01-01T00:00:00Z' }, { t: '2025-12-31T23:59:59Z' }),
  no('TimestampGreaterThan is false for an earlier instant', { Variable: '$.t', TimestampGreaterThan: '2026-01-01T00:00:00Z' }, { t: '2025-12-31T23:59:59Z' }),
  yes('TimestampGreaterThanEqualsPath compares with another field', { Variable: '$.a', TimestampGreaterThanEqualsPath: '$.b' }, { a: '2026-06-01T12:00:00Z', b: '2026-06-01T12:00:00Z' }),
  yes('TimestampLessThanEquals matches an equal instant', { Variable: '$.t', TimestampLessThanEquals: '2026-01-01T00:00:00Z' }, { t: '2026-01-01T00:00:00Z' }),
  yes('IsNull matches a null value', { Variable: '$.v', IsNull: true }, { v: null }),
  no('IsNull true does not match a present non-null value', { Variable: '$.v', IsNull: true }, { v: 0 }),
  yes('IsPresent false matches a missing field without an error', { Variable: '$.missing', IsPresent: false }, { other: 1 }),
  yes('IsPresent true matches a field holding null', { Variable: '$.v', IsPresent: true }, { v: null }),
  yes('IsNumeric matches a number', { Variable: '$.v', IsNumeric: true }, { v: 12.5 }),
  no('IsNumeric does not match a numeric string', { Variable: '$.v', IsNumeric: true }, { v: '12' }),
  yes('IsString matches a string', { Variable: '$.v', IsString: true }, { v: '' }),
  yes('IsBoolean false matches a non-boolean', { Variable: '$.v', IsBoolean: false }, { v: 'true' }),
  yes('IsTimestamp matches an RFC 3339 timestamp', { Variable: '$.v', IsTimestamp: true }, { v: '2016-03-14T01:59:00Z' }),
  no('IsTimestamp does not match a plain date', { Variable: '$.v', IsTimestamp: true }, { v: '2016-03-14' }),
  yes(
    'And matches when every sub-rule matches',
    { And: [{ Variable: '$.n', NumericGreaterThanEquals: 20 }, { Variable: '$.n', NumericLessThan: 30 }] },
    { n: 25 },
  ),
  no(
    'And does not match when one sub-rule fails',
    { And: [{ Variable: '$.n', NumericGreaterThanEquals: 20 }, { Variable: '$.n', NumericLessThan: 30 }] },
    { n: 30 },
  ),
  yes('Or matches when one sub-rule matches', { Or: [{ Variable: '$.s', StringEquals: 'a' }, { Variable: '$.s', StringEquals: 'b' }] }, { s: 'b' }),
  yes('Not inverts its sub-rule', { Not: { Variable: '$.type', StringEquals: 'Private' } }, { type: 'Public' }),
  yes(
    'Not IsPresent guards an optional field inside And',
    { And: [{ Not: { Variable: '$.opt', IsPresent: true } }, { Variable: '$.n', NumericEquals: 1 }] },
    { n: 1 },
  ),
  yes(
    'Nested And, Or and Not combine',
    {
      Or: [
        { And: [{ Variable: '$.a', BooleanEquals: true }, { Not: { Variable: '$.b', BooleanEquals: true } }] },
        { Variable: '$.c', StringEquals: 'force' },
      ],
    },
    { a: true, b: false, c: 'no' },
  ),
  {
    name: 'Rules are tried in order and the first match wins',
    definition: {
      StartAt: 'Decide',
      States: {
        Decide: {
          Type: 'Choice',
          Choices: [
            { Variable: '$.n', NumericGreaterThan: 100, Next: 'Big' },
            { Variable: '$.n', NumericGreaterThan: 10, Next: 'Medium' },
            { Variable: '$.n', NumericGreaterThan: 1, Next: 'Small' },
          ],
          Default: 'Tiny',
        },
        Big: { Type: 'Pass', Result: 'big', End: true },
        Medium: { Type: 'Pass', Result: 'medium', End: true },
        Small: { Type: 'Pass', Result: 'small', End: true },
        Tiny: { Type: 'Pass', Result: 'tiny', End: true },
      },
    },
    input: { n: 50 },
    expected: { status: 'SUCCEEDED', output: 'medium' },
  },
  {
    name: 'Default is taken when no rule matches',
    definition: decide({ Variable: '$.s', StringEquals: 'never' }),
    input: { s: 'value' },
    expected: { status: 'SUCCEEDED', output: 'no' },
    expectEvents: ['ChoiceStateEntered', 'ChoiceStateExited', 'PassStateEntered', 'PassStateExited', 'ExecutionSucceeded'],
  },
  {
    name: 'No matching rule and no Default fails with States.NoChoiceMatched',
    definition: {
      StartAt: 'Decide',
      States: {
        Decide: { Type: 'Choice', Choices: [{ Variable: '$.n', NumericEquals: 1, Next: 'One' }] },
        One: { Type: 'Succeed' },
      },
    },
    input: { n: 2 },
    expected: { status: 'FAILED', error: 'States.NoChoiceMatched' },
  },
  {
    name: 'A Choice state passes its input to the next state unchanged',
    definition: {
      StartAt: 'Decide',
      States: {
        Decide: { Type: 'Choice', Choices: [{ Variable: '$.go', BooleanEquals: true, Next: 'Done' }] },
        Done: { Type: 'Succeed' },
      },
    },
    input: { go: true, payload: { x: [1, 2] } },
    expected: { status: 'SUCCEEDED', output: { go: true, payload: { x: [1, 2] } } },
  },
  {
    name: 'A Choice state applies InputPath before the rules and OutputPath after',
    definition: {
      StartAt: 'Decide',
      States: {
        Decide: {
          Type: 'Choice',
          InputPath: '$.inner',
          OutputPath: '$.data',
          Choices: [{ Variable: '$.kind', StringEquals: 'a', Next: 'Done' }],
        },
        Done: { Type: 'Succeed' },
      },
    },
    input: { kind: 'b', inner: { kind: 'a', data: { d: 1 } } },
    expected: { status: 'SUCCEEDED', output: { d: 1 } },
  },
  {
    name: 'A Choice Variable pointing to a missing field fails with States.Runtime',
    definition: decide({ Variable: '$.missing', StringEquals: 'x' }),
    input: { present: 'x' },
    expected: { status: 'FAILED', error: 'States.Runtime' },
  },
  {
    name: 'A Choice loop runs until its condition holds',
    definition: {
      StartAt: 'Init',
      States: {
        Init: { Type: 'Pass', Result: 0, ResultPath: '$.count', Next: 'Check' },
        Check: { Type: 'Choice', Choices: [{ Variable: '$.count', NumericGreaterThanEquals: 3, Next: 'Done' }], Default: 'Increment' },
        Increment: { Type: 'Pass', Parameters: { 'count.$': 'States.MathAdd($.count, 1)' }, Next: 'Check' },
        Done: { Type: 'Succeed' },
      },
    },
    expected: { status: 'SUCCEEDED', output: { count: 3 } },
  },
];
