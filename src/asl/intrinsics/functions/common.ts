/* Argument checks shared by the intrinsic functions; every failure is a States.IntrinsicFailure naming the function. */
import { StatesIntrinsicFailure } from '../../errors.js';
import type { Json, JsonObject } from '../../types.js';
import type { IntrinsicEnv } from '../evaluate.js';

export interface Arity {
  min: number;
  max: number;
}

export interface IntrinsicFunction {
  arity: Arity;
  impl: (args: Json[], env: IntrinsicEnv) => Json;
  /**
   * Used instead of impl when the first argument is a string literal: it gets that literal's
   * source text with escapes intact, and the remaining values (States.Format tells `\{\}` from `{}`).
   */
  rawTemplate?: (raw: string, rest: Json[], env: IntrinsicEnv) => Json;
}

/** AWS caps string inputs of Base64Encode, Base64Decode and Hash at 10,000 characters. */
export const MAX_STRING_INPUT = 10_000;

export function fail(name: string, message: string): never {
  throw new StatesIntrinsicFailure(`${name}: ${message}`);
}

export function describe(value: Json | undefined): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}

export function arg(args: Json[], index: number): Json {
  return args[index] as Json;
}

export function stringArg(name: string, args: Json[], index: number, what: string): string {
  const value = args[index];
  if (typeof value !== 'string') fail(name, `${what} must be a string, got ${describe(value)}`);
  return value;
}

export function arrayArg(name: string, args: Json[], index: number, what: string): Json[] {
  const value = args[index];
  if (!Array.isArray(value)) fail(name, `${what} must be an array, got ${describe(value)}`);
  return value;
}

export function objectArg(name: string, args: Json[], index: number, what: string): JsonObject {
  const value = args[index];
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail(name, `${what} must be an object, got ${describe(value)}`);
  return value;
}

/**
 * AWS documents that non-integer numbers are rounded to the nearest integer for these arguments.
 * Math.round rounds halves up (-2.5 -> -2) as Java's Math.round does, which AWS runs on;
 * `|| 0` turns -0 into 0.
 */
export function roundedIntegerArg(name: string, args: Json[], index: number, what: string): number {
  const value = args[index];
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(name, `${what} must be a number, got ${describe(value)}`);
  return Math.round(value) || 0;
}

export function integerArg(name: string, args: Json[], index: number, what: string): number {
  const value = args[index];
  if (typeof value !== 'number' || !Number.isInteger(value)) fail(name, `${what} must be an integer, got ${describe(value)}`);
  return value;
}

export function limitLength(name: string, value: string, what: string): string {
  if (value.length > MAX_STRING_INPUT) fail(name, `${what} must be at most ${MAX_STRING_INPUT} characters, got ${value.length}`);
  return value;
}

export function deepEqual(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => deepEqual(item, b[i] as Json));
  }
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((key) => Object.prototype.hasOwnProperty.call(b, key) && deepEqual(a[key] as Json, b[key] as Json));
}
