/*
 * Evaluation of JSONPath-mode Choice rules. A Variable (or a ...Path operand) that names
 * nothing is a States.Runtime error, as on AWS, except under IsPresent, which exists to test
 * for exactly that. And/Or stop at the first deciding rule, so a later rule that would fail
 * is never evaluated (the spec: "ceasing array processing when the boolean value has been
 * unambiguously determined").
 */
import { StatesRuntime } from '../errors.js';
import { NOT_FOUND, PathSyntaxError, readReference } from '../jsonpath.js';
import type { ChoiceRule } from '../types.js';
import { COMPARISON_OPERATORS, getOperator } from './operators.js';
import type { ComparisonOperator } from './operators.js';
import { WildcardPatternError } from './wildcard.js';

/** Whether `rule` holds for the state's effective `input` (and the context object). */
export function evaluateChoiceRule(rule: ChoiceRule, input: unknown, context: unknown, variables?: Record<string, unknown>): boolean {
  if (rule.And !== undefined) return rule.And.every((r) => evaluateChoiceRule(r, input, context, variables));
  if (rule.Or !== undefined) return rule.Or.some((r) => evaluateChoiceRule(r, input, context, variables));
  if (rule.Not !== undefined) return !evaluateChoiceRule(rule.Not, input, context, variables);
  return evaluateDataTest(rule, input, context, variables);
}

/** The index of the first rule that holds, or -1 when none does. */
export function selectChoice(rules: ChoiceRule[], input: unknown, context: unknown): number {
  return rules.findIndex((rule) => evaluateChoiceRule(rule, input, context));
}

function evaluateDataTest(rule: ChoiceRule, input: unknown, context: unknown, variables?: Record<string, unknown>): boolean {
  const op = operatorOf(rule);
  if (typeof rule.Variable !== 'string') throw new StatesRuntime(`The choice rule with ${op.name} has no Variable`);
  const variable = resolve(rule.Variable, input, context, variables);
  if (variable === NOT_FOUND && !op.acceptsMissing) throw invalidPath(rule.Variable);
  let operand = rule[op.name];
  if (op.operandKind === 'path') {
    if (typeof operand !== 'string') throw new StatesRuntime(`The ${op.name} operand must be a path`);
    const path = operand;
    operand = resolve(path, input, context, variables);
    if (operand === NOT_FOUND) throw invalidPath(path);
  }
  try {
    return op.test(variable, operand);
  } catch (err) {
    if (err instanceof WildcardPatternError) throw new StatesRuntime(err.message);
    throw err;
  }
}

function operatorOf(rule: ChoiceRule): ComparisonOperator {
  const names = Object.keys(rule).filter((key) => COMPARISON_OPERATORS.has(key));
  const op = names.length === 1 ? getOperator(names[0] as string) : undefined;
  if (!op) {
    const found = names.length === 0 ? 'none' : names.join(', ');
    throw new StatesRuntime(`A choice rule must have exactly one comparison operator (found: ${found})`);
  }
  return op;
}

/** Reads a reference path from the input, the context object (`$$`) or a variable (`$name`). */
function resolve(path: string, input: unknown, context: unknown, variables?: Record<string, unknown>): unknown {
  try {
    return readReference(path, input, context, variables);
  } catch (err) {
    if (err instanceof PathSyntaxError) throw new StatesRuntime(`Invalid path '${path}': ${err.message}`);
    throw err;
  }
}

function invalidPath(path: string): StatesRuntime {
  return new StatesRuntime(`Invalid path '${path}': The choice state's condition path references an invalid value.`);
}
