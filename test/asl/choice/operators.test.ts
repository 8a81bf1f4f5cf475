import { describe, expect, it } from 'vitest';
import { COMPARISON_OPERATORS, evaluateChoiceRule, operandKind } from '../../../src/asl/choice/index.js';
import { rowName, type Row } from './rows.js';

const v = '$.v';

const stringRows: Row[] = [
  { rule: { Variable: v, StringEquals: 'abc' }, input: { v: 'abc' }, isMatch: true },
  { rule: { Variable: v, StringEquals: 'abc' }, input: { v: 'ABC' }, isMatch: false },
  { rule: { Variable: v, StringEquals: '' }, input: { v: '' }, isMatch: true },
  { rule: { Variable: v, StringEquals: '1' }, input: { v: 1 }, isMatch: false },
  { rule: { Variable: v, StringEquals: 'null' }, input: { v: null }, isMatch: false },
  { rule: { Variable: v, StringEquals: 'true' }, input: { v: true }, isMatch: false },
  { rule: { Variable: v, StringEquals: 'a' }, input: { v: ['a'] }, isMatch: false },
  { rule: { Variable: v, StringEquals: '2016-03-14T01:59:00Z' }, input: { v: '2016-03-14T01:59:00Z' }, isMatch: true },
  { rule: { Variable: v, StringLessThan: 'b' }, input: { v: 'a' }, isMatch: true },
  { rule: { Variable: v, StringLessThan: 'b' }, input: { v: 'b' }, isMatch: false },
  { rule: { Variable: v, StringLessThan: 'a' }, input: { v: 'B' }, isMatch: true },
  { rule: { Variable: v, StringLessThan: 'abc' }, input: { v: 'ab' }, isMatch: true },
  { rule: { Variable: v, StringLessThan: '9' }, input: { v: 1 }, isMatch: false },
  { rule: { Variable: v, StringGreaterThan: 'MyStringABC' }, input: { v: 'MyStringABD' }, isMatch: true },
  { rule: { Variable: v, StringGreaterThan: 'b' }, input: { v: 'b' }, isMatch: false },
  { rule: { Variable: v, StringGreaterThan: '' }, input: { v: false }, isMatch: false },
  { rule: { Variable: v, StringLessThanEquals: 'b' }, input: { v: 'b' }, isMatch: true },
  { rule: { Variable: v, StringLessThanEquals: 'b' }, input: { v: 'c' }, isMatch: false },
  { rule: { Variable: v, StringGreaterThanEquals: 'b' }, input: { v: 'b' }, isMatch: true },
  { rule: { Variable: v, StringGreaterThanEquals: 'b' }, input: { v: 'a' }, isMatch: false },
  // UTF-16 code-unit order, as Java's compareTo: U+FF5E sorts after the surrogate of U+1F600.
  { rule: { Variable: v, StringGreaterThan: '\u{1F600}' }, input: { v: '\uFF5E' }, isMatch: true },
  { rule: { Variable: v, StringEqualsPath: '$.w' }, input: { v: 'x', w: 'x' }, isMatch: true },
  { rule: { Variable: v, StringEqualsPath: '$.w' }, input: { v: 'x', w: 'y' }, isMatch: false },
  { rule: { Variable: v, StringEqualsPath: '$.w' }, input: { v: 1, w: 1 }, isMatch: false },
  { rule: { Variable: v, StringEqualsPath: '$.w' }, input: { v: 'x', w: null }, isMatch: false },
  { rule: { Variable: v, StringLessThanPath: '$.w' }, input: { v: 'a', w: 'b' }, isMatch: true },
  { rule: { Variable: v, StringLessThanPath: '$.w' }, input: { v: 1, w: 'b' }, isMatch: false },
  { rule: { Variable: v, StringGreaterThanPath: '$.w' }, input: { v: 'c', w: 'b' }, isMatch: true },
  { rule: { Variable: v, StringGreaterThanPath: '$.w' }, input: { v: 'c', w: 2 }, isMatch: false },
  { rule: { Variable: v, StringLessThanEqualsPath: '$.w' }, input: { v: 'b', w: 'b' }, isMatch: true },
  { rule: { Variable: v, StringGreaterThanEqualsPath: '$.w' }, input: { v: 'a', w: 'b' }, isMatch: false },
  { rule: { Variable: v, StringEqualsPath: '$$.Execution.Name' }, input: { v: 'run-1' }, context: { Execution: { Name: 'run-1' } }, isMatch: true },
];

