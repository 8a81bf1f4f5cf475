/*
 * JSONPath-mode checks: Paths, Reference Paths and Payload Templates (Parameters,
 * ResultSelector, ItemSelector, Assign). Besides `$` paths, ASL reads `$$.` paths from the
 * context object and, since workflow variables, `$name...` paths from a variable.
 */
import { checkIntrinsic } from '../intrinsics/parse.js';
import { isReferencePath, isValidPath } from '../jsonpath.js';
import { at, has, isRecord, kindOf, type Ctx } from './context.js';

export interface PathRules {
  /** Only keys and indexes: the path names exactly one node. */
  reference?: boolean;
  /** `$$.` context paths and `$variable` paths are fine (not for ResultPath, which writes). */
  external?: boolean;
}

const VARIABLE_PATH = /^\$([\p{ID_Start}_][\p{ID_Continue}]*)/u;

/** Returns what is wrong with the path, or undefined. */
export function pathProblem(text: string, rules: PathRules): string | undefined {
  let path = text;
  if (text.startsWith('$$')) {
    if (!rules.external) return `"${text}": a context path ("$$") is not allowed here`;
    path = text.slice(1);
  } else {
    const variable = VARIABLE_PATH.exec(text);
    if (variable) {
      if (!rules.external) return `"${text}": a variable is not allowed here`;
      path = '$' + text.slice(variable[0].length);
    }
  }
  if (!isValidPath(path)) return `"${text}" is not a valid JSONPath`;
  if (rules.reference && !isReferencePath(path)) {
    return `"${text}" is not a reference path (only keys and array indexes, no wildcards, filters or slices)`;
  }
  return undefined;
}

/** Checks a field that holds a path string (or null, when `nullable`). */
export function checkPathField(ctx: Ctx, path: string, value: unknown, rules: PathRules & { nullable?: boolean }): void {
  if (value === null && rules.nullable) return;
  if (typeof value !== 'string') {
    ctx.report(path, `must be a ${rules.reference ? 'reference path' : 'path'} string${rules.nullable ? ' or null' : ''}, got ${kindOf(value)}`);
    return;
  }
  const problem = pathProblem(value, rules);
  if (problem) ctx.report(path, problem);
}

/** The value of a `.$` key, or of ErrorPath/CausePath: a path or an intrinsic function call. */
export function checkDynamicValue(ctx: Ctx, path: string, value: unknown): void {
  if (typeof value !== 'string') {
    ctx.report(path, `must be a string (a path, a "$$." context path or an intrinsic function call), got ${kindOf(value)}`);
    return;
  }
  const text = value.trim();
  if (text.startsWith('States.')) {
    const problem = checkIntrinsic(text);
    if (problem) ctx.report(path, problem);
  } else if (text.startsWith('$')) {
    const problem = pathProblem(text, { external: true });
    if (problem) ctx.report(path, problem);
  } else {
    ctx.report(path, `"${value}" is neither a path (starting with "$") nor an intrinsic function call (States.*)`);
  }
}

const MAX_DEPTH = 100;

/** Walks a Payload Template, checking every `.$` value, in nested objects and arrays too. */
export function checkPayloadTemplate(ctx: Ctx, path: string, value: unknown, depth = 0): void {
  if (depth > MAX_DEPTH) return;
  if (Array.isArray(value)) {
    value.forEach((item, i) => checkPayloadTemplate(ctx, at(path, i), item, depth + 1));
    return;
  }
  if (!isRecord(value)) return;
  for (const key of Object.keys(value)) {
    const child = at(path, key);
    if (key.endsWith('.$')) {
      if (has(value, key.slice(0, -2))) ctx.report(child, `duplicates the field "${key.slice(0, -2)}" (both would set the same key)`);
      checkDynamicValue(ctx, child, value[key]);
    } else {
      checkPayloadTemplate(ctx, child, value[key], depth + 1);
    }
  }
}

/** ResultSelector and friends must be objects; Parameters of Pass/Task may be any JSON. */
export function checkObjectTemplate(ctx: Ctx, path: string, value: unknown): void {
  if (!isRecord(value)) {
    ctx.report(path, `must be an object, got ${kindOf(value)}`);
    return;
  }
  checkPayloadTemplate(ctx, path, value);
}
