/*
 * JSONata mode: string values of the form "{% expression %}" are JSONata expressions,
 * evaluated with $states (input, result, errorOutput, context) and the workflow's variables
 * bound. Step Functions adds $partition, $range, $hash, $random, $uuid and $parse and removes
 * $eval; we do the same, with randomness drawn from the execution's seeded generator.
 */
import jsonata from 'jsonata';
import { StatesQueryEvaluationError } from '../errors.js';
import { INTRINSIC_FUNCTIONS, type IntrinsicFunction } from '../intrinsics/index.js';
import type { Json } from '../types.js';
import { nextRandom } from './random.js';

type Expression = ReturnType<typeof jsonata>;

const compiled = new Map<string, Expression>();

export function isExpression(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith('{%') && value.endsWith('%}');
}

function compile(source: string): Expression {
  let expr = compiled.get(source);
  if (!expr) {
    try {
      expr = jsonata(source.slice(2, -2));
    } catch (err) {
      throw new StatesQueryEvaluationError(`Invalid JSONata expression ${source}: ${(err as Error).message}`);
    }
    if (compiled.size > 10_000) compiled.clear();
    compiled.set(source, expr);
  }
  return expr;
}

export interface JsonataEnv {
  states: { input: Json; context: unknown; result?: Json; errorOutput?: Json };
  variables: Record<string, Json>;
  random: () => number;
}

/** Step Functions' own JSONata functions, each the same code as its intrinsic twin. */
function bindings(env: JsonataEnv): Record<string, unknown> {
  const intrinsicEnv = { input: env.states.input, context: env.states.context, random: env.random };
  const call = (name: string, args: Json[]) => (INTRINSIC_FUNCTIONS.get(name) as IntrinsicFunction).impl(args, intrinsicEnv);
  return {
    ...env.variables,
    states: env.states,
    partition: (array: Json, size: Json) => call('States.ArrayPartition', [array, size]),
    range: (start: Json, end: Json, step: Json) => call('States.ArrayRange', [start, end, step]),
    hash: (data: Json, algorithm: Json) => call('States.Hash', [data, algorithm]),
    random: (seed?: number) => (seed === undefined ? env.random() : nextRandom(seed).value),
    uuid: () => call('States.UUID', []),
    parse: (text: string) => JSON.parse(text) as unknown,
    eval: () => {
      throw new Error('$eval is not supported; use $parse');
    },
  };
}

/** Evaluates one expression string; `field` names where it sits, for the error message. */
export async function evaluateExpression(source: string, env: JsonataEnv, field: string): Promise<Json | undefined> {
  const expr = compile(source);
  let value: unknown;
  try {
    value = await expr.evaluate(null, bindings(env));
  } catch (err) {
    const e = err as { message?: string; code?: string };
    throw new StatesQueryEvaluationError(`An error occurred while evaluating the expression ${source} in field '${field}': ${e.message ?? String(err)}`);
  }
  return normalize(value);
}

/** jsonata returns arrays with extra markers (sequences) and may return functions: make plain JSON. */
function normalize(value: unknown): Json | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'function') return undefined;
  if (typeof value === 'number' && !Number.isFinite(value)) throw new StatesQueryEvaluationError('expression evaluated to a non-finite number');
  if (Array.isArray(value)) return value.map((v) => normalize(v) ?? null);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, Json> = {};
    for (const [k, v] of Object.entries(value)) {
      const n = normalize(v);
      if (n !== undefined) out[k] = n;
    }
    return out;
  }
  return value as Json;
}

/**
 * Evaluates a template: every "{% %}" string inside objects and arrays is replaced by its
 * value; object fields whose expression yields nothing are left out.
 */
export async function evaluateTemplate(template: Json, env: JsonataEnv, field: string): Promise<Json | undefined> {
  if (isExpression(template)) return evaluateExpression(template, env, field);
  if (Array.isArray(template)) {
    const out: Json[] = [];
    for (const [i, item] of template.entries()) out.push((await evaluateTemplate(item, env, `${field}[${i}]`)) ?? null);
    return out;
  }
  if (template !== null && typeof template === 'object') {
    const out: Record<string, Json> = {};
    for (const [key, value] of Object.entries(template)) {
      const v = await evaluateTemplate(value, env, `${field}.${key}`);
      if (v !== undefined) out[key] = v;
    }
    return out;
  }
  return template;
}

/** Like evaluateTemplate, for fields that must produce a value. */
export async function requireTemplate(template: Json, env: JsonataEnv, field: string): Promise<Json> {
  const value = await evaluateTemplate(template, env, field);
  if (value === undefined) throw new StatesQueryEvaluationError(`The JSONata expression in field '${field}' returned no value`);
  return value;
}
