/*
 * The validator faces whatever a user's file holds. It must answer every input with a list
 * of problems, never an exception: a crash would hide the problems it had already found.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateDefinition, type ValidationProblem } from '../../../src/asl/validate/index.js';

function expectProblems(def: unknown): ValidationProblem[] {
  let problems: ValidationProblem[] = [];
  expect(() => {
    problems = validateDefinition(def);
  }).not.toThrow();
  expect(Array.isArray(problems)).toBe(true);
  for (const p of problems) {
    expect(typeof p.path).toBe('string');
    expect(typeof p.message).toBe('string');
    expect(p.message).not.toMatch(/internal validator error/);
  }
  return problems;
}

const ODD: [string, unknown][] = [
  ['null', null],
  ['a number', 42],
  ['a string', 'StartAt'],
  ['an array', []],
  ['undefined', undefined],
  ['States a number', { States: 5 }],
  ['States an array', { StartAt: 'A', States: [1, 2] }],
  ['States null', { StartAt: 'A', States: null }],
  ['StartAt an object', { StartAt: {}, States: {} }],
  ['state null', { StartAt: 'A', States: { A: null } }],
  ['state an array', { StartAt: 'A', States: { A: [] } }],
  ['Type an object', { StartAt: 'A', States: { A: { Type: { x: 1 } } } }],
  ['Branches of junk', { StartAt: 'P', States: { P: { Type: 'Parallel', Branches: [null, 1, 'x', [], { States: 3 }], End: true } } }],
  ['ItemProcessor a string', { StartAt: 'M', States: { M: { Type: 'Map', ItemProcessor: 'x', End: true } } }],
  ['ProcessorConfig null', { StartAt: 'M', States: { M: { Type: 'Map', ItemProcessor: { ProcessorConfig: null, StartAt: 'X', States: { X: { Type: 'Succeed' } } }, End: true } } }],
  ['Choices of junk', { StartAt: 'C', States: { C: { Type: 'Choice', Choices: [null, 1, [], { And: 'x' }, { Not: null }, { Or: [null] }] } } }],
  ['Retry and Catch of junk', { StartAt: 'T', States: { T: { Type: 'Task', Resource: 1, Retry: [null, 'x'], Catch: [[], { ErrorEquals: 'x' }], End: true } } }],
  ['Parameters of junk', { StartAt: 'A', States: { A: { Type: 'Pass', Parameters: { 'a.$': null, b: [{ 'c.$': {} }] }, End: true } } }],
  ['Assign of junk', { StartAt: 'A', States: { A: { Type: 'Pass', Assign: { '': 1, '.$': 2, 'ok.$': null }, End: true } } }],
  ['JSONata junk', { QueryLanguage: 'JSONata', StartAt: 'A', States: { A: { Type: 'Pass', Output: ['{%', '%}', '{% %}', '{%%}', '{% $ %}'], End: true } } }],
  ['prototype-looking names', JSON.parse('{"StartAt":"__proto__","States":{"__proto__":{"Type":"Pass","Next":"constructor"},"constructor":{"Type":"Succeed"}}}')],
  ['a state named toString', { StartAt: 'toString', States: { toString: { Type: 'Pass', Next: 'hasOwnProperty' }, hasOwnProperty: { Type: 'Succeed' } } }],
];

function deep(levels: number): unknown {
  let value: unknown = { 'x.$': '$.a' };
  for (let i = 0; i < levels; i++) value = { nested: [value] };
  return value;
}

function deepParallel(levels: number): unknown {
  let branch: unknown = { StartAt: 'S', States: { S: { Type: 'Succeed' } } };
  for (let i = 0; i < levels; i++) branch = { StartAt: `P${i}`, States: { [`P${i}`]: { Type: 'Parallel', Branches: [branch], End: true } } };
  return branch;
}

describe('validateDefinition never throws', () => {
  for (const [name, def] of ODD) {
    it(name, () => {
      expectProblems(def);
    });
  }

  it('reports a non-object definition at (root)', () => {
    expect(expectProblems(null)).toEqual([{ path: '(root)', message: expect.stringContaining('must be a JSON object') }]);
  });

  it('deeply nested templates', () => {
    expectProblems({ StartAt: 'A', States: { A: { Type: 'Pass', Parameters: deep(5000), End: true } } });
  });

  it('deeply nested Parallel states', () => {
    expectProblems(deepParallel(200));
  });

  it('a cyclic object', () => {
    const state: Record<string, unknown> = { Type: 'Parallel', End: true };
    const body = { StartAt: 'P', States: { P: state } };
    state.Branches = [body];
    const problems = validateDefinition(body);
    expect(Array.isArray(problems)).toBe(true);
  });

  it('random JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expectProblems(value);
      }),
      { numRuns: 300 },
    );
  });

  it('random machines of state-like objects', () => {
    const key = fc.constantFrom('Type', 'Next', 'End', 'Choices', 'Branches', 'ItemProcessor', 'Retry', 'Catch', 'Parameters', 'Assign', 'QueryLanguage', 'Seconds', 'Output');
    const value = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constantFrom('Task', 'Pass', 'Choice', 'Map', 'Parallel', 'JSONata', 'A', '{% $x %}', '$.a'));
    const state = fc.dictionary(key, value, { maxKeys: 6 });
    const machine = fc.record({
      QueryLanguage: fc.constantFrom('JSONPath', 'JSONata', 5),
      StartAt: fc.constantFrom('A', 'B', 1),
      States: fc.dictionary(fc.constantFrom('A', 'B', 'C'), state, { maxKeys: 3 }),
    });
    fc.assert(
      fc.property(machine, (def) => {
        expectProblems(def);
      }),
      { numRuns: 300 },
    );
  });
});
