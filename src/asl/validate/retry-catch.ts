/*
 * Retry and Catch. Both are ordered lists tried first to last, which is why States.ALL,
 * the catch-all, may only stand alone in the last entry: anything after it could never match.
 */
import { at, has, isRecord, kindOf, preview, type StateCtx } from './context.js';
import { checkAssign } from './assign.js';
import { checkPathField } from './paths.js';
import { checkJsonataTemplate } from './query-language.js';
import { checkTarget } from './transitions.js';
import { MAX_RETRY_ATTEMPTS } from '../limits.js';
import { isNonNegativeInteger, isTimerSeconds, TIMER_SECONDS } from './values.js';

const RETRIER_FIELDS = new Set(['ErrorEquals', 'IntervalSeconds', 'MaxAttempts', 'BackoffRate', 'MaxDelaySeconds', 'JitterStrategy', 'Comment']);
const CATCHER_FIELDS = {
  JSONPath: new Set(['ErrorEquals', 'Next', 'ResultPath', 'Assign', 'Comment']),
  JSONata: new Set(['ErrorEquals', 'Next', 'Output', 'Assign', 'Comment']),
};

export function checkRetry(sc: StateCtx, path: string, value: unknown): void {
  if (!Array.isArray(value)) {
    sc.ctx.report(path, `must be an array of retriers, got ${kindOf(value)}`);
    return;
  }
  value.forEach((retrier, i) => {
    const p = at(path, i);
    if (!isRecord(retrier)) {
      sc.ctx.report(p, `a retrier must be an object, got ${kindOf(retrier)}`);
      return;
    }
    unknownFields(sc, p, retrier, RETRIER_FIELDS, 'a retrier');
    checkErrorEquals(sc, at(p, 'ErrorEquals'), retrier, i === value.length - 1);
    const r = (field: string, ok: (v: unknown) => boolean, what: string): void => {
      if (has(retrier, field) && !ok(retrier[field])) sc.ctx.report(at(p, field), `must be ${what}, got ${preview(retrier[field])}`);
    };
    r('IntervalSeconds', isTimerSeconds, TIMER_SECONDS);
    r('MaxAttempts', (v) => isNonNegativeInteger(v) && v <= MAX_RETRY_ATTEMPTS, `a non-negative integer of at most ${MAX_RETRY_ATTEMPTS}`);
    r('BackoffRate', (v) => typeof v === 'number' && v >= 1, 'a number >= 1.0');
    r('MaxDelaySeconds', isTimerSeconds, TIMER_SECONDS);
    r('JitterStrategy', (v) => v === 'FULL' || v === 'NONE', '"FULL" or "NONE"');
    r('Comment', (v) => typeof v === 'string', 'a string');
  });
}

export function checkCatch(sc: StateCtx, path: string, value: unknown): void {
  if (!Array.isArray(value)) {
    sc.ctx.report(path, `must be an array of catchers, got ${kindOf(value)}`);
    return;
  }
  value.forEach((catcher, i) => {
    const p = at(path, i);
    if (!isRecord(catcher)) {
      sc.ctx.report(p, `a catcher must be an object, got ${kindOf(catcher)}`);
      return;
    }
    unknownFields(sc, p, catcher, CATCHER_FIELDS[sc.lang], 'a catcher');
    checkErrorEquals(sc, at(p, 'ErrorEquals'), catcher, i === value.length - 1);
    if (!has(catcher, 'Next')) sc.ctx.report(at(p, 'Next'), 'missing: a catcher needs "Next"');
    else checkTarget(sc, at(p, 'Next'), catcher.Next);
    if (sc.lang === 'JSONPath' && has(catcher, 'ResultPath')) {
      checkPathField(sc.ctx, at(p, 'ResultPath'), catcher.ResultPath, { reference: true, nullable: true });
    }
    if (sc.lang === 'JSONata' && has(catcher, 'Output')) checkJsonataTemplate(sc.ctx, at(p, 'Output'), catcher.Output);
    if (has(catcher, 'Assign')) checkAssign(sc.ctx, at(p, 'Assign'), catcher.Assign, sc.lang);
    if (has(catcher, 'Comment') && typeof catcher.Comment !== 'string') sc.ctx.report(at(p, 'Comment'), 'must be a string');
  });
}

function checkErrorEquals(sc: StateCtx, path: string, rule: Record<string, unknown>, isLast: boolean): void {
  const errors = rule.ErrorEquals;
  if (errors === undefined) {
    sc.ctx.report(path, 'missing: ErrorEquals must be a non-empty array of error names');
    return;
  }
  if (!Array.isArray(errors) || errors.length === 0) {
    sc.ctx.report(path, 'must be a non-empty array of error names');
    return;
  }
  errors.forEach((name, j) => {
    if (typeof name !== 'string' || name === '') sc.ctx.report(at(path, j), `must be a non-empty string, got ${preview(name)}`);
  });
  if (errors.includes('States.ALL')) {
    if (errors.length > 1) sc.ctx.report(path, '"States.ALL" must appear alone in its ErrorEquals');
    if (!isLast) sc.ctx.report(path, '"States.ALL" must be in the last retrier or catcher');
  }
}

function unknownFields(sc: StateCtx, path: string, obj: Record<string, unknown>, allowed: Set<string>, what: string): void {
  for (const key of Object.keys(obj)) {
    if (allowed.has(key)) continue;
    const otherLanguage = sc.lang === 'JSONPath' ? CATCHER_FIELDS.JSONata : CATCHER_FIELDS.JSONPath;
    if (what === 'a catcher' && otherLanguage.has(key)) {
      sc.ctx.report(at(path, key), `"${key}" is not allowed in a catcher of a ${sc.lang} state`);
    } else {
      sc.ctx.report(at(path, key), `unknown field "${key}" in ${what}`);
    }
  }
}