const matchesRows: Row[] = [
  { rule: { Variable: v, StringMatches: 'log-*.txt' }, input: { v: 'log-2024-01-01.txt' }, isMatch: true },
  { rule: { Variable: v, StringMatches: 'log-*.txt' }, input: { v: 'log-.txt' }, isMatch: true },
  { rule: { Variable: v, StringMatches: 'log-*.txt' }, input: { v: 'log-1.txt.bak' }, isMatch: false },
  { rule: { Variable: v, StringMatches: 'log-*.txt' }, input: { v: 'xlog-1.txt' }, isMatch: false },
  { rule: { Variable: v, StringMatches: 'foo*.log' }, input: { v: 'foo23.log' }, isMatch: true },
  { rule: { Variable: v, StringMatches: '*.log' }, input: { v: 'zebra.log' }, isMatch: true },
  { rule: { Variable: v, StringMatches: 'foo*.*' }, input: { v: 'foobar.zebra' }, isMatch: true },
  { rule: { Variable: v, StringMatches: '*' }, input: { v: '' }, isMatch: true },
  { rule: { Variable: v, StringMatches: '' }, input: { v: '' }, isMatch: true },
  { rule: { Variable: v, StringMatches: '' }, input: { v: 'a' }, isMatch: false },
  { rule: { Variable: v, StringMatches: 'a*b*c' }, input: { v: 'aXbYbZc' }, isMatch: true },
  { rule: { Variable: v, StringMatches: 'a*b*c' }, input: { v: 'aXbYbZ' }, isMatch: false },
  { rule: { Variable: v, StringMatches: '**a**' }, input: { v: 'bab' }, isMatch: true },
  // only "*" is special: "?", "[", "." are literal
  { rule: { Variable: v, StringMatches: 'a?c' }, input: { v: 'abc' }, isMatch: false },
  { rule: { Variable: v, StringMatches: 'a?c' }, input: { v: 'a?c' }, isMatch: true },
  { rule: { Variable: v, StringMatches: '[ab]' }, input: { v: '[ab]' }, isMatch: true },
  // JSON "*\\*" is the pattern *\* : anything ending with a literal star
  { rule: { Variable: v, StringMatches: '*\\*' }, input: { v: 'note*' }, isMatch: true },
  { rule: { Variable: v, StringMatches: '*\\*' }, input: { v: 'note' }, isMatch: false },
  { rule: { Variable: v, StringMatches: '\\*' }, input: { v: 'x' }, isMatch: false },
  { rule: { Variable: v, StringMatches: '\\*' }, input: { v: '*' }, isMatch: true },
  // JSON "\\\\" is the pattern \\ : one literal backslash
  { rule: { Variable: v, StringMatches: '\\\\' }, input: { v: '\\' }, isMatch: true },
  { rule: { Variable: v, StringMatches: '\\\\' }, input: { v: '\\\\' }, isMatch: false },
  { rule: { Variable: v, StringMatches: 'C:\\\\*' }, input: { v: 'C:\\Windows' }, isMatch: true },
  { rule: { Variable: v, StringMatches: '\\\\\\*' }, input: { v: '\\*' }, isMatch: true },
  { rule: { Variable: v, StringMatches: '*\u{1F600}*' }, input: { v: 'a\u{1F600}b' }, isMatch: true },
  { rule: { Variable: v, StringMatches: '1*' }, input: { v: 12 }, isMatch: false },
  { rule: { Variable: v, StringMatches: '*' }, input: { v: null }, isMatch: false },
];

