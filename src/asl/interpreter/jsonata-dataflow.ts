/*
 * JSONata mode: string values of the form "{% expression %}" are JSONata expressions,
 * evaluated with $states (input, result, errorOutput, context) and the workflow's variables
 * bound. Step Functions adds $partition, $range, $hash, $random, $uuid and $parse and removes
 * $eval; we do the same, with randomness drawn from the execution's seeded generator.
 */
import { createHash } from 'node:crypto';
import jsonata from 'jsonata';
import { StatesQueryEvaluationError } from '../errors.js';
import type { Json } from '../types.js';

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

function bindings(env: JsonataEnv): Record<string, unknown> {
  return {
    ...env.variables,
    states: env.states,
    partition: (array: unknown[], size: number) => {
      if (!Array.isArray(array) || !Number.isInteger(size) || size <= 0) throw new Error('$partition expects an array and a positive integer size');
      const out: unknown[][] = [];
      for (let i = 0; i < array.length; i += size) out.push(array.slice(i, i + size));
      return out;
    },
    range: (start: number, end: number, step: number) => {
      if (![start, end, step].every(Number.isInteger) || step === 0) throw new Error('$range expects integers and a non-zero step');
      const out: number[] = [];
      for (let i = start; step > 0 ? i <= end : i >= end; i += step) {
        out.push(i);
        if (out.length > 1000) throw new Error('$range result exceeds 1000 elements');
      }
      return out;
    },
    hash: (data: string, algorithm: string) => {
      const algos: Record<string, string> = { MD5: 'md5', 'SHA-1': 'sha1', 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };
      const algo = algos[algorithm];
      if (!algo) throw new Error(`$hash: unsupported algorithm "${algorithm}"`);
      return createHash(algo).update(String(data)).digest('hex');
    },
    random: (seed?: number) => (seed === undefined ? env.random() : seededRandom(seed)),
    uuid: () => uuidFrom(env.random),
    parse: (text: string) => JSON.parse(text) as unknown,
    eval: () => {
      throw new Error('$eval is not supported; use $parse');
    },
  };
}

function seededRandom(seed: number): number {
  let t = (seed + 0x6d2b79f5) | 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

function uuidFrom(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16));
  hex[12] = '4';
  hex[16] = ((parseInt(hex[16] as string, 16) & 0x3) | 0x8).toString(16);
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
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
