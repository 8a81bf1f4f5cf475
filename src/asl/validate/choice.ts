/*
 * Choice rules. In JSONPath a rule is a boolean tree (And/Or/Not) whose leaves compare a
 * Variable with one operator; in JSONata a rule is a single Condition expression. Only
 * top-level rules transition, so only they may carry Next (and Assign/Output).
 */
import { at, has, isRecord, kindOf, preview, type StateCtx } from './context.js';
import { checkAssign } from './assign.js';
import { checkPathField } from './paths.js';
import { checkJsonataString, checkJsonataTemplate } from './query-language.js';
import { checkTarget } from './transitions.js';
import { isTimestamp } from './values.js';

type OperandCheck = { ok: (v: unknown) => boolean; what: string } | 'path';

const isString = { ok: (v: unknown) => typeof v === 'string', what: 'a string' };
const isNumber = { ok: (v: unknown) => typeof v === 'number', what: 'a number' };
const isBoolean = { ok: (v: unknown) => typeof v === 'boolean', what: 'a boolean' };
const isTime = { ok: isTimestamp, what: 'an RFC 3339 timestamp string such as "2024-01-31T12:00:00Z"' };

function withPaths(prefix: string, names: string[], operand: OperandCheck): [string, OperandCheck][] {
  return names.flatMap((n) => [
    [prefix + n, operand],
    [`${prefix}${n}Path`, 'path'],
  ]);
}

const COMPARISONS = ['Equals', 'LessThan', 'GreaterThan', 'LessThanEquals', 'GreaterThanEquals'];

const OPERATORS = new Map<string, OperandCheck>([
  ...withPaths('String', COMPARISONS, isString),
  ['StringMatches', isString],
  ...withPaths('Numeric', COMPARISONS, isNumber),
  ...withPaths('Boolean', ['Equals'], isBoolean),
  ...withPaths('Timestamp', COMPARISONS, isTime),
  ...['IsNull', 'IsPresent', 'IsNumeric', 'IsString', 'IsBoolean', 'IsTimestamp'].map((n): [string, OperandCheck] => [n, isBoolean]),
]);

const BOOLEANS = ['And', 'Or', 'Not'];
const TOP_LEVEL_EXTRAS = { JSONPath: ['Next', 'Assign', 'Comment'], JSONata: ['Next', 'Assign', 'Output', 'Comment'] };

export function checkChoices(sc: StateCtx): void {
  const path = at(sc.path, 'Choices');
  const choices = sc.state.Choices;
  if (choices === undefined) {
    sc.ctx.report(path, 'missing: a Choice state needs a non-empty Choices array');
    return;
  }
  if (!Array.isArray(choices) || choices.length === 0) {
    sc.ctx.report(path, 'must be a non-empty array of choice rules');
    return;
  }
  choices.forEach((rule, i) => checkTopRule(sc, at(path, i), rule));
}

function checkTopRule(sc: StateCtx, path: string, rule: unknown): void {
  if (!isRecord(rule)) {
    sc.ctx.report(path, `a choice rule must be an object, got ${kindOf(rule)}`);
    return;
  }
  if (!has(rule, 'Next')) sc.ctx.report(at(path, 'Next'), 'missing: a top-level choice rule needs "Next"');
  else checkTarget(sc, at(path, 'Next'), rule.Next);
  if (has(rule, 'Assign')) checkAssign(sc.ctx, at(path, 'Assign'), rule.Assign, sc.lang);
  if (sc.lang === 'JSONata') {
    if (has(rule, 'Output')) checkJsonataTemplate(sc.ctx, at(path, 'Output'), rule.Output);
    checkConditionRule(sc, path, rule);
  } else {
    checkRule(sc, path, rule, 0);
  }
}

function checkConditionRule(sc: StateCtx, path: string, rule: Record<string, unknown>): void {
  const allowed = new Set(['Condition', ...TOP_LEVEL_EXTRAS.JSONata]);
  for (const key of Object.keys(rule)) {
    if (allowed.has(key)) continue;
    const hint = key === 'Variable' || OPERATORS.has(key) || BOOLEANS.includes(key) ? ' (JSONata choice rules use "Condition" instead)' : '';
    sc.ctx.report(at(path, key), `"${key}" is not allowed in a choice rule of a JSONata state${hint}`);
  }
  const condition = rule.Condition;
  if (condition === undefined) {
    sc.ctx.report(at(path, 'Condition'), 'missing: a JSONata choice rule needs "Condition"');
  } else if (typeof condition === 'string') {
    if (!checkJsonataString(sc.ctx, at(path, 'Condition'), condition)) {
      sc.ctx.report(at(path, 'Condition'), 'must be a JSONata expression "{% ... %}" or a boolean');
    }
  } else if (typeof condition !== 'boolean') {
    sc.ctx.report(at(path, 'Condition'), `must be a JSONata expression "{% ... %}" or a boolean, got ${kindOf(condition)}`);
  }
}

