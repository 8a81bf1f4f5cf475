/* Fail: an error name and a cause, each given literally or read from the input. */
import { checkIntrinsic } from '../intrinsics/parse.js';
import { at, has, kindOf, type StateCtx } from './context.js';
import { checkOptional, exclusive } from './field-checks.js';
import { checkPathField } from './paths.js';

export function checkFail(sc: StateCtx): void {
  const { ctx, state, path, lang } = sc;
  for (const field of ['Error', 'Cause']) {
    checkOptional(ctx, path, state, field, lang, (v) => typeof v === 'string', 'a string');
    if (lang !== 'JSONPath') continue;
    const pathField = `${field}Path`;
    exclusive(ctx, path, state, field, pathField);
    if (!has(state, pathField)) continue;
    const value = state[pathField];
    // AWS accepts an intrinsic call here too, e.g. States.Format('{}: {}', $.a, $.b).
    if (typeof value === 'string' && value.trim().startsWith('States.')) {
      const problem = checkIntrinsic(value.trim());
      if (problem) ctx.report(at(path, pathField), problem);
    } else if (typeof value !== 'string') {
      ctx.report(at(path, pathField), `must be a reference path or an intrinsic function call, got ${kindOf(value)}`);
    } else {
      checkPathField(ctx, at(path, pathField), value, { reference: true, external: true });
    }
  }
}
