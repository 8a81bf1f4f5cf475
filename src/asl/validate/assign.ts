/*
 * Assign: workflow variables set by a state, a Choice rule or a Catcher. In JSONPath mode
 * the values form a Payload Template; in JSONata mode they may hold `{% %}` expressions.
 */
import type { QueryLanguage } from '../types.js';
import { at, isRecord, kindOf, type Ctx } from './context.js';
import { checkPayloadTemplate } from './paths.js';
import { checkJsonataTemplate } from './query-language.js';

// Names are Unicode identifiers (UAX #31); `$` is how a name is referenced, not part of it.
const VARIABLE_NAME = /^[\p{ID_Start}_][\p{ID_Continue}]*$/u;
const MAX_NAME_LENGTH = 80;
// $states is bound by Step Functions itself in every JSONata state.
const RESERVED = new Set(['states']);

export function checkAssign(ctx: Ctx, path: string, value: unknown, lang: QueryLanguage): void {
  if (!isRecord(value)) {
    ctx.report(path, `must be an object of variable names to values, got ${kindOf(value)}`);
    return;
  }
  for (const key of Object.keys(value)) {
    const name = lang === 'JSONPath' && key.endsWith('.$') ? key.slice(0, -2) : key;
    const problem = variableNameProblem(name);
    if (problem) ctx.report(at(path, key), problem);
  }
  if (lang === 'JSONPath') checkPayloadTemplate(ctx, path, value);
  else checkJsonataTemplate(ctx, path, value);
}

function variableNameProblem(name: string): string | undefined {
  if (name.startsWith('$')) return `variable name "${name}" must be written without the leading "$"`;
  if (!VARIABLE_NAME.test(name)) return `"${name}" is not a valid variable name (a letter or "_", then letters, digits or "_")`;
  if (name.length > MAX_NAME_LENGTH) return `variable name "${name}" is longer than ${MAX_NAME_LENGTH} characters`;
  if (RESERVED.has(name)) return `"${name}" is reserved by Step Functions and cannot be assigned`;
  return undefined;
}
