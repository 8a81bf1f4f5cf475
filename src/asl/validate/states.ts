/*
 * One state: its Type, the fields that Type allows in its query language, how it
 * transitions, and the fields every state type shares. Type-specific rules live in one
 * module per type.
 */
import type { StateType } from '../types.js';
import { at, has, isRecord, kindOf, preview, type Ctx, type Scope, type StateCtx } from './context.js';
import { checkAssign } from './assign.js';
import { checkChoices } from './choice.js';
import { checkFail } from './fail.js';
import { allowedFields, checkFields, STATE_TYPES } from './fields.js';
import { checkMap } from './map.js';
import { checkParallel } from './parallel.js';
import { checkObjectTemplate, checkPathField, checkPayloadTemplate } from './paths.js';
import { checkJsonataString, checkJsonataTemplate, checkQueryLanguage } from './query-language.js';
import { checkCatch, checkRetry } from './retry-catch.js';
import { checkTask } from './task.js';
import { checkTarget } from './transitions.js';
import { checkWait } from './wait.js';

/** The longest state name AWS accepts. */
export const MAX_STATE_NAME_LENGTH = 80;

const TYPE_CHECKS: Partial<Record<StateType, (sc: StateCtx) => void>> = {
  Task: checkTask,
  Choice: checkChoices,
  Wait: checkWait,
  Fail: checkFail,
  Parallel: checkParallel,
  Map: checkMap,
};

const FLOW_TYPES: readonly StateType[] = ['Task', 'Pass', 'Wait', 'Parallel', 'Map'];

export function checkState(ctx: Ctx, scope: Scope, name: string, value: unknown, nested: StateCtx['nested']): void {
  const path = `${scope.prefix}States.${name}`;
  if (name.length === 0) ctx.report(path, 'a state name cannot be empty');
  if (name.length > MAX_STATE_NAME_LENGTH) ctx.report(path, `state name is longer than ${MAX_STATE_NAME_LENGTH} characters (${name.length})`);
  if (!isRecord(value)) {
    ctx.report(path, `a state must be an object, got ${kindOf(value)}`);
    return;
  }
  let lang = scope.language;
  if (has(value, 'QueryLanguage')) lang = checkQueryLanguage(ctx, at(path, 'QueryLanguage'), value.QueryLanguage) ?? lang;
  const sc: StateCtx = { ctx, scope, path, state: value, lang, nested };

  const type = value.Type;
  if (!STATE_TYPES.includes(type as StateType)) {
    const got = type === undefined ? 'missing' : `got ${preview(type)}`;
    ctx.report(at(path, 'Type'), `${got}; must be one of ${STATE_TYPES.join(', ')}`);
    return;
  }
  const stateType = type as StateType;
  checkFields(sc, stateType);
  if (FLOW_TYPES.includes(stateType)) checkNextOrEnd(sc, stateType);
  if (stateType === 'Choice' && has(value, 'Default')) checkTarget(sc, at(path, 'Default'), value.Default);
  checkSharedFields(sc, allowedFields(stateType, lang));
  TYPE_CHECKS[stateType]?.(sc);
}

function checkNextOrEnd(sc: StateCtx, type: StateType): void {
  const { ctx, state, path } = sc;
  const hasNext = has(state, 'Next');
  if (hasNext) checkTarget(sc, at(path, 'Next'), state.Next);
  if (has(state, 'End')) {
    if (hasNext) ctx.report(at(path, 'End'), 'cannot be combined with "Next"');
    else if (state.End !== true) ctx.report(at(path, 'End'), `must be true (or use "Next"), got ${preview(state.End)}`);
  } else if (!hasNext) {
    ctx.report(at(path, 'Next'), `missing: a ${type} state needs "Next" or "End": true`);
  }
}

/** Fields several types share; each is checked only where the type and language allow it. */
function checkSharedFields(sc: StateCtx, allowed: Set<string>): void {
  const { ctx, state, path, lang } = sc;
  const present = (field: string): boolean => allowed.has(field) && has(state, field);
  const p = (field: string): string => at(path, field);

  if (present('Comment') && typeof state.Comment !== 'string') ctx.report(p('Comment'), `must be a string, got ${kindOf(state.Comment)}`);
  for (const field of ['InputPath', 'OutputPath']) {
    if (present(field)) checkPathField(ctx, p(field), state[field], { nullable: true, external: true });
  }
  if (present('ResultPath')) checkPathField(ctx, p('ResultPath'), state.ResultPath, { reference: true, nullable: true });
  // Map's Parameters is the legacy ItemSelector, which must be an object like ResultSelector.
  if (present('Parameters')) {
    if (state.Type === 'Map') checkObjectTemplate(ctx, p('Parameters'), state.Parameters);
    else checkPayloadTemplate(ctx, p('Parameters'), state.Parameters);
  }
  if (present('ResultSelector')) checkObjectTemplate(ctx, p('ResultSelector'), state.ResultSelector);
  if (present('Arguments')) {
    const args = state.Arguments;
    if (isRecord(args)) checkJsonataTemplate(ctx, p('Arguments'), args);
    else if (typeof args !== 'string' || !checkJsonataString(ctx, p('Arguments'), args)) {
      ctx.report(p('Arguments'), `must be an object or a JSONata expression "{% ... %}", got ${kindOf(args)}`);
    }
  }
  if (present('Output')) checkJsonataTemplate(ctx, p('Output'), state.Output);
  if (present('Credentials')) {
    if (!isRecord(state.Credentials)) ctx.report(p('Credentials'), `must be an object, got ${kindOf(state.Credentials)}`);
    else if (lang === 'JSONPath') checkPayloadTemplate(ctx, p('Credentials'), state.Credentials);
    else checkJsonataTemplate(ctx, p('Credentials'), state.Credentials);
  }
  if (present('Assign')) checkAssign(ctx, p('Assign'), state.Assign, lang);
  if (present('Retry')) checkRetry(sc, p('Retry'), state.Retry);
  if (present('Catch')) checkCatch(sc, p('Catch'), state.Catch);
}
