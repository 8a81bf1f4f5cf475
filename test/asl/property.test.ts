/*
 * Robustness: whatever definition and input arrive, the validator answers with problems or
 * the interpreter ends the run with a status. Thrown exceptions and hangs are bugs.
 * Generated machines only ever jump forward (Next/Default/Choices point at later states),
 * so a run must end: a cycle would make a hang legitimate and the property useless.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DefinitionSyntaxError, parseDefinition } from '../../src/asl/parse.js';
import type { Json } from '../../src/asl/types.js';
import { validateDefinition } from '../../src/asl/validate/index.js';
import { runExecution, virtualClock } from '../../src/engine/local-runner.js';

const RUN_TIMEOUT_MS = 5_000;

type Obj = Record<string, unknown>;

/**
 * Mostly well-formed, now and then wrong. Each state has several fields, so per-field noise
 * must stay rare or nearly every machine is invalid and the interpreter is never exercised.
 */
function mostly<T>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<T>, badOneIn = 30): fc.Arbitrary<T> {
  return fc.oneof({ weight: badOneIn - 1, arbitrary: good }, { weight: 1, arbitrary: bad });
}

const bogusName = fc.constantFrom('Nowhere', 'x y', 'É', '');
const fieldName = fc.constantFrom('a', 'b', 'items', 'n', 'name', 'x');
// Paths into the shape `input` generates, plus one that is never there.
const goodPath = fc.constantFrom('$', '$.a', '$.b', '$.b.c', '$.n', '$.name', '$.items', '$.items[0]', '$.items[0].id', '$.missing');
const path = mostly(goodPath, fc.constantFrom('$[', 'a', '$..x', '$$.Execution.Id', '$$.Map.Item.Value', ''));
const nullablePath = fc.oneof({ weight: 5, arbitrary: path }, { weight: 1, arbitrary: fc.constant(null) });
const intrinsic = mostly(
  fc.constantFrom(
    "States.Format('{} and {}', $.a, $.n)",
    'States.Array(1, 2, $.n)',
    'States.JsonToString($)',
    "States.StringToJson('{\"k\":1}')",
    'States.MathAdd($.n, 1)',
    'States.ArrayLength($.items)',
    "States.StringSplit('a,b', ',')",
    'States.UUID()',
    'States.MathRandom(1, 10)',
    "States.Hash($.name, 'SHA-256')",
    '$$.Execution.Id',
  ),
  fc.constantFrom('States.Nope(1)', 'States.Format(', "States.Format('{}')", 'States.MathAdd($.name, 1)'),
  8,
);
const small = fc.jsonValue({ maxDepth: 2 });

/** Parameters-like templates: plain fields, and `.$` fields holding paths or intrinsics. */
const template: fc.Arbitrary<Json> = mostly(
  fc
    .dictionary(fieldName, fc.oneof(small.map((value) => ({ value })), fc.oneof(path, intrinsic).map((dynamic) => ({ dynamic }))), { maxKeys: 4 })
    .map((fields) => Object.fromEntries(Object.entries(fields).map(([key, f]) => ('dynamic' in f ? [`${key}.$`, f.dynamic] : [key, f.value])))),
  small,
) as fc.Arbitrary<Json>;

const comparison = mostly<{ operator: string; value: Json }>(
  fc.oneof(
    fc.record({ operator: fc.constantFrom('StringEquals', 'StringLessThan', 'StringMatches'), value: fc.string({ maxLength: 3 }) }),
    fc.record({ operator: fc.constantFrom('NumericEquals', 'NumericGreaterThan', 'NumericLessThanEquals'), value: fc.integer({ min: -5, max: 5 }) }),
    fc.record({ operator: fc.constantFrom('BooleanEquals', 'IsPresent', 'IsNull', 'IsString', 'IsNumeric'), value: fc.boolean() }),
    fc.record({ operator: fc.constantFrom('StringEqualsPath', 'NumericEqualsPath'), value: goodPath }),
  ),
  fc.record({ operator: fc.constantFrom('Bogus', 'StringEquals'), value: fc.constantFrom<Json>(null, 3, [], {}) }),
);

interface Shape {
  depth: number;
}