const MAX_DEPTH = 100;

function checkRule(sc: StateCtx, path: string, rule: Record<string, unknown>, depth: number): void {
  if (depth > MAX_DEPTH) return;
  const keys = Object.keys(rule);
  const operators = keys.filter((k) => OPERATORS.has(k));
  const booleans = keys.filter((k) => BOOLEANS.includes(k));
  // A misplaced or misspelt key is likely the operator meant; "no operator" would only repeat it.
  let misplaced = 0;
  for (const key of keys) {
    if (OPERATORS.has(key) || BOOLEANS.includes(key) || key === 'Variable') continue;
    if (key === 'Comment') {
      if (typeof rule.Comment !== 'string') sc.ctx.report(at(path, key), 'must be a string');
    } else if (depth === 0 && TOP_LEVEL_EXTRAS.JSONPath.includes(key)) {
      continue;
    } else if (depth > 0 && (key === 'Next' || key === 'Assign')) {
      sc.ctx.report(at(path, key), `a nested choice rule (inside And, Or or Not) cannot have "${key}"`);
    } else if (key === 'Condition' || key === 'Output') {
      misplaced++;
      sc.ctx.report(at(path, key), `"${key}" is only allowed in JSONata choice rules; JSONPath rules compare a Variable`);
    } else {
      misplaced++;
      sc.ctx.report(at(path, key), `unknown comparison operator or field "${key}"`);
    }
  }

  if (booleans.length > 0) {
    if (booleans.length > 1) sc.ctx.report(at(path, booleans[1] as string), `cannot be combined with "${booleans[0]}" in one rule`);
    if (has(rule, 'Variable')) sc.ctx.report(at(path, 'Variable'), `cannot be combined with "${booleans[0]}"`);
    for (const op of operators) sc.ctx.report(at(path, op), `cannot be combined with "${booleans[0]}"`);
    for (const b of booleans) checkBoolean(sc, at(path, b), b, rule[b], depth);
    return;
  }

  if (!has(rule, 'Variable')) {
    if (misplaced === 0 || operators.length > 0) sc.ctx.report(at(path, 'Variable'), 'missing: a choice rule needs And, Or, Not, or a Variable with a comparison operator');
  } else {
    checkPathField(sc.ctx, at(path, 'Variable'), rule.Variable, { reference: true, external: true });
  }
  if (operators.length === 0) {
    if (has(rule, 'Variable') && misplaced === 0) sc.ctx.report(at(path, 'Variable'), 'is compared with nothing: add one comparison operator (StringEquals, NumericLessThan, IsPresent, ...)');
    return;
  }
  for (const extra of operators.slice(1)) sc.ctx.report(at(path, extra), `a choice rule has exactly one comparison operator; "${operators[0]}" is already there`);
  for (const op of operators) checkOperand(sc, at(path, op), op, rule[op]);
}

function checkBoolean(sc: StateCtx, path: string, op: string, value: unknown, depth: number): void {
  if (op === 'Not') {
    if (!isRecord(value)) sc.ctx.report(path, `must be a choice rule object, got ${kindOf(value)}`);
    else checkRule(sc, path, value, depth + 1);
    return;
  }
  if (!Array.isArray(value) || value.length === 0) {
    sc.ctx.report(path, 'must be a non-empty array of choice rules');
    return;
  }
  value.forEach((inner, i) => {
    if (!isRecord(inner)) sc.ctx.report(at(path, i), `a choice rule must be an object, got ${kindOf(inner)}`);
    else checkRule(sc, at(path, i), inner, depth + 1);
  });
}

function checkOperand(sc: StateCtx, path: string, op: string, value: unknown): void {
  const check = OPERATORS.get(op);
  if (check === undefined) return;
  if (check === 'path') {
    checkPathField(sc.ctx, path, value, { reference: true, external: true });
  } else if (!check.ok(value)) {
    sc.ctx.report(path, `${op} needs ${check.what}, got ${preview(value)}`);
  }
}
