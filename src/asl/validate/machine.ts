/*
 * A machine body: the top-level definition, a Parallel branch or a Map processor. Each is
 * its own scope: its states may only transition to each other, and every one of them must
 * be reachable from its StartAt.
 */
import type { QueryLanguage } from '../types.js';
import { at, has, isRecord, kindOf, preview, type Ctx, type JsonRecord, type Scope } from './context.js';
import { checkQueryLanguage } from './query-language.js';
import { checkState } from './states.js';
import { isTimerSeconds, TIMER_SECONDS } from './values.js';

const TOP_LEVEL_FIELDS = ['Comment', 'StartAt', 'States', 'TimeoutSeconds', 'Version', 'QueryLanguage'];
const NESTED_FIELDS = ['Comment', 'StartAt', 'States', 'QueryLanguage'];
// Parallel in Map in Parallel ... no real definition nests this deep; a cyclic object would.
const MAX_NESTING = 64;

export function checkTopLevel(ctx: Ctx, def: JsonRecord): void {
  let language: QueryLanguage = 'JSONPath';
  if (has(def, 'QueryLanguage')) language = checkQueryLanguage(ctx, 'QueryLanguage', def.QueryLanguage) ?? language;
  ctx.topLanguage = language;
  if (has(def, 'TimeoutSeconds') && !isTimerSeconds(def.TimeoutSeconds)) {
    ctx.report('TimeoutSeconds', `must be ${TIMER_SECONDS}, got ${preview(def.TimeoutSeconds)}`);
  }
  if (has(def, 'Version') && typeof def.Version !== 'string') ctx.report('Version', `must be a string, got ${kindOf(def.Version)}`);
  collectStateNames(ctx, def, '', 0);
  checkBody(ctx, def, '', TOP_LEVEL_FIELDS, language, 0);
}

function checkNested(ctx: Ctx, value: unknown, path: string, extraFields: readonly string[], depth: number): void {
  if (!isRecord(value)) {
    ctx.report(path, `must be an object with StartAt and States, got ${kindOf(value)}`);
    return;
  }
  if (depth > MAX_NESTING) {
    ctx.report(path, `nested more than ${MAX_NESTING} levels deep`);
    return;
  }
  let language: QueryLanguage = ctx.topLanguage;
  if (has(value, 'QueryLanguage')) language = checkQueryLanguage(ctx, at(path, 'QueryLanguage'), value.QueryLanguage) ?? language;
  checkBody(ctx, value, `${path}.`, [...NESTED_FIELDS, ...extraFields], language, depth);
}

function checkBody(ctx: Ctx, body: JsonRecord, prefix: string, fields: readonly string[], language: QueryLanguage, depth: number): void {
  for (const key of Object.keys(body)) {
    if (!fields.includes(key)) ctx.report(prefix + key, `unknown field "${key}"${prefix ? '' : ' at the top level'}`);
  }
  if (has(body, 'Comment') && typeof body.Comment !== 'string') ctx.report(prefix + 'Comment', `must be a string, got ${kindOf(body.Comment)}`);

  const states = body.States;
  if (!has(body, 'States')) ctx.report(prefix + 'States', 'missing: States must be a non-empty object of states');
  else if (!isRecord(states)) ctx.report(prefix + 'States', `must be an object of states, got ${kindOf(states)}`);
  else if (Object.keys(states).length === 0) ctx.report(prefix + 'States', 'must contain at least one state');
  const scope: Scope = { prefix, states: isRecord(states) ? states : {}, language, depth };

  const startAt = body.StartAt;
  let start: string | undefined;
  if (!has(body, 'StartAt')) ctx.report(prefix + 'StartAt', 'missing: StartAt must name the first state');
  else if (typeof startAt !== 'string') ctx.report(prefix + 'StartAt', `must be a string naming a state, got ${kindOf(startAt)}`);
  // Without a usable States, "does not exist" would only repeat that problem.
  else if (!isRecord(states) || Object.keys(states).length === 0) start = undefined;
  else if (!has(scope.states, startAt)) ctx.report(prefix + 'StartAt', `state "${startAt}" does not exist`);
  else start = startAt;

  const nested = (path: string, value: unknown, extra: readonly string[] = []): void => checkNested(ctx, value, path, extra, depth + 1);
  for (const name of Object.keys(scope.states)) checkState(ctx, scope, name, scope.states[name], nested);

  if (start !== undefined) checkReachable(ctx, scope, start);
  checkTerminal(ctx, scope);
}

/** The states a state may transition to, read leniently: broken fields were reported already. */
function targets(state: unknown): string[] {
  if (!isRecord(state)) return [];
  const out: string[] = [];
  const add = (v: unknown): void => {
    if (typeof v === 'string') out.push(v);
  };
  add(state.Next);
  add(state.Default);
  for (const list of [state.Choices, state.Catch]) {
    if (Array.isArray(list)) for (const rule of list) if (isRecord(rule)) add(rule.Next);
  }
  return out;
}

function checkReachable(ctx: Ctx, scope: Scope, start: string): void {
  const seen = new Set<string>([start]);
  const queue = [start];
  for (let name = queue.pop(); name !== undefined; name = queue.pop()) {
    for (const next of targets(scope.states[name])) {
      if (!seen.has(next) && has(scope.states, next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  for (const name of Object.keys(scope.states)) {
    if (!seen.has(name)) ctx.report(`${scope.prefix}States.${name}`, `state is unreachable from StartAt "${start}"`);
  }
}

/** Without a state that can end it, an execution could only fail or run forever. */
function checkTerminal(ctx: Ctx, scope: Scope): void {
  const names = Object.keys(scope.states);
  if (names.length === 0) return;
  const ends = names.some((name) => {
    const state = scope.states[name];
    return isRecord(state) && (state.Type === 'Succeed' || state.Type === 'Fail' || state.End === true);
  });
  if (!ends) ctx.report(`${scope.prefix}States`, 'no terminal state: at least one state must be a Succeed or Fail state or have "End": true');
}

/**
 * Records every state name with where it is defined, nested bodies included, and reports
 * names used twice: AWS requires them unique across the whole machine, since execution
 * history and the context object refer to states by name alone.
 */
function collectStateNames(ctx: Ctx, body: unknown, prefix: string, depth: number): void {
  if (!isRecord(body) || !isRecord(body.States) || depth > MAX_NESTING) return;
  const states = body.States;
  for (const name of Object.keys(states)) {
    const path = `${prefix}States.${name}`;
    const seen = ctx.stateNames.get(name);
    if (seen) {
      ctx.report(path, `state name "${name}" is already used at ${seen[0]}; state names must be unique in the whole state machine`);
      seen.push(path);
    } else {
      ctx.stateNames.set(name, [path]);
    }
    const state = states[name];
    if (!isRecord(state)) continue;
    if (Array.isArray(state.Branches)) state.Branches.forEach((b, i) => collectStateNames(ctx, b, `${path}.Branches[${i}].`, depth + 1));
    collectStateNames(ctx, state.ItemProcessor, `${path}.ItemProcessor.`, depth + 1);
    collectStateNames(ctx, state.Iterator, `${path}.Iterator.`, depth + 1);
  }
}
