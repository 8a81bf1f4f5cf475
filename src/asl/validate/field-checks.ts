/* Small checks that many fields share: exclusive pairs and numbers that JSONata may compute. */
import type { QueryLanguage } from '../types.js';
import { at, has, preview, type Ctx, type JsonRecord } from './context.js';
import { checkJsonataString } from './query-language.js';

/** Reports `b` when `obj` has both: the two fields say the same thing two ways. */
export function exclusive(ctx: Ctx, path: string, obj: JsonRecord, a: string, b: string): void {
  if (has(obj, a) && has(obj, b)) ctx.report(at(path, b), `cannot be combined with "${a}"`);
}

/**
 * Checks a field that takes a literal (a number, a timestamp, ...) or, in JSONata states,
 * an expression that will compute it.
 */
export function checkLiteralOrExpression(
  ctx: Ctx,
  path: string,
  value: unknown,
  lang: QueryLanguage,
  ok: (v: unknown) => boolean,
  what: string,
): void {
  if (lang === 'JSONata' && typeof value === 'string' && checkJsonataString(ctx, path, value)) return;
  if (ok(value)) return;
  const alternative = lang === 'JSONata' ? ' or a JSONata expression "{% ... %}"' : '';
  ctx.report(path, `must be ${what}${alternative}, got ${preview(value)}`);
}

/** Checks `obj[field]` with checkLiteralOrExpression when present. */
export function checkOptional(
  ctx: Ctx,
  path: string,
  obj: JsonRecord,
  field: string,
  lang: QueryLanguage,
  ok: (v: unknown) => boolean,
  what: string,
): void {
  if (has(obj, field)) checkLiteralOrExpression(ctx, at(path, field), obj[field], lang, ok, what);
}

export function unknownKeys(ctx: Ctx, path: string, obj: JsonRecord, allowed: readonly string[], what: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) ctx.report(at(path, key), `unknown field "${key}" in ${what}`);
  }
}
