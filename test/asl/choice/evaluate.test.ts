import { describe, expect, it } from 'vitest';
import { evaluateChoiceRule, selectChoice } from '../../../src/asl/choice/index.js';
import { StatesRuntime } from '../../../src/asl/errors.js';
import type { ChoiceRule } from '../../../src/asl/types.js';
import { rowName, type Row } from './rows.js';

const inTwenties: ChoiceRule = {
  And: [
    { Variable: '$.value', IsPresent: true },
    { Variable: '$.value', IsNumeric: true },
    { Variable: '$.value', NumericGreaterThanEquals: 20 },
    { Variable: '$.value', NumericLessThan: 30 },
  ],
};

const booleanRows: Row[] = [
  { rule: inTwenties, input: { value: 22 }, isMatch: true },
  { rule: inTwenties, input: { value: 30 }, isMatch: false },
  // And stops at the first false rule, so the missing Variable is never read
  { rule: inTwenties, input: {}, isMatch: false },
  { rule: inTwenties, input: { value: '22' }, isMatch: false },
  { rule: { Not: { Variable: '$.type', StringEquals: 'Private' } }, input: { type: 'Public' }, isMatch: true },
  { rule: { Not: { Variable: '$.type', StringEquals: 'Private' } }, input: { type: 'Private' }, isMatch: false },
  { rule: { Not: { Not: { Variable: '$.x', BooleanEquals: true } } }, input: { x: true }, isMatch: true },
  { rule: { Not: { Variable: '$.x', IsPresent: true } }, input: {}, isMatch: true },
  {
    rule: { Or: [{ Variable: '$.x', NumericEquals: 1 }, { Variable: '$.x', NumericEquals: 2 }] },
    input: { x: 2 },
    isMatch: true,
  },
  {
    rule: { Or: [{ Variable: '$.x', NumericEquals: 1 }, { Variable: '$.x', NumericEquals: 2 }] },
    input: { x: 3 },
    isMatch: false,
  },
  // Or stops at the first true rule, so the missing Variable is never read
  { rule: { Or: [{ Variable: '$.x', IsNull: true }, { Variable: '$.missing', StringEquals: 'a' }] }, input: { x: null }, isMatch: true },
  {
    rule: {
      Or: [
        { And: [{ Variable: '$.kind', StringEquals: 'file' }, { Variable: '$.name', StringMatches: '*.csv' }] },
        { And: [{ Variable: '$.kind', StringEquals: 'dir' }, { Not: { Variable: '$.empty', BooleanEquals: true } }] },
      ],
    },
    input: { kind: 'dir', empty: false },
    isMatch: true,
  },
  {
    rule: {
      Or: [
        { And: [{ Variable: '$.kind', StringEquals: 'file' }, { Variable: '$.name', StringMatches: '*.csv' }] },
        { And: [{ Variable: '$.kind', StringEquals: 'dir' }, { Not: { Variable: '$.empty', BooleanEquals: true } }] },
      ],
    },
    input: { kind: 'file', name: 'data.json' },
    isMatch: false,
  },
  {
    rule: { And: [{ Not: { Or: [{ Variable: '$.a', NumericLessThan: 0 }, { Variable: '$.a', NumericGreaterThan: 10 }] } }, { Variable: '$.b', IsString: true }] },
    input: { a: 5, b: 'ok' },
    isMatch: true,
  },
  {
    rule: { And: [{ Not: { Or: [{ Variable: '$.a', NumericLessThan: 0 }, { Variable: '$.a', NumericGreaterThan: 10 }] } }, { Variable: '$.b', IsString: true }] },
    input: { a: 11, b: 'ok' },
    isMatch: false,
  },
  // the whole input, and keys that need brackets
  { rule: { Variable: '$', StringEquals: 'plain' }, input: 'plain', isMatch: true },
  { rule: { Variable: '$', IsNumeric: true }, input: 7, isMatch: true },
  { rule: { Variable: "$['a.b']", NumericEquals: 1 }, input: { 'a.b': 1 }, isMatch: true },
  { rule: { Variable: '$.items[1].id', StringEquals: 'b' }, input: { items: [{ id: 'a' }, { id: 'b' }] }, isMatch: true },
  { rule: { Variable: '$$', IsNull: true }, input: {}, context: null, isMatch: true },
];

describe('And / Or / Not', () => {
  it.each(booleanRows.map((row) => [rowName(row), row] as const))('%s', (_name, row) => {
    expect(evaluateChoiceRule(row.rule, row.input, row.context)).toBe(row.isMatch);
  });
});

describe('selectChoice', () => {
  const rules: ChoiceRule[] = [
    { Not: { Variable: '$.type', StringEquals: 'Private' }, Next: 'Public' },
    { Variable: '$.value', NumericEquals: 0, Next: 'ValueIsZero' },
    { ...inTwenties, Next: 'ValueInTwenties' },
  ];

  it.each([
    [{ type: 'Public', value: 0 }, 0],
    [{ type: 'Private', value: 0 }, 1],
    [{ type: 'Private', value: 22 }, 2],
    [{ type: 'Private', value: 99 }, -1],
  ])('%j selects rule %i', (input, index) => {
    expect(selectChoice(rules, input, {})).toBe(index);
  });

  it('does not evaluate rules after the first match', () => {
    const withTrap: ChoiceRule[] = [{ Variable: '$.ok', BooleanEquals: true, Next: 'A' }, { Variable: '$.missing', IsNull: true, Next: 'B' }];
    expect(selectChoice(withTrap, { ok: true }, {})).toBe(0);
    expect(() => selectChoice(withTrap, { ok: false }, {})).toThrow(StatesRuntime);
  });

  it('gives -1 for no rules', () => {
    expect(selectChoice([], {}, {})).toBe(-1);
  });
});

