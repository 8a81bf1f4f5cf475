/*
 * The comparison operators of JSONPath-mode Choice rules. Each one is a test of the
 * Variable's value against an operand; for the ...Path operators the caller resolves the
 * operand path first, so a ...Path operator tests exactly like its literal twin.
 * Per the spec, a value of the wrong type makes a comparison false, never an error.
 */
import { NOT_FOUND } from '../jsonpath.js';
import { parseTimestampNanos } from './timestamp.js';
import { wildcardMatch } from './wildcard.js';

export type ValueKind = 'string' | 'number' | 'boolean' | 'timestamp';
export type OperandKind = ValueKind | 'path' | 'boolean-test';

export interface ComparisonOperator {
  name: string;
  /** What the operator's field holds in the definition. */
  operandKind: OperandKind;
  /** The kind of value compared (for ...Path operators, what the path should yield). */
  valueKind: ValueKind | undefined;
  /** Only IsPresent may look at a Variable that does not exist. */
  acceptsMissing: boolean;
  /** `variable` may be NOT_FOUND only when acceptsMissing. */
  test(variable: unknown, operand: unknown): boolean;
}

/** Orders two values of one kind, or gives undefined when either is not of that kind. */
type Order = (a: unknown, b: unknown) => number | undefined;

const ORDERS: Record<Exclude<ValueKind, 'boolean'>, Order> = {
  // JS string comparison is by UTF-16 code unit, like Java's String.compareTo that AWS cites.
  string: (a, b) => (typeof a === 'string' && typeof b === 'string' ? compare(a, b) : undefined),
  number: (a, b) => (typeof a === 'number' && typeof b === 'number' ? compare(a, b) : undefined),
  timestamp: (a, b) => {
    const x = typeof a === 'string' ? parseTimestampNanos(a) : undefined;
    const y = typeof b === 'string' ? parseTimestampNanos(b) : undefined;
    return x === undefined || y === undefined ? undefined : compare(x, y);
  },
};

function compare<T extends string | number | bigint>(a: T, b: T): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const RELATIONS: Record<string, (order: number) => boolean> = {
  Equals: (o) => o === 0,
  LessThan: (o) => o < 0,
  GreaterThan: (o) => o > 0,
  LessThanEquals: (o) => o <= 0,
  GreaterThanEquals: (o) => o >= 0,
};

const FAMILIES: Record<string, Exclude<ValueKind, 'boolean'>> = { String: 'string', Numeric: 'number', Timestamp: 'timestamp' };

const TYPE_TESTS: Record<string, (value: unknown) => boolean> = {
  IsNull: (v) => v === null,
  IsPresent: (v) => v !== NOT_FOUND,
  IsNumeric: (v) => typeof v === 'number',
  IsString: (v) => typeof v === 'string',
  IsBoolean: (v) => typeof v === 'boolean',
  IsTimestamp: (v) => typeof v === 'string' && parseTimestampNanos(v) !== undefined,
};

function buildOperators(): Map<string, ComparisonOperator> {
  const ops = new Map<string, ComparisonOperator>();
  const add = (name: string, operandKind: OperandKind, valueKind: ValueKind | undefined, test: ComparisonOperator['test']): void => {
    ops.set(name, { name, operandKind, valueKind, acceptsMissing: name === 'IsPresent', test });
  };
  const withPath = (name: string, kind: ValueKind, test: ComparisonOperator['test']): void => {
    add(name, kind, kind, test);
    add(`${name}Path`, 'path', kind, test);
  };
  for (const [family, kind] of Object.entries(FAMILIES)) {
    const order = ORDERS[kind];
    for (const [relation, holds] of Object.entries(RELATIONS)) {
      withPath(`${family}${relation}`, kind, (a, b) => {
        const o = order(a, b);
        return o !== undefined && holds(o);
      });
    }
  }
  withPath('BooleanEquals', 'boolean', (a, b) => typeof a === 'boolean' && a === b);
  add('StringMatches', 'string', 'string', (a, b) => typeof a === 'string' && typeof b === 'string' && wildcardMatch(b, a));
  for (const [name, holds] of Object.entries(TYPE_TESTS)) {
    // "IsNull": false asks for the opposite; a non-boolean operand never matches.
    add(name, 'boolean-test', undefined, (a, expected) => typeof expected === 'boolean' && holds(a) === expected);
  }
  return ops;
}

const OPERATORS = buildOperators();

/** Every comparison operator name of JSONPath-mode Choice rules. */
export const COMPARISON_OPERATORS: ReadonlySet<string> = new Set(OPERATORS.keys());

/** The operator named `op`, or undefined when it is not a comparison operator. */
export function getOperator(op: string): ComparisonOperator | undefined {
  return OPERATORS.get(op);
}

/**
 * What the field of operator `op` must hold: a literal of a kind, a reference path
 * ('path', for the ...Path operators) or a boolean for the Is... type tests ('boolean-test').
 */
export function operandKind(op: string): OperandKind | undefined {
  return OPERATORS.get(op)?.operandKind;
}
