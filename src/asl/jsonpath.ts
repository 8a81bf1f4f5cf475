/*
 * JSONPath as ASL uses it.
 *
 * ASL has two kinds of paths: a Path may select many nodes (wildcards, filters, slices,
 * recursive descent) and yields an array then; a Reference Path names exactly one node
 * (only keys and indexes) and is what ResultPath, Choice Variable and the *Path fields take.
 * Definite paths are compiled once into a list of keys and read without a library, since
 * they are on the hot path of every state; the rest goes to jsonpath-plus.
 */
import { JSONPath } from 'jsonpath-plus';
import type { Json } from './types.js';

type Segment = string | number;

export interface CompiledPath {
  source: string;
  /** Definite: a list of keys and indexes. Undefined for paths that may select many nodes. */
  segments: Segment[] | undefined;
}

export class PathSyntaxError extends Error {}

const cache = new Map<string, CompiledPath>();

/** Compiles a path starting with `$` (the caller strips a leading `$` of a `$$` context path). */
export function compilePath(path: string): CompiledPath {
  let compiled = cache.get(path);
  if (!compiled) {
    compiled = { source: path, segments: parseDefinite(path) };
    if (cache.size > 10_000) cache.clear();
    cache.set(path, compiled);
  }
  return compiled;
}

function parseDefinite(path: string): Segment[] | undefined {
  if (!path.startsWith('$')) throw new PathSyntaxError(`path "${path}" must start with "$"`);
  const segments: Segment[] = [];
  let i = 1;
  while (i < path.length) {
    const c = path[i];
    if (c === '.') {
      if (path[i + 1] === '.' || path[i + 1] === '*') return checkIndefinite(path);
      let j = i + 1;
      while (j < path.length && path[j] !== '.' && path[j] !== '[') j++;
      const key = path.slice(i + 1, j);
      if (key === '') throw new PathSyntaxError(`path "${path}" has an empty key at position ${i}`);
      if (/[\s()?'"\]]/.test(key)) throw new PathSyntaxError(`path "${path}" has an invalid key "${key}"`);
      segments.push(key);
      i = j;
    } else if (c === '[') {
      const q = path[i + 1];
      if (q === "'" || q === '"') {
        let j = i + 2;
        let key = '';
        while (j < path.length && path[j] !== q) {
          if (path[j] === '\\' && j + 1 < path.length) j++;
          key += path[j];
          j++;
        }
        if (path[j] !== q || path[j + 1] !== ']') throw new PathSyntaxError(`path "${path}" has an unclosed quoted key`);
        segments.push(key);
        i = j + 2;
      } else {
        const end = path.indexOf(']', i);
        if (end < 0) throw new PathSyntaxError(`path "${path}" has an unclosed "["`);
        const inner = path.slice(i + 1, end).trim();
        if (/^-?\d+$/.test(inner)) {
          const index = Number(inner);
          if (index < 0) return checkIndefinite(path);
          segments.push(index);
          i = end + 1;
        } else if (inner === '*' || inner.startsWith('?') || inner.includes(':') || inner.includes(',') || inner.startsWith('(')) {
          return checkIndefinite(path);
        } else {
          throw new PathSyntaxError(`path "${path}" has an invalid subscript "[${inner}]"`);
        }
      }
    } else {
      throw new PathSyntaxError(`path "${path}" has an unexpected "${c}" at position ${i}`);
    }
  }
  return segments;
}

function checkIndefinite(path: string): undefined {
  let depth = 0;
  let quote = '';
  for (const c of path) {
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '[' || c === '(') depth++;
    else if (c === ']' || c === ')') depth--;
    if (depth < 0) break;
  }
  if (depth !== 0 || quote) throw new PathSyntaxError(`path "${path}" has unbalanced brackets or quotes`);
  return undefined;
}

/** True when `path` is a syntactically valid ASL Path. */
export function isValidPath(path: string): boolean {
  try {
    compilePath(path);
    return true;
  } catch {
    return false;
  }
}

/** True when `path` is a valid Reference Path (names one node). */
export function isReferencePath(path: string): boolean {
  try {
    return compilePath(path).segments !== undefined;
  } catch {
    return false;
  }
}

export const NOT_FOUND: unique symbol = Symbol('not found');

/**
 * Reads `path` from `data`. Definite paths yield the node or NOT_FOUND; indefinite paths
 * yield the array of matches (possibly empty), as AWS does.
 */
export function readPath(data: unknown, path: string): unknown {
  const compiled = compilePath(path);
  const segments = compiled.segments;
  if (!segments) {
    return JSONPath({ path, json: data as object, wrap: true }) as Json[];
  }
  let node: unknown = data;
  for (const seg of segments) {
    if (typeof seg === 'number') {
      if (!Array.isArray(node) || seg >= node.length) return NOT_FOUND;
      node = node[seg];
    } else {
      if (node === null || typeof node !== 'object' || Array.isArray(node) || !Object.prototype.hasOwnProperty.call(node, seg)) return NOT_FOUND;
      node = (node as Record<string, unknown>)[seg];
    }
  }
  return node;
}

/**
 * Returns a copy of `input` with `result` placed at the reference path `path`, creating the
 * objects on the way. Only the objects along the path are copied, never the rest of the input.
 * Returns an Error message (string) when the path runs into a value that is not an object.
 */
export function placeAtPath(input: unknown, path: string, result: unknown): { value: unknown } | { problem: string } {
  const segments = compilePath(path).segments;
  if (!segments) return { problem: `ResultPath "${path}" is not a reference path` };
  if (segments.length === 0) return { value: result };
  const place = (node: unknown, depth: number): unknown => {
    const seg = segments[depth] as Segment;
    const last = depth === segments.length - 1;
    if (typeof seg === 'number') {
      if (!Array.isArray(node) || seg >= node.length) throw new PlaceProblem(path);
      const copy = node.slice();
      copy[seg] = last ? result : place(copy[seg], depth + 1);
      return copy;
    }
    if (node === undefined) node = {};
    if (node === null || typeof node !== 'object' || Array.isArray(node)) throw new PlaceProblem(path);
    const copy: Record<string, unknown> = { ...(node as Record<string, unknown>) };
    copy[seg] = last ? result : place(copy[seg], depth + 1);
    return copy;
  };
  try {
    return { value: place(input, 0) };
  } catch (err) {
    if (err instanceof PlaceProblem) return { problem: err.message };
    throw err;
  }
}

class PlaceProblem extends Error {
  constructor(path: string) {
    super(`Unable to apply ResultPath "${path}": the input does not hold an object where the path leads`);
  }
}

const VARIABLE = /^\$([A-Za-z_][A-Za-z0-9_]*)/;

/**
 * Reads a path that may start with `$$` (the context object) or `$name` (a workflow
 * variable, e.g. `$customer.address`), else from `input`.
 */
export function readReference(path: string, input: unknown, context: unknown, variables?: Record<string, unknown>): unknown {
  if (path.startsWith('$$')) return readPath(context, path.slice(1));
  const variable = variables ? VARIABLE.exec(path) : null;
  if (variable && variables) {
    const name = variable[1] as string;
    if (!Object.prototype.hasOwnProperty.call(variables, name)) return NOT_FOUND;
    return readPath(variables[name], `$${path.slice(variable[0].length)}`);
  }
  return readPath(input, path);
}