const numericRows: Row[] = [
  { rule: { Variable: v, NumericEquals: 1 }, input: { v: 1 }, isMatch: true },
  { rule: { Variable: v, NumericEquals: 1 }, input: { v: 1.0 }, isMatch: true },
  { rule: { Variable: v, NumericEquals: 0 }, input: { v: -0 }, isMatch: true },
  { rule: { Variable: v, NumericEquals: 1 }, input: { v: '1' }, isMatch: false },
  { rule: { Variable: v, NumericEquals: 1 }, input: { v: true }, isMatch: false },
  { rule: { Variable: v, NumericEquals: 0 }, input: { v: null }, isMatch: false },
  { rule: { Variable: v, NumericEquals: 0.3 }, input: { v: 0.1 + 0.2 }, isMatch: false },
  { rule: { Variable: v, NumericLessThan: 30 }, input: { v: 22 }, isMatch: true },
  { rule: { Variable: v, NumericLessThan: 30 }, input: { v: 30 }, isMatch: false },
  { rule: { Variable: v, NumericLessThan: 0 }, input: { v: -1.5 }, isMatch: true },
  { rule: { Variable: v, NumericLessThan: 30 }, input: { v: '22' }, isMatch: false },
  { rule: { Variable: v, NumericGreaterThan: 100 }, input: { v: 100.5 }, isMatch: true },
  { rule: { Variable: v, NumericGreaterThan: 100 }, input: { v: 100 }, isMatch: false },
  { rule: { Variable: v, NumericLessThanEquals: 30 }, input: { v: 30 }, isMatch: true },
  { rule: { Variable: v, NumericLessThanEquals: 30 }, input: { v: 31 }, isMatch: false },
  { rule: { Variable: v, NumericGreaterThanEquals: 20 }, input: { v: 20 }, isMatch: true },
  { rule: { Variable: v, NumericGreaterThanEquals: 20 }, input: { v: 19.999 }, isMatch: false },
  { rule: { Variable: v, NumericGreaterThanEquals: 20 }, input: { v: [20] }, isMatch: false },
  { rule: { Variable: v, NumericEqualsPath: '$.w' }, input: { v: 5, w: 5 }, isMatch: true },
  { rule: { Variable: v, NumericEqualsPath: '$.w' }, input: { v: 5, w: '5' }, isMatch: false },
  { rule: { Variable: v, NumericEqualsPath: '$.w' }, input: { v: '5', w: '5' }, isMatch: false },
  { rule: { Variable: v, NumericLessThanPath: '$.w' }, input: { v: 4, w: 5 }, isMatch: true },
  { rule: { Variable: v, NumericGreaterThanPath: '$.limits.max' }, input: { v: 9, limits: { max: 8 } }, isMatch: true },
  { rule: { Variable: v, NumericGreaterThanPath: '$.w' }, input: { v: 9, w: '8' }, isMatch: false },
  { rule: { Variable: v, NumericLessThanEqualsPath: '$.w[1]' }, input: { v: 2, w: [1, 2] }, isMatch: true },
  { rule: { Variable: v, NumericGreaterThanEqualsPath: '$.w' }, input: { v: 1, w: 2 }, isMatch: false },
  { rule: { Variable: '$$.Map.Item.Index', NumericEquals: 3 }, input: {}, context: { Map: { Item: { Index: 3 } } }, isMatch: true },
];

const booleanRows: Row[] = [
  { rule: { Variable: v, BooleanEquals: true }, input: { v: true }, isMatch: true },
  { rule: { Variable: v, BooleanEquals: true }, input: { v: false }, isMatch: false },
  { rule: { Variable: v, BooleanEquals: false }, input: { v: false }, isMatch: true },
  { rule: { Variable: v, BooleanEquals: true }, input: { v: 'true' }, isMatch: false },
  { rule: { Variable: v, BooleanEquals: false }, input: { v: 0 }, isMatch: false },
  { rule: { Variable: v, BooleanEquals: false }, input: { v: null }, isMatch: false },
  { rule: { Variable: v, BooleanEqualsPath: '$.w' }, input: { v: true, w: true }, isMatch: true },
  { rule: { Variable: v, BooleanEqualsPath: '$.w' }, input: { v: true, w: false }, isMatch: false },
  { rule: { Variable: v, BooleanEqualsPath: '$.w' }, input: { v: true, w: 'true' }, isMatch: false },
];

