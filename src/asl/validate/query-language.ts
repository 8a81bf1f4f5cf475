/*
 * JSONata support of the validator: which language a state speaks, and whether the
 * `{% ... %}` expressions it holds compile. Compiling catches syntax errors at deploy
 * time instead of in the middle of an execution.
 */
import jsonata from 'jsonata';
import type { QueryLanguage } from '../types.js';
import { at, isRecord, preview, type Ctx } from './context.js';

export const LANGUAGES: readonly QueryLanguage[] = ['JSONPath', 'JSONata'];

export function isLanguage(value: unknown): value is QueryLanguage {
  return value === 'JSONPath' || value === 'JSONata';
}

/**
 * Checks a QueryLanguage field and returns the language it sets, if valid.
 * AWS lets a JSONPath machine move state by state to JSONata, never the other way.
 */
export function checkQueryLanguage(ctx: Ctx, path: string, value: unknown): QueryLanguage | undefined {
  if (!isLanguage(value)) {
    ctx.report(path, `must be "JSONPath" or "JSONata", got ${preview(value)}`);
    return undefined;
  }
  if (value === 'JSONPath' && ctx.topLanguage === 'JSONata') {
    ctx.report(path, 'cannot be "JSONPath" when the state machine\'s QueryLanguage is "JSONata"');
    return undefined;
  }
  return value;
}

const EXPRESSION = /^\{%([\s\S]*)%\}$/;

/** True when the string is meant as a JSONata expression. */
export function isJsonataString(value: unknown): value is string {
  return typeof value === 'string' && EXPRESSION.test(value);
}

/**
 * Compiles a `{% ... %}` string and reports a syntax error. Returns false when the value is
 * not an expression at all, so callers can go on to check it as a literal.
 */
export function checkJsonataString(ctx: Ctx, path: string, value: string): boolean {
  const m = EXPRESSION.exec(value);
  if (!m) {
    if (value.trimStart().startsWith('{%')) ctx.report(path, 'a JSONata expression must fill the whole string: "{% expression %}"');
    return false;
  }
  const body = m[1] ?? '';
  if (body.trim() === '') {
    ctx.report(path, 'empty JSONata expression');
    return true;
  }
  try {
    jsonata(body);
  } catch (err) {
    ctx.report(path, `invalid JSONata expression: ${jsonataMessage(err)}`);
  }
  return true;
}

function jsonataMessage(err: unknown): string {
  if (isRecord(err) && typeof err.message === 'string') {
    return typeof err.position === 'number' ? `${err.message} (at character ${err.position})` : err.message;
  }
  return String(err);
}

const MAX_DEPTH = 100;

/**
 * Walks a JSONata-mode value (Arguments, Output, Assign values, ...), compiling every
 * expression in it. With `rejectDollarKeys`, `.$` keys are reported: they are JSONPath
 * syntax that JSONata would keep as a literal key. Only ItemSelector rejects them, since an
 * Output or Arguments object may carry such a key as plain data.
 */
export function checkJsonataTemplate(ctx: Ctx, path: string, value: unknown, rejectDollarKeys = false, depth = 0): void {
  if (depth > MAX_DEPTH) return;
  if (typeof value === 'string') {
    checkJsonataString(ctx, path, value);
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => checkJsonataTemplate(ctx, at(path, i), item, rejectDollarKeys, depth + 1));
  } else if (isRecord(value)) {
    for (const key of Object.keys(value)) {
      if (rejectDollarKeys && key.endsWith('.$')) {
        ctx.report(at(path, key), 'keys ending in ".$" are JSONPath syntax; in JSONata write the value as "{% expression %}"');
      }
      checkJsonataTemplate(ctx, at(path, key), value[key], rejectDollarKeys, depth + 1);
    }
  }
}
