/*
 * The two query languages behind one set of questions a state handler asks: what is my
 * effective input, what goes to the task, and what is my output given a result.
 */
import { StatesRuntime } from '../errors.js';
import { evaluateIntrinsic, isIntrinsicCall } from '../intrinsics/index.js';
import { NOT_FOUND } from '../jsonpath.js';
import type { Json, JsonObject, State } from '../types.js';
import { evaluateTemplate, isExpression, requireTemplate, type JsonataEnv } from './jsonata-dataflow.js';
import { applyInputPath, applyOutputPath, applyPayloadTemplate, applyResultPath, readInputOrContext, type PathEnv } from './jsonpath-dataflow.js';
import type { Run } from './run.js';
import type { Frame } from './state.js';

type AnyState = State & {
  InputPath?: string | null;
  OutputPath?: string | null;
  ResultPath?: string | null;
  ResultSelector?: JsonObject;
  Parameters?: Json;
  Arguments?: Json;
  Output?: Json;
  Assign?: JsonObject;
};

export function pathEnv(run: Run, frame: Frame, extraContext?: Record<string, unknown>): PathEnv {
  return { context: run.contextObject(frame, extraContext), random: run.random, variables: run.variables(frame) };
}

export function jsonataEnv(run: Run, frame: Frame, extra?: { result?: Json; errorOutput?: Json; context?: Record<string, unknown>; input?: Json }): JsonataEnv {
  const states: JsonataEnv['states'] = { input: extra?.input ?? frame.input, context: run.contextObject(frame, extra?.context) };
  if (extra?.result !== undefined) states.result = extra.result;
  if (extra?.errorOutput !== undefined) states.errorOutput = extra.errorOutput;
  return { states, variables: run.variables(frame), random: run.random };
}

/** JSONPath: the input after InputPath. JSONata: the input itself. */
export function effectiveInput(run: Run, frame: Frame, state: AnyState): Json {
  if (run.language(frame) === 'JSONata' || state.InputPath === undefined) return frame.input;
  return applyInputPath(frame.input, state.InputPath, run.contextObject(frame), run.variables(frame));
}

/** What a Task or Parallel hands on: Parameters (JSONPath) or Arguments (JSONata) applied. */
export async function taskArguments(run: Run, frame: Frame, state: AnyState, input: Json, extraContext?: Record<string, unknown>): Promise<Json> {
  if (run.language(frame) === 'JSONata') {
    if (state.Arguments === undefined) return input;
    return requireTemplate(state.Arguments, jsonataEnv(run, frame, extraContext ? { context: extraContext } : undefined), 'Arguments');
  }
  if (state.Parameters === undefined) return input;
  return applyPayloadTemplate(state.Parameters, input, pathEnv(run, frame, extraContext));
}

/**
 * Whether nothing can ever see the state's result: JSONPath with `ResultPath: null` and no
 * ResultSelector or Assign (which read the result, and ResultSelector may fail on it). A Map or
 * Parallel then keeps null in place of each iteration's output: a fan-out of hundreds of batch
 * jobs would otherwise carry every job description in the execution state, which the runtime
 * stores after each step.
 */
export function discardsResult(run: Run, frame: Frame, state: AnyState): boolean {
  return run.language(frame) !== 'JSONata' && state.ResultPath === null && state.ResultSelector === undefined && state.Assign === undefined;
}

/**
 * Turns a state's result into its output and applies Assign, then leaves the state.
 * JSONPath: ResultSelector -> ResultPath (into the raw input) -> OutputPath.
 * JSONata: Output (default: the result). Assign sees the variables as they were before.
 */
export async function finishWithResult(run: Run, frame: Frame, state: AnyState, result: Json): Promise<void> {
  let output: Json;
  let assigned: Record<string, Json> | undefined;
  if (run.language(frame) === 'JSONata') {
    const env = jsonataEnv(run, frame, { result });
    output = state.Output === undefined ? result : await requireTemplate(state.Output, env, 'Output');
    if (state.Assign) assigned = (await evaluateTemplate(state.Assign, env, 'Assign')) as Record<string, Json>;
  } else {
    const env = pathEnv(run, frame);
    const selected = state.ResultSelector ? applyPayloadTemplate(state.ResultSelector, result, env) : result;
    if (state.Assign) assigned = applyPayloadTemplate(state.Assign, selected, env) as Record<string, Json>;
    const placed = applyResultPath(frame.input, selected, state.ResultPath);
    output = applyOutputPath(placed, state.OutputPath, env.context, env.variables);
  }
  if (assigned) Object.assign(frame.variables, assigned);
  run.leave(frame, output);
}

/** Output of a state that has no result of its own (Choice rules, Wait, Succeed): its input. */
export async function finishWithInput(run: Run, frame: Frame, state: AnyState, extraAssign?: { Output?: Json; Assign?: JsonObject }, next?: string): Promise<void> {
  let output: Json;
  let assigned: Record<string, Json> | undefined;
  const outputTemplate = extraAssign?.Output ?? state.Output;
  const assignTemplates = [state.Assign, extraAssign?.Assign].filter((a): a is JsonObject => a !== undefined);
  if (run.language(frame) === 'JSONata') {
    const env = jsonataEnv(run, frame);
    output = outputTemplate === undefined ? frame.input : await requireTemplate(outputTemplate, env, 'Output');
    for (const a of assignTemplates) assigned = { ...assigned, ...((await evaluateTemplate(a, env, 'Assign')) as Record<string, Json>) };
  } else {
    const env = pathEnv(run, frame);
    const input = applyInputPath(frame.input, state.InputPath, env.context, env.variables);
    for (const a of assignTemplates) assigned = { ...assigned, ...(applyPayloadTemplate(a, input, env) as Record<string, Json>) };
    output = applyOutputPath(input, state.OutputPath, env.context, env.variables);
  }
  if (assigned) Object.assign(frame.variables, assigned);
  run.leave(frame, output, next);
}

/**
 * A field that holds a number or string either directly, as a JSONata expression, or
 * through its *Path sibling (JSONPath), e.g. Seconds / SecondsPath.
 */
export async function dynamicField(run: Run, frame: Frame, input: Json, value: unknown, path: string | undefined, field: string): Promise<Json | undefined> {
  if (value !== undefined) {
    if (isExpression(value)) return requireTemplate(value, jsonataEnv(run, frame), field);
    return value as Json;
  }
  if (path === undefined) return undefined;
  if (isIntrinsicCall(path)) return evaluateIntrinsic(path, { input, context: run.contextObject(frame), random: run.random });
  const found = readInputOrContext(path, input, run.contextObject(frame), run.variables(frame));
  if (found === NOT_FOUND) throw new StatesRuntime(`Invalid path '${path}' for field '${field}Path': no value at that path in the input`);
  return found as Json;
}