/** One state; `later` are the names after it in the list, the only ones it may jump to. */
function state(later: string[], shape: Shape): fc.Arbitrary<Obj> {
  const [next, ...rest] = later;
  const weighted = (entries: [number, fc.Arbitrary<Obj>][]) => fc.oneof(...entries.map(([weight, arbitrary]) => ({ weight, arbitrary })));

  // The last state ends the machine; any other one mostly goes on to the next in the list,
  // so that most states are reachable (an unreachable state is a validation problem).
  if (next === undefined) {
    const end = mostly<Obj>(fc.constant({ End: true }), fc.constantFrom({}, { Next: 'Nowhere' }));
    const terminal = mostly<Obj>(fc.constant({}), fc.constant({ End: true }));
    return weighted([
      [16, withFlow(pass, end, withResultPaths)],
      [4, withFlow(wait, end, ioPaths)],
      [2, withFlow(task, end, withResultPaths)],
      [4, withFlow(fc.constant({ Type: 'Succeed' }), terminal, ioPaths)],
      [4, withFlow(fail, terminal, fc.constant({}))],
      [1, withFlow(bogusType, end, fc.constant({}))],
      ...nested(shape).map(([weight, body]): [number, fc.Arbitrary<Obj>] => [weight, withFlow(body, end, withResultPaths)]),
    ]);
  }
  const target = fc.oneof({ weight: 40, arbitrary: fc.constantFrom(next, ...rest) }, { weight: 1, arbitrary: bogusName });
  const proceed = mostly<Obj>(
    fc.oneof({ weight: 9, arbitrary: fc.constant(next) }, { weight: 1, arbitrary: target }).map((name) => ({ Next: name })),
    fc.constantFrom({}, { End: true, Next: next }),
  );
  const choice = fc
    .record({ rules: fc.array(fc.tuple(path, comparison, target), { minLength: 1, maxLength: 3 }), Default: mostly(fc.constant(next), target, 4) }, { requiredKeys: ['rules'] })
    .map(({ rules, ...rest }) => ({ Type: 'Choice', ...rest, Choices: rules.map(([variable, { operator, value }, to]) => ({ Variable: variable, [operator]: value, Next: to })) }));
  return weighted([
    [16, withFlow(pass, proceed, withResultPaths)],
    [12, withFlow(choice, mostly(fc.constant({}), fc.constant({ End: true })), ioPaths)],
    [8, withFlow(wait, proceed, ioPaths)],
    [2, withFlow(task, proceed, withResultPaths)],
    [1, withFlow(bogusType, proceed, fc.constant({}))],
    ...nested(shape).map(([weight, body]): [number, fc.Arbitrary<Obj>] => [weight, withFlow(body, proceed, withResultPaths)]),
  ]);
}

function withFlow(body: fc.Arbitrary<Obj>, flow: fc.Arbitrary<Obj>, io: fc.Arbitrary<Obj>): fc.Arbitrary<Obj> {
  // Most states keep the default paths: InputPath/OutputPath narrowing the data on every
  // state would make nearly every later path miss and every run fail the same way.
  const paths = fc.oneof({ weight: 2, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: io });
  return fc.tuple(body, flow, paths).map(([b, f, p]) => ({ ...p, ...b, ...f }));
}

const ioPaths = fc.record({ InputPath: nullablePath, OutputPath: nullablePath }, { requiredKeys: [] });
const withResultPaths = fc.record({ InputPath: nullablePath, OutputPath: nullablePath, ResultPath: nullablePath }, { requiredKeys: [] });
const pass = fc.oneof(
  fc.record({ Type: fc.constant('Pass'), Parameters: template }, { requiredKeys: ['Type'] }),
  fc.record({ Type: fc.constant('Pass'), Result: small }),
);
const wait = fc.oneof(
  fc.record({ Type: fc.constant('Wait'), Seconds: mostly(fc.integer({ min: 0, max: 5 }), fc.constant(-1)) }),
  fc.record({ Type: fc.constant('Wait'), SecondsPath: mostly(fc.constant('$.n'), path, 3) }),
);
const task = fc.record({ Type: fc.constant('Task'), Resource: fc.constantFrom('arn:aws:states:::lambda:invoke', 'nothing') });
const fail = fc.oneof(
  fc.record({ Type: fc.constant('Fail'), Error: fc.string({ maxLength: 8 }), Cause: fc.string({ maxLength: 8 }) }, { requiredKeys: ['Type'] }),
  fc.record({ Type: fc.constant('Fail'), ErrorPath: path, CausePath: path }, { requiredKeys: ['Type'] }),
);
const bogusType = fc.constantFrom<Obj>({ Type: 'Bogus' }, { Type: 42 }, {});

