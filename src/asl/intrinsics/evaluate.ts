/*
 * Evaluates intrinsic calls against a state's input and the context object.
 * Pure: randomness comes from env.random, which the interpreter seeds, so a replayed
 * execution yields the same UUIDs and random numbers.
 */
import { StatesIntrinsicFailure } from '../errors.js';
import { NOT_FOUND, readPath } from '../jsonpath.js';
import type { Json } from '../types.js';
import { INTRINSIC_FUNCTIONS } from './functions/index.js';
import type { IntrinsicArg, IntrinsicCall } from './parse.js';
import { arityProblem, IntrinsicSyntaxError, parseIntrinsic } from './parse.js';

export interface IntrinsicEnv {
  input: unknown;
  context: unknown;
  /** Uniform in [0, 1). */
  random: () => number;
}

const cache = new Map<string, IntrinsicCall>();

function parseCached(text: string): IntrinsicCall {
  let call = cache.get(text);
  if (!call) {
    try {
      call = parseIntrinsic(text);
    } catch (err) {
      if (err instanceof IntrinsicSyntaxError) throw new StatesIntrinsicFailure(err.message);
      throw err;
    }
    if (cache.size > 10_000) cache.clear();
    cache.set(text, call);
  }
  return call;
}

export function evaluateIntrinsic(text: string | IntrinsicCall, env: IntrinsicEnv): Json {
  return evaluateCall(typeof text === 'string' ? parseCached(text) : text, env);
}

function evaluateCall(call: IntrinsicCall, env: IntrinsicEnv): Json {
  const fn = INTRINSIC_FUNCTIONS.get(call.name);
  if (!fn) throw new StatesIntrinsicFailure(`Unknown intrinsic function "${call.name}"`);
  const problem = arityProblem(call.name, fn.arity, call.args.length);
  if (problem) throw new StatesIntrinsicFailure(problem);
  const first = call.args[0];
  if (fn.rawTemplate && first?.kind === 'literal' && first.raw !== undefined) {
    return fn.rawTemplate(first.raw, call.args.slice(1).map((arg) => evaluateArg(call.name, arg, env)), env);
  }
  return fn.impl(call.args.map((arg) => evaluateArg(call.name, arg, env)), env);
}

function evaluateArg(name: string, arg: IntrinsicArg, env: IntrinsicEnv): Json {
  switch (arg.kind) {
    case 'literal':
      return arg.value;
    case 'call':
      return evaluateCall(arg.call, env);
    case 'path': {
      const context = arg.path.startsWith('$$');
      let value: unknown;
      try {
        value = context ? readPath(env.context, arg.path.slice(1)) : readPath(env.input, arg.path);
      } catch (err) {
        throw new StatesIntrinsicFailure(`${name}: invalid path "${arg.path}": ${err instanceof Error ? err.message : String(err)}`);
      }
      if (value === NOT_FOUND || value === undefined) {
        throw new StatesIntrinsicFailure(`${name}: the path "${arg.path}" does not match anything in the ${context ? 'context object' : 'input'}`);
      }
      return value as Json;
    }
  }
}