const timestampRows: Row[] = [
  { rule: { Variable: v, TimestampEquals: '2001-01-01T12:00:00Z' }, input: { v: '2001-01-01T12:00:00Z' }, isMatch: true },
  { rule: { Variable: v, TimestampEquals: '2001-01-01T12:00:00Z' }, input: { v: '2001-01-01T13:00:00+01:00' }, isMatch: true },
  { rule: { Variable: v, TimestampEquals: '2001-01-01T12:00:00Z' }, input: { v: '2001-01-01T06:30:00-05:30' }, isMatch: true },
  { rule: { Variable: v, TimestampEquals: '2001-01-01T12:00:00Z' }, input: { v: '2001-01-01T12:00:00.000Z' }, isMatch: true },
  { rule: { Variable: v, TimestampEquals: '2001-01-01T12:00:00Z' }, input: { v: '2001-01-01T12:00:00.000000001Z' }, isMatch: false },
  { rule: { Variable: v, TimestampEquals: '2001-01-01T12:00:00.5Z' }, input: { v: '2001-01-01T12:00:00.500000000Z' }, isMatch: true },
  { rule: { Variable: v, TimestampEquals: '2001-01-01T12:00:00Z' }, input: { v: '2001-01-01T12:00:00' }, isMatch: false },
  { rule: { Variable: v, TimestampEquals: '2001-01-01T12:00:00Z' }, input: { v: '2001-01-01t12:00:00z' }, isMatch: false },
  { rule: { Variable: v, TimestampEquals: '2001-01-01T12:00:00Z' }, input: { v: 978350400000 }, isMatch: false },
  { rule: { Variable: v, TimestampEquals: 'not a timestamp' }, input: { v: 'not a timestamp' }, isMatch: false },
  { rule: { Variable: v, TimestampLessThan: '2016-08-18T17:33:00Z' }, input: { v: '2016-08-18T17:32:59.999999999Z' }, isMatch: true },
  { rule: { Variable: v, TimestampLessThan: '2016-08-18T17:33:00Z' }, input: { v: '2016-08-18T17:33:00Z' }, isMatch: false },
  // nanosecond apart, beyond what a double of epoch milliseconds can tell apart
  { rule: { Variable: v, TimestampLessThan: '2016-08-18T17:33:00.123456790Z' }, input: { v: '2016-08-18T17:33:00.123456789Z' }, isMatch: true },
  { rule: { Variable: v, TimestampLessThan: '2016-08-18T17:33:00Z' }, input: { v: '2016-08-18T18:32:00+01:00' }, isMatch: true },
  { rule: { Variable: v, TimestampGreaterThan: '2016-08-18T17:33:00Z' }, input: { v: '2016-08-18T17:33:00.001Z' }, isMatch: true },
  { rule: { Variable: v, TimestampGreaterThan: '2016-08-18T17:33:00Z' }, input: { v: '2016-08-18T19:33:00+02:00' }, isMatch: false },
  { rule: { Variable: v, TimestampGreaterThan: '2016-08-18T17:33:00Z' }, input: { v: '2099-02-30T00:00:00Z' }, isMatch: false },
  { rule: { Variable: v, TimestampLessThanEquals: '2016-08-18T17:33:00Z' }, input: { v: '2016-08-18T17:33:00.000Z' }, isMatch: true },
  { rule: { Variable: v, TimestampLessThanEquals: '2016-08-18T17:33:00Z' }, input: { v: '2016-08-18T17:33:01Z' }, isMatch: false },
  { rule: { Variable: v, TimestampGreaterThanEquals: '2016-08-18T17:33:00Z' }, input: { v: '2016-08-18T17:33:00Z' }, isMatch: true },
  { rule: { Variable: v, TimestampGreaterThanEquals: '2016-08-18T17:33:00Z' }, input: { v: null }, isMatch: false },
  { rule: { Variable: v, TimestampEqualsPath: '$.w' }, input: { v: '2020-02-29T00:00:00Z', w: '2020-02-28T23:00:00-01:00' }, isMatch: true },
  { rule: { Variable: v, TimestampEqualsPath: '$.w' }, input: { v: '2020-02-29T00:00:00Z', w: 'yesterday' }, isMatch: false },
  { rule: { Variable: v, TimestampLessThanPath: '$$.State.EnteredTime' }, input: { v: '2020-01-01T00:00:00Z' }, context: { State: { EnteredTime: '2024-05-01T10:00:00.123Z' } }, isMatch: true },
  { rule: { Variable: v, TimestampGreaterThanPath: '$.w' }, input: { v: '2020-01-01T00:00:01Z', w: '2020-01-01T00:00:00Z' }, isMatch: true },
  { rule: { Variable: v, TimestampLessThanEqualsPath: '$.w' }, input: { v: '2020-01-01T00:00:00Z', w: '2020-01-01T00:00:00Z' }, isMatch: true },
  { rule: { Variable: v, TimestampGreaterThanEqualsPath: '$.w' }, input: { v: '2019-12-31T23:59:59Z', w: '2020-01-01T00:00:00Z' }, isMatch: false },
];

