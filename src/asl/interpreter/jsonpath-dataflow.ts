/*
 * Input and output processing in JSONPath mode, in the order the specification gives:
 * InputPath -> Parameters -> (task) -> ResultSelector -> ResultPath -> OutputPath.
 */
import { StatesResultPathMatchFailure, StatesRuntime } from '../errors.js';
import { evaluateIntrinsic, isIntrinsicCall } from '../intrinsics/index.js';
import { NOT_FOUND, placeAtPath, readReference } from '../jsonpath.js';
import type { Json } from '../types.js';

export interface PathEnv {
  context: unknown;
  random: () => number;
  variables?: Record<string, Json>;
}

/** Reads a Path that may start with `$$` (the context object) or `$name` (a workflow variable). */
export const readInputOrContext = readReference;

export function applyInputPath(input: Json, path: string | null | undefined, context: unknown, variables?: Record<string, Json>): Json {
  if (path === undefined || path === '$') return input;
  if (path === null) return {};
  const value = readInputOrContext(path, input, context, variables);
  if (value === NOT_FOUND) throw new StatesRuntime(`Invalid path '${path}' : No results for path: ${path}`);
  return value as Json;
}

export function applyOutputPath(output: Json, path: string | null | undefined, context: unknown, variables?: Record<string, Json>): Json {
  if (path === undefined || path === '$') return output;
  if (path === null) return {};
  const value = readInputOrContext(path, output, context, variables);
  if (value === NOT_FOUND) throw new StatesRuntime(`Invalid path '${path}' : No results for path: ${path}`);
  return value as Json;
}

export function applyResultPath(input: Json, result: Json, path: string | null | undefined): Json {
  if (path === undefined || path === '$') return result;
  if (path === null) return input;
  const placed = placeAtPath(input, path, result);
  if ('problem' in placed) throw new StatesResultPathMatchFailure(placed.problem);
  return placed.value as Json;
}

/**
 * Evaluates a payload template (Parameters, ResultSelector, ItemSelector): keys ending in
 * `.$` take their value from a path, a context path or an intrinsic function.
 */
export function applyPayloadTemplate(template: Json, input: unknown, env: PathEnv): Json {
  if (Array.isArray(template)) return template.map((item) => applyPayloadTemplate(item, input, env));
  if (template === null || typeof template !== 'object') return template;
  const out: Record<string, Json> = {};
  for (const [key, value] of Object.entries(template)) {
    if (key.endsWith('.$') && typeof value === 'string') {
      out[key.slice(0, -2)] = resolveDynamic(key, value, input, env);
    } else {
      out[key] = applyPayloadTemplate(value, input, env);
    }
  }
  return out;
}

function resolveDynamic(key: string, expr: string, input: unknown, env: PathEnv): Json {
  if (isIntrinsicCall(expr)) return evaluateIntrinsic(expr, { input, context: env.context, random: env.random });
  const value = readInputOrContext(expr, input, env.context, env.variables);
  if (value === NOT_FOUND) {
    // The ASL specification names States.ParameterPathFailure here, but the service records
    // States.Runtime (which no catcher matches); we do what the service does.
    throw new StatesRuntime(`The JSONPath '${expr}' specified for the field '${key}' could not be found in the input '${truncate(JSON.stringify(input))}'`);
  }
  return value as Json;
}

function truncate(text: string | undefined): string {
  if (text === undefined) return 'undefined';
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}
