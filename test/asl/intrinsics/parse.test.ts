import { describe, expect, it } from 'vitest';
import type { IntrinsicCall } from '../../../src/asl/intrinsics/index.js';
import { checkIntrinsic, INTRINSIC_FUNCTIONS, IntrinsicSyntaxError, isIntrinsicCall, parseIntrinsic } from '../../../src/asl/intrinsics/index.js';

describe('parseIntrinsic', () => {
  const rows: { text: string; expected: IntrinsicCall }[] = [
    {
      text: "States.Format('Hello {}, id {}', $.name, $$.Execution.Id)",
      expected: {
        name: 'States.Format',
        args: [
          { kind: 'literal', value: 'Hello {}, id {}', raw: 'Hello {}, id {}' },
          { kind: 'path', path: '$.name' },
          { kind: 'path', path: '$$.Execution.Id' },
        ],
      },
    },
    {
      text: "States.Array(States.MathAdd(1, 2), 'x', true, null, 3.5, -2)",
      expected: {
        name: 'States.Array',
        args: [
          { kind: 'call', call: { name: 'States.MathAdd', args: [{ kind: 'literal', value: 1 }, { kind: 'literal', value: 2 }] } },
          { kind: 'literal', value: 'x', raw: 'x' },
          { kind: 'literal', value: true },
          { kind: 'literal', value: null },
          { kind: 'literal', value: 3.5 },
          { kind: 'literal', value: -2 },
        ],
      },
    },
    { text: 'States.UUID()', expected: { name: 'States.UUID', args: [] } },
    { text: ' States.UUID ( ) ', expected: { name: 'States.UUID', args: [] } },
    { text: 'States.Array(false, 1e3, -0.25)', expected: { name: 'States.Array', args: [{ kind: 'literal', value: false }, { kind: 'literal', value: 1000 }, { kind: 'literal', value: -0.25 }] } },
    {
      text: String.raw`States.Format('a\'b\{\}c\\d')`,
      expected: { name: 'States.Format', args: [{ kind: 'literal', value: "a'b{}c\\d", raw: String.raw`a\'b\{\}c\\d` }] },
    },
    { text: "States.Array('$.notAPath', 'States.Array()')", expected: { name: 'States.Array', args: [{ kind: 'literal', value: '$.notAPath', raw: '$.notAPath' }, { kind: 'literal', value: 'States.Array()', raw: 'States.Array()' }] } },
    { text: "States.Array($['a,b'], $.c[?(@.d == 'e)')])", expected: { name: 'States.Array', args: [{ kind: 'path', path: "$['a,b']" }, { kind: 'path', path: "$.c[?(@.d == 'e)')]" }] } },
    { text: "States.Array($.abc.['def ghi'])", expected: { name: 'States.Array', args: [{ kind: 'path', path: "$.abc['def ghi']" }] } },
    { text: 'States.Array($)', expected: { name: 'States.Array', args: [{ kind: 'path', path: '$' }] } },
  ];

  it.each(rows)('$text', ({ text, expected }) => {
    expect(parseIntrinsic(text)).toEqual(expected);
  });

  const bad: { text: string; errorMatch: RegExp }[] = [
    { text: '', errorMatch: /expected a function name/ },
    { text: 'Format(1)', errorMatch: /expected a function name/ },
    { text: 'States.Format', errorMatch: /expected "\(" after States\.Format/ },
    { text: "States.Format('a'", errorMatch: /missing "\)" closing States\.Format/ },
    { text: "States.Format('a)", errorMatch: /unterminated string literal/ },
    { text: "States.Format('a' 'b')", errorMatch: /expected "," or "\)" but found "'"/ },
    { text: 'States.Array(1,)', errorMatch: /missing argument/ },
    { text: 'States.Array(,1)', errorMatch: /missing argument/ },
    { text: 'States.Array(1) extra', errorMatch: /unexpected text after the closing/ },
    { text: 'States.Array(foo)', errorMatch: /unexpected "f"/ },
    { text: 'States.Array(truex)', errorMatch: /unexpected "t"/ },
    { text: 'States.Array("double")', errorMatch: /unexpected """/ },
    { text: String.raw`States.Array('\x')`, errorMatch: /invalid escape "\\x"/ },
    { text: "States.Array('trailing\\", errorMatch: /invalid escape "\\"/ },
    { text: 'States.Array(01)', errorMatch: /expected "," or "\)"/ },
    { text: 'States.Array('.repeat(5000) + ')'.repeat(5000), errorMatch: /nested more than 64 deep/ },
  ];

  it.each(bad)('rejects $text', ({ text, errorMatch }) => {
    expect(() => parseIntrinsic(text)).toThrow(IntrinsicSyntaxError);
    expect(() => parseIntrinsic(text)).toThrow(errorMatch);
  });
});

describe('isIntrinsicCall', () => {
  it.each([
    ['States.Format($.a)', true],
    ['  States.UUID()', true],
    ['States.Nope(1)', true],
    ['States.Array (1)', true],
    ['$.States.Format', false],
    ['States.', false],
    ['States.Format', false],
    ['states.Format()', false],
    ['$.a', false],
  ] as const)('%s -> %s', (text, expected) => {
    expect(isIntrinsicCall(text)).toBe(expected);
  });
});

describe('checkIntrinsic', () => {
  it.each([
    "States.Format('Hello {}, id {}', $.name, $$.Execution.Id)",
    'States.UUID()',
    'States.MathRandom(1, 2)',
    'States.MathRandom(1, 2, 3)',
    "States.Array($.a[?(@.b > 1)], $..c, $['d e'])",
    "States.Format('{}.{}.{}', States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($.Arn, '/'), 2), '.'), 0), States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($.Arn, '/'), 2), '.'), 1))",
  ])('accepts %s', (text) => {
    expect(checkIntrinsic(text)).toBeUndefined();
  });

  it.each([
    ["States.Format('x", /unterminated string literal/],
    ['States.Nope(1)', /Unknown intrinsic function "States\.Nope"/],
    ['States.Array(States.Nope())', /Unknown intrinsic function "States\.Nope"/],
    ['States.MathAdd(1)', /States\.MathAdd expects exactly 2 arguments, got 1/],
    ['States.JsonMerge($.a, $.b)', /States\.JsonMerge expects exactly 3 arguments, got 2/],
    ['States.Array(States.UUID(1))', /States\.UUID expects exactly 0 arguments, got 1/],
    ['States.MathRandom(1)', /States\.MathRandom expects 2 to 3 arguments, got 1/],
    ['States.Format()', /States\.Format expects at least 1 argument, got 0/],
    ['States.Array($.a.)', /States\.Array: invalid path argument "\$\.a\."/],
    ['States.Array($$.a b)', /invalid path argument "\$\$\.a b"/],
    ['States.Array($.a[)', /invalid path argument|missing/],
    [
      'States.Array(States.Array(States.Array(States.Array(States.Array(States.Array(States.Array(States.Array(States.Array(States.Array(States.Array())))))))))) ',
      /Too many intrinsic functions in one field: 11, at most 10/,
    ],
  ] as const)('reports %s', (text, problem) => {
    expect(checkIntrinsic(text)).toMatch(problem);
  });

  it('knows every function the evaluator implements', () => {
    expect([...INTRINSIC_FUNCTIONS.keys()].sort()).toEqual(
      [
        'States.Array', 'States.ArrayContains', 'States.ArrayGetItem', 'States.ArrayLength', 'States.ArrayPartition',
        'States.ArrayRange', 'States.ArrayUnique', 'States.Base64Decode', 'States.Base64Encode', 'States.Format',
        'States.Hash', 'States.JsonMerge', 'States.JsonToString', 'States.MathAdd', 'States.MathRandom',
        'States.StringSplit', 'States.StringToJson', 'States.UUID',
      ].sort(),
    );
  });
});

describe('properties', () => {
  const escape = (s: string) => s.replace(/[\\'{}]/g, (c) => `\\${c}`);

  it('a string literal escaped as AWS documents parses back to the same string', async () => {
    const fc = (await import('fast-check')).default;
    fc.assert(
      fc.property(fc.string(), (s) => {
        const call = parseIntrinsic(`States.Array('${escape(s)}')`);
        expect(call.args).toEqual([{ kind: 'literal', value: s, raw: escape(s) }]);
      }),
    );
  });

  it('checkIntrinsic reports, never throws, whatever the text', async () => {
    const fc = (await import('fast-check')).default;
    const piece = fc.constantFrom('States.Array(', 'States.Format(', ')', '(', ',', "'", '\\', '$', '$$', '.a', '[0]', '[?(@.x)]', '{}', '1', '-', 'true', ' ');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (parts) => {
        const result = checkIntrinsic(parts.join(''));
        expect(result === undefined || typeof result === 'string').toBe(true);
      }),
    );
  });
});