const typeTestRows: Row[] = [
  { rule: { Variable: v, IsNull: true }, input: { v: null }, isMatch: true },
  { rule: { Variable: v, IsNull: true }, input: { v: 0 }, isMatch: false },
  { rule: { Variable: v, IsNull: false }, input: { v: 'x' }, isMatch: true },
  { rule: { Variable: v, IsNull: false }, input: { v: null }, isMatch: false },
  { rule: { Variable: v, IsPresent: true }, input: { v: null }, isMatch: true },
  { rule: { Variable: v, IsPresent: true }, input: {}, isMatch: false },
  { rule: { Variable: v, IsPresent: false }, input: {}, isMatch: true },
  { rule: { Variable: v, IsPresent: false }, input: { v: 1 }, isMatch: false },
  { rule: { Variable: '$.a.b.c', IsPresent: true }, input: { a: 5 }, isMatch: false },
  { rule: { Variable: '$.a[3]', IsPresent: true }, input: { a: [1] }, isMatch: false },
  { rule: { Variable: '$$.Map.Item', IsPresent: false }, input: {}, context: {}, isMatch: true },
  { rule: { Variable: v, IsNumeric: true }, input: { v: 1.5 }, isMatch: true },
  { rule: { Variable: v, IsNumeric: true }, input: { v: '1.5' }, isMatch: false },
  { rule: { Variable: v, IsNumeric: false }, input: { v: '1.5' }, isMatch: true },
  { rule: { Variable: v, IsString: true }, input: { v: '' }, isMatch: true },
  { rule: { Variable: v, IsString: true }, input: { v: null }, isMatch: false },
  { rule: { Variable: v, IsString: false }, input: { v: {} }, isMatch: true },
  { rule: { Variable: v, IsBoolean: true }, input: { v: false }, isMatch: true },
  { rule: { Variable: v, IsBoolean: true }, input: { v: 'false' }, isMatch: false },
  { rule: { Variable: v, IsBoolean: false }, input: { v: 0 }, isMatch: true },
  { rule: { Variable: v, IsTimestamp: true }, input: { v: '2016-03-14T01:59:00Z' }, isMatch: true },
  { rule: { Variable: v, IsTimestamp: true }, input: { v: '2016-03-14T01:59:00.123456789+05:45' }, isMatch: true },
  { rule: { Variable: v, IsTimestamp: true }, input: { v: '2016-03-14' }, isMatch: false },
  { rule: { Variable: v, IsTimestamp: true }, input: { v: '2016-03-14 01:59:00Z' }, isMatch: false },
  { rule: { Variable: v, IsTimestamp: true }, input: { v: '2016-03-14T01:59:00' }, isMatch: false },
  { rule: { Variable: v, IsTimestamp: true }, input: { v: 1457920740 }, isMatch: false },
  { rule: { Variable: v, IsTimestamp: false }, input: { v: 'soon' }, isMatch: true },
  { rule: { Variable: v, IsTimestamp: false }, input: { v: '2016-03-14T01:59:00Z' }, isMatch: false },
];

describe.each([
  ['String comparisons', stringRows],
  ['StringMatches', matchesRows],
  ['Numeric comparisons', numericRows],
  ['BooleanEquals', booleanRows],
  ['Timestamp comparisons', timestampRows],
  ['Type tests', typeTestRows],
])('%s', (_title, rows) => {
  it.each(rows.map((row) => [rowName(row), row] as const))('%s', (_name, row) => {
    expect(evaluateChoiceRule(row.rule, row.input, row.context)).toBe(row.isMatch);
  });
});

describe('operator catalogue', () => {
  it('covers every operator of the spec', () => {
    const families = ['String', 'Numeric', 'Timestamp'].flatMap((f) =>
      ['Equals', 'LessThan', 'GreaterThan', 'LessThanEquals', 'GreaterThanEquals'].map((r) => f + r),
    );
    const literal = [...families, 'BooleanEquals'];
    const expected = [...literal, ...literal.map((op) => `${op}Path`), 'StringMatches', 'IsNull', 'IsPresent', 'IsNumeric', 'IsString', 'IsBoolean', 'IsTimestamp'];
    expect([...COMPARISON_OPERATORS].sort()).toEqual(expected.sort());
  });

  it.each([
    ['StringEquals', 'string'],
    ['StringMatches', 'string'],
    ['NumericLessThan', 'number'],
    ['BooleanEquals', 'boolean'],
    ['TimestampGreaterThanEquals', 'timestamp'],
    ['StringEqualsPath', 'path'],
    ['NumericGreaterThanPath', 'path'],
    ['BooleanEqualsPath', 'path'],
    ['TimestampEqualsPath', 'path'],
    ['IsPresent', 'boolean-test'],
    ['IsTimestamp', 'boolean-test'],
    ['StringMatchesPath', undefined],
    ['And', undefined],
    ['Variable', undefined],
  ])('operandKind(%s) is %s', (op, kind) => {
    expect(operandKind(op)).toBe(kind);
  });
});