/** Parallel and Map, whose branches and iterators are machines one level deeper. */
function nested(shape: Shape): [number, fc.Arbitrary<Obj>][] {
  if (shape.depth >= 2) return [];
  const inner = machine({ depth: shape.depth + 1 });
  return [
    [4, fc.record({ Type: fc.constant('Parallel'), Branches: fc.array(inner, { minLength: 1, maxLength: 3 }), Parameters: template }, { requiredKeys: ['Type', 'Branches'] })],
    [
      4,
      fc.record(
        { Type: fc.constant('Map'), ItemsPath: mostly(fc.constant('$.items'), path, 3), ItemProcessor: inner, ItemSelector: template, MaxConcurrency: fc.integer({ min: 0, max: 3 }) },
        { requiredKeys: ['Type', 'ItemProcessor'] },
      ),
    ],
  ];
}

/** A plausible state machine: 1-5 distinct random names, each state jumping only forward. */
function machine(shape: Shape = { depth: 0 }): fc.Arbitrary<Obj> {
  return fc
    .uniqueArray(fc.string({ minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: shape.depth === 0 ? 5 : 3 })
    .chain((stateNames) =>
      fc
        .tuple(fc.tuple(...stateNames.map((_, i) => state(stateNames.slice(i + 1), shape))), mostly(fc.constant(stateNames[0] ?? ''), bogusName))
        .map(([states, startAt]) => ({ StartAt: startAt, States: Object.fromEntries(stateNames.map((name, i) => [name, states[i]])) })),
    );
}

const input = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      a: fc.string({ maxLength: 5 }),
      b: fc.record({ c: small }),
      n: fc.integer({ min: -3, max: 3 }),
      name: fc.string({ maxLength: 5 }),
      items: fc.array(fc.record({ id: fc.nat(99) }), { maxLength: 4 }),
    }),
  },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
) as fc.Arbitrary<Json>;

/** Validates, then runs; returns "invalid" or the run's status, and fails the property otherwise. */
async function validateAndRun(definition: unknown, runInput: Json, seed: number): Promise<string> {
  const problems = validateDefinition(definition);
  expect(Array.isArray(problems)).toBe(true);
  if (problems.length > 0) return 'invalid';
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`run did not end within ${RUN_TIMEOUT_MS} ms`)), RUN_TIMEOUT_MS);
  });
  try {
    const result = await Promise.race([runExecution(definition, runInput, { clock: virtualClock(), seed }), timeout]);
    expect(['SUCCEEDED', 'FAILED']).toContain(result.status);
    // The CLI prints the result as JSON: it must serialise.
    expect(() => JSON.stringify(result.output ?? null)).not.toThrow();
    return result.status;
  } finally {
    clearTimeout(timer);
  }
}

describe('ASL robustness (property)', () => {
  it('any JSON value as a definition gets problems or a run that ends', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), input, fc.integer(), async (definition, runInput, seed) => {
        await validateAndRun(definition, runInput, seed);
      }),
      { numRuns: 100 },
    );
  });

  it('random plausible state machines get problems or a run that ends', async () => {
    const outcomes = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(machine(), input, fc.integer(), async (definition, runInput, seed) => {
        const outcome = await validateAndRun(definition, runInput, seed);
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      }),
      { numRuns: 200 },
    );
    // Guards the generator: if nearly everything were invalid, or every run failed the same
    // way, the interpreter would not really be tested (invalid/FAILED/SUCCEEDED is typically about 90/70/35).
    expect(outcomes.get('SUCCEEDED') ?? 0).toBeGreaterThan(10);
    expect(outcomes.get('FAILED') ?? 0).toBeGreaterThan(10);
  });

  it('parseDefinition returns a value or throws DefinitionSyntaxError', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
        try {
          parseDefinition(text);
        } catch (err) {
          expect(err).toBeInstanceOf(DefinitionSyntaxError);
        }
      }),
      { numRuns: 100 },
    );
  });
});
