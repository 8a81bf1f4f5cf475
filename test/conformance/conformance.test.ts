/*
 * The conformance suite: every case under ./cases runs through the local runner on a virtual
 * clock, and its status, output, error, cause, task calls, history and virtual duration are
 * compared with what AWS Step Functions would report.
 */
import { describe, expect, it } from 'vitest';
import type { Json } from '../../src/asl/types.js';
import { runExecution, virtualClock, type RunOptions } from '../../src/engine/local-runner.js';
import type { TaskHandler, TaskRegistry } from '../../src/engine/task-registry.js';
import { HANG, type ConformanceCase } from './case.js';
import { cases as catchCases } from './cases/catch.js';
import { cases as choiceCases } from './cases/choice.js';
import { cases as contextObjectCases } from './cases/context-object.js';
import { cases as errorsCases } from './cases/errors.js';
import { cases as failSucceedCases } from './cases/fail-succeed.js';
import { cases as intrinsicsCases } from './cases/intrinsics.js';
import { cases as jsonataCases } from './cases/jsonata.js';
import { cases as jsonataFunctionCases } from './cases/jsonata-functions.js';
import { cases as mapBatchingToleranceCases } from './cases/map-batching-tolerance.js';
import { cases as mapCases } from './cases/map.js';
import { cases as parallelCases } from './cases/parallel.js';
import { cases as parametersCases } from './cases/parameters.js';
import { cases as passCases } from './cases/pass.js';
import { cases as pathsCases } from './cases/paths.js';
import { cases as resultSelectorCases } from './cases/result-selector.js';
import { cases as retryCases } from './cases/retry.js';
import { cases as timeoutsCases } from './cases/timeouts.js';
import { cases as variablesCases } from './cases/variables.js';
import { cases as waitCases } from './cases/wait.js';

const files: [string, ConformanceCase[]][] = [
  ['paths', pathsCases],
  ['parameters', parametersCases],
  ['result-selector', resultSelectorCases],
  ['context-object', contextObjectCases],
  ['pass', passCases],
  ['choice', choiceCases],
  ['wait', waitCases],
  ['fail-succeed', failSucceedCases],
  ['parallel', parallelCases],
  ['map', mapCases],
  ['map-batching-tolerance', mapBatchingToleranceCases],
  ['retry', retryCases],
  ['catch', catchCases],
  ['timeouts', timeoutsCases],
  ['intrinsics', intrinsicsCases],
  ['jsonata', jsonataCases],
  ['jsonata-functions', jsonataFunctionCases],
  ['variables', variablesCases],
  ['errors', errorsCases],
];

/** Builds a registry from the case's handlers and counts the calls made to each resource. */
function buildRegistry(c: ConformanceCase): { registry: TaskRegistry; calls: Record<string, number> } {
  const calls: Record<string, number> = {};
  const tasks = c.tasks ?? {};
  const registry: TaskRegistry = (resource) => {
    if (!Object.prototype.hasOwnProperty.call(tasks, resource)) return undefined;
    const fn = tasks[resource];
    if (!fn) return undefined;
    const handler: TaskHandler = async (input) => {
      const n = (calls[resource] ?? 0) + 1;
      calls[resource] = n;
      const result = await fn(structuredClone(input), n);
      if (result === HANG) return new Promise<Json>(() => {});
      return (result === undefined ? null : result) as Json;
    };
    return handler;
  };
  return { registry, calls };
}

/** Whether `expected` appears in `actual` in order (not necessarily contiguously). */
function isSubsequence(expected: string[], actual: string[]): boolean {
  let i = 0;
  for (const type of actual) {
    if (i < expected.length && type === expected[i]) i++;
  }
  return i === expected.length;
}

function matches(actual: string | undefined, expected: string | RegExp): boolean {
  if (typeof expected === 'string') return actual === expected;
  return typeof actual === 'string' && expected.test(actual);
}

async function runCase(c: ConformanceCase): Promise<void> {
  const { registry, calls } = buildRegistry(c);
  const clock = virtualClock();
  const options: RunOptions = { registry, clock, seed: 42 };
  if (c.executionName !== undefined) options.executionName = c.executionName;
  if (c.stateMachineName !== undefined) options.stateMachineName = c.stateMachineName;

  const before = clock.now();
  const result = await runExecution(c.definition, (c.input ?? {}) as Json, options);
  const elapsedSeconds = (clock.now() - before) / 1000;

  const summary = JSON.stringify({ status: result.status, output: result.output, error: result.error, cause: result.cause });
  const exp = c.expected;
  expect(result.status, summary).toBe(exp.status);
  if (exp.status === 'SUCCEEDED') {
    expect(result.output).toEqual(exp.output);
  } else {
    expect(matches(result.error, exp.error), `error ${String(result.error)} should match ${String(exp.error)}`).toBe(true);
    if (exp.cause !== undefined) {
      expect(matches(result.cause, exp.cause), `cause ${String(result.cause)} should match ${String(exp.cause)}`).toBe(true);
    }
  }

  if (c.expectCalls) {
    const actualCalls: Record<string, number> = {};
    for (const resource of Object.keys(c.expectCalls)) actualCalls[resource] = calls[resource] ?? 0;
    expect(actualCalls).toEqual(c.expectCalls);
  }

  if (c.expectEvents) {
    const types = result.events.map((e) => e.type);
    expect(isSubsequence(c.expectEvents, types), `events ${JSON.stringify(types)} should contain, in order, ${JSON.stringify(c.expectEvents)}`).toBe(true);
  }

  if (c.minElapsedSeconds !== undefined) expect(elapsedSeconds).toBeGreaterThanOrEqual(c.minElapsedSeconds);
  if (c.maxElapsedSeconds !== undefined) expect(elapsedSeconds).toBeLessThanOrEqual(c.maxElapsedSeconds);
}

describe('conformance suite', () => {
  it('has at least 170 cases with unique names in each file', () => {
    let total = 0;
    for (const [file, cases] of files) {
      const names = cases.map((c) => c.name);
      expect(new Set(names).size, `duplicate case names in ${file}`).toBe(names.length);
      total += cases.length;
    }
    expect(total).toBeGreaterThanOrEqual(170);
  });
});

describe.each(files)('%s', (_file, cases) => {
  it.each(cases)('$name', async (c) => {
    await runCase(c);
  });
});
