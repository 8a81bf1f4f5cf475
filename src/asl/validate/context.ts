/*
 * Shared plumbing of the validator: where problems are collected and how paths are written.
 * Paths read like the definition itself (`States.Par.Branches[0].States.X.Next`) so that a
 * user can find the offending field without line numbers.
 */
import type { QueryLanguage } from '../types.js';

export interface ValidationProblem {
  /** Where the problem is, e.g. `States.Split.Next` or `StartAt`. */
  path: string;
  message: string;
}

export type JsonRecord = Record<string, unknown>;

export class Ctx {
  readonly problems: ValidationProblem[] = [];
  /** Every state name of the definition, nested ones included, with the paths defining it. */
  readonly stateNames = new Map<string, string[]>();
  /** The machine's own QueryLanguage: a JSONata machine may not fall back to JSONPath anywhere. */
  topLanguage: QueryLanguage = 'JSONPath';

  report(path: string, message: string): void {
    this.problems.push({ path, message });
  }
}

/** One state machine body: the top level, a Parallel branch or a Map processor. */
export interface Scope {
  /** Prefix of this machine's paths: '' at the top, 'States.P.Branches[0].' below. */
  prefix: string;
  states: JsonRecord;
  /** Language of states that do not set QueryLanguage themselves. */
  language: QueryLanguage;
  /** How deep the machine is nested, to stop on absurd (or cyclic) shapes. */
  depth: number;
}

/** The state being validated, with its effective query language. */
export interface StateCtx {
  ctx: Ctx;
  scope: Scope;
  /** Path of the state itself, e.g. `States.Split`. */
  path: string;
  state: JsonRecord;
  lang: QueryLanguage;
  /**
   * Validates a nested machine body (Parallel branch, Map processor) as its own scope.
   * Passed in rather than imported so that the state checks do not import the machine walk.
   */
  nested: (path: string, value: unknown, extraFields?: readonly string[]) => void;
}

export function at(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function has(obj: JsonRecord, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key);
}

/** For messages: what the value is, in JSON terms. */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'object':
      return 'an object';
    case 'string':
      return 'a string';
    case 'number':
      return Number.isInteger(value) ? 'an integer' : 'a number';
    case 'boolean':
      return 'a boolean';
    default:
      return typeof value;
  }
}

/** For messages: the value itself when short, else its kind. */
export function preview(value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    text = undefined;
  }
  return text !== undefined && text.length <= 60 ? text : kindOf(value);
}
