/*
 * Validation of Amazon States Language definitions, as `skybatch validate` reports it: every
 * problem found, each as `path: message` naming the state and field. The input is untrusted
 * JSON of any shape, so nothing here may throw.
 */
import { Ctx, isRecord, kindOf, type ValidationProblem } from './context.js';
import { checkTopLevel } from './machine.js';
import { jsonDepthProblem } from '../../util/json-limits.js';

export type { ValidationProblem } from './context.js';

/** Returns all problems of the definition; an empty list means it is valid. */
export function validateDefinition(def: unknown): ValidationProblem[] {
  const ctx = new Ctx();
  if (!isRecord(def)) {
    ctx.report('(root)', `a state machine definition must be a JSON object, got ${kindOf(def)}`);
    return ctx.problems;
  }
  // Every check below walks the definition; one nested past the limit could overflow them.
  const tooDeep = jsonDepthProblem(def, 'the definition');
  if (tooDeep) {
    ctx.report('(root)', tooDeep);
    return ctx.problems;
  }
  try {
    checkTopLevel(ctx, def);
  } catch (err) {
    // A bug here must not hide the problems found so far, nor crash the CLI.
    ctx.report('(root)', `internal validator error: ${err instanceof Error ? err.message : String(err)}`);
  }
  return ctx.problems;
}

export function formatProblem(p: ValidationProblem): string {
  return `${p.path}: ${p.message}`;
}