function runtimeError(rule: ChoiceRule, input: unknown, context: unknown = {}): StatesRuntime {
  try {
    evaluateChoiceRule(rule, input, context);
  } catch (err) {
    expect(err).toBeInstanceOf(StatesRuntime);
    return err as StatesRuntime;
  }
  throw new Error(`expected ${JSON.stringify(rule)} to fail`);
}

describe('runtime errors', () => {
  const missingVariable: ChoiceRule[] = [
    { Variable: '$.x', StringEquals: 'a' },
    { Variable: '$.x', StringMatches: '*' },
    { Variable: '$.x', NumericEquals: 1 },
    { Variable: '$.x', BooleanEquals: false },
    { Variable: '$.x', TimestampLessThan: '2020-01-01T00:00:00Z' },
    { Variable: '$.x', IsNull: false },
    { Variable: '$.x', IsNumeric: false },
    { Variable: '$.x', IsString: false },
    { Variable: '$.x', IsBoolean: false },
    { Variable: '$.x', IsTimestamp: false },
    { Variable: '$.x', NumericEqualsPath: '$.y' },
    { Not: { Variable: '$.x', StringEquals: 'a' } },
    { And: [{ Variable: '$.y', IsNull: true }, { Variable: '$.x', IsNull: true }] },
    { Or: [{ Variable: '$.y', IsNull: false }, { Variable: '$.x', IsNull: true }] },
  ];

  it.each(missingVariable.map((rule) => [JSON.stringify(rule), rule] as const))('missing Variable: %s', (_name, rule) => {
    const err = runtimeError(rule, { y: null });
    expect(err.error).toBe('States.Runtime');
    expect(err.matchesStatesAll).toBe(false);
    expect(err.cause).toBe("Invalid path '$.x': The choice state's condition path references an invalid value.");
  });

  it('names a missing nested or context Variable path', () => {
    expect(runtimeError({ Variable: '$.a.b', StringEquals: 'x' }, { a: 'str' }).cause).toContain("Invalid path '$.a.b'");
    expect(runtimeError({ Variable: '$.a[2]', NumericEquals: 1 }, { a: [1] }).cause).toContain("Invalid path '$.a[2]'");
    expect(runtimeError({ Variable: '$$.Execution.Input.x', StringEquals: 'x' }, {}, { Execution: { Input: {} } }).cause).toContain(
      "Invalid path '$$.Execution.Input.x'",
    );
  });

  it.each([
    ['StringEqualsPath', { v: 'a' }],
    ['StringLessThanPath', { v: 'a' }],
    ['NumericGreaterThanPath', { v: 1 }],
    ['BooleanEqualsPath', { v: true }],
    ['TimestampEqualsPath', { v: '2020-01-01T00:00:00Z' }],
    // the operand path fails even when the Variable has the wrong type
    ['NumericLessThanEqualsPath', { v: 'not a number' }],
  ])('missing %s operand', (op, input) => {
    const err = runtimeError({ Variable: '$.v', [op]: '$.missing' }, input);
    expect(err.cause).toBe("Invalid path '$.missing': The choice state's condition path references an invalid value.");
  });

  it('a missing $$ operand path reads the context, not the input', () => {
    const err = runtimeError({ Variable: '$.v', StringEqualsPath: '$$.Execution.Name' }, { v: 'a', Execution: { Name: 'a' } }, {});
    expect(err.cause).toContain("Invalid path '$$.Execution.Name'");
  });

  it.each([
    ['a\\b', 'an escape before an ordinary character'],
    ['abc\\', 'a trailing backslash'],
    ['\\\\\\', 'an odd run of backslashes'],
  ])('StringMatches pattern %j fails: %s', (pattern) => {
    const err = runtimeError({ Variable: '$.v', StringMatches: pattern }, { v: 'abc' });
    expect(err.cause).toContain('open escape backslash');
  });

  it('refuses a rule with no operator or with two', () => {
    expect(runtimeError({ Variable: '$.v' }, { v: 1 }).cause).toContain('found: none');
    expect(runtimeError({ Variable: '$.v', NumericEquals: 1, NumericLessThan: 2 }, { v: 1 }).cause).toContain('NumericEquals, NumericLessThan');
  });

  it('refuses a comparison without a Variable', () => {
    expect(runtimeError({ NumericEquals: 1 }, { v: 1 }).cause).toContain('no Variable');
  });

  it('turns a malformed path into States.Runtime', () => {
    expect(runtimeError({ Variable: 'v', NumericEquals: 1 }, { v: 1 }).cause).toContain("Invalid path 'v'");
    expect(runtimeError({ Variable: '$.v', NumericEqualsPath: 42 }, { v: 1 }).cause).toContain('must be a path');
  });
});
