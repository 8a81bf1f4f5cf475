/*
 * Intrinsic functions in JSONPath payload templates ("key.$" fields). Random results
 * (States.UUID, States.MathRandom) are checked by a Choice state, so outputs stay fixed.
 */
import type { ConformanceCase } from '../case.js';
import { single } from '../helpers.js';

function compute(parameters: Record<string, unknown>, input: unknown, output: unknown, name: string): ConformanceCase {
  return { name, definition: single({ Type: 'Pass', Parameters: parameters }), input, expected: { status: 'SUCCEEDED', output } };
}

/** Computes `parameters`, then ends with "valid" when `rule` holds on the result, fails otherwise. */
function validated(parameters: Record<string, unknown>, rule: Record<string, unknown>): object {
  return {
    StartAt: 'Compute',
    States: {
      Compute: { Type: 'Pass', Parameters: parameters, Next: 'Check' },
      Check: { Type: 'Choice', Choices: [{ ...rule, Next: 'Valid' }], Default: 'Invalid' },
      Valid: { Type: 'Pass', Result: 'valid', End: true },
      Invalid: { Type: 'Fail', Error: 'Invalid', Cause: 'the computed value did not pass the check' },
    },
  };
}

export const cases: ConformanceCase[] = [
  compute({ 'greeting.$': "States.Format('Hello, my name is {}.', $.name)" }, { name: 'Arnav' }, { greeting: 'Hello, my name is Arnav.' }, 'States.Format fills {} with a string'),
  compute(
    { 'line.$': "States.Format('{} x {} = {} ({})', $.a, $.b, $.c, $.ok)" },
    { a: 3, b: 1.5, c: 4.5, ok: true },
    { line: '3 x 1.5 = 4.5 (true)' },
    'States.Format renders numbers and booleans',
  ),
  compute({ 'msg.$': "States.Format('It\\'s {}', $.who)" }, { who: 'me' }, { msg: "It's me" }, 'States.Format accepts an escaped quote in its template'),
  compute({ 'obj.$': 'States.StringToJson($.someString)' }, { someString: '{"number": 20}' }, { obj: { number: 20 } }, 'States.StringToJson parses a JSON string'),
  compute(
    { 'str.$': 'States.JsonToString($.data)' },
    { data: { Name: 'Foo', Age: 3, Tags: ['a'] } },
    { str: '{"Name":"Foo","Age":3,"Tags":["a"]}' },
    'States.JsonToString serialises compactly',
  ),
  compute({ 'arr.$': "States.Array('Foo', 2020, $.someJson)" }, { someJson: { random: 'abcdefg' } }, { arr: ['Foo', 2020, { random: 'abcdefg' }] }, 'States.Array builds an array from its arguments'),
  compute(
    { 'parts.$': 'States.ArrayPartition($.inputArray, 4)' },
    { inputArray: [1, 2, 3, 4, 5, 6, 7] },
    { parts: [[1, 2, 3, 4], [5, 6, 7]] },
    'States.ArrayPartition splits into chunks of a size',
  ),
  compute(
    { 'has.$': 'States.ArrayContains($.inputArray, $.lookingFor)', 'hasNot.$': 'States.ArrayContains($.inputArray, 42)' },
    { inputArray: [1, 2, 3, 4, 5, 6, 7, 8, 9], lookingFor: 5 },
    { has: true, hasNot: false },
    'States.ArrayContains tells whether a value is in an array',
  ),
  compute({ 'range.$': 'States.ArrayRange(1, 9, 2)' }, {}, { range: [1, 3, 5, 7, 9] }, 'States.ArrayRange includes both ends'),
  compute({ 'item.$': 'States.ArrayGetItem($.inputArray, $.index)' }, { inputArray: [1, 2, 3, 4, 5, 6, 7, 8, 9], index: 5 }, { item: 6 }, 'States.ArrayGetItem reads an element by index'),
  compute({ 'len.$': 'States.ArrayLength($.inputArray)' }, { inputArray: [1, 2, 3, 4, 5, 6, 7, 8, 9] }, { len: 9 }, 'States.ArrayLength counts the elements'),
  compute({ 'u.$': 'States.ArrayUnique($.inputArray)' }, { inputArray: [1, 2, 3, 3, 3, 3, 3, 3, 4] }, { u: [1, 2, 3, 4] }, 'States.ArrayUnique drops duplicates and keeps the order'),
  compute({ 'b64.$': 'States.Base64Encode($.input)' }, { input: 'Data to encode' }, { b64: 'RGF0YSB0byBlbmNvZGU=' }, 'States.Base64Encode encodes a string'),
  compute({ 'text.$': 'States.Base64Decode($.base64)' }, { base64: 'RGF0YSB0byBlbmNvZGU=' }, { text: 'Data to encode' }, 'States.Base64Decode decodes a string'),
  compute(
    { 'sha1.$': 'States.Hash($.Data, $.Algorithm)' },
    { Data: 'input data', Algorithm: 'SHA-1' },
    { sha1: 'aaff4a450a104cd177d28d18d74485e8cae074b7' },
    'States.Hash computes a SHA-1 hex digest',
  ),
  compute(
    { 'md5.$': "States.Hash($.v, 'MD5')", 'sha256.$': "States.Hash($.v, 'SHA-256')" },
    { v: 'hello' },
    { md5: '5d41402abc4b2a76b9719d911017c592', sha256: '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824' },
    'States.Hash computes MD5 and SHA-256 hex digests',
  ),
  compute(
    { 'merged.$': 'States.JsonMerge($.json1, $.json2, false)' },
    { json1: { a: { a1: 1, a2: 2 }, b: 2 }, json2: { a: { a3: 1, a4: 2 }, c: 3 } },
    { merged: { a: { a3: 1, a4: 2 }, b: 2, c: 3 } },
    'States.JsonMerge merges shallowly, the second object winning',
  ),
  compute({ 'sum.$': 'States.MathAdd($.value1, $.step)' }, { value1: 111, step: -1 }, { sum: 110 }, 'States.MathAdd adds two integers'),
  compute(
    { 'parts.$': 'States.StringSplit($.inputString, $.splitter)' },
    { inputString: '1,2,3,4,5', splitter: ',' },
    { parts: ['1', '2', '3', '4', '5'] },
    'States.StringSplit splits on a delimiter',
  ),
  compute(
    { 'parts.$': 'States.StringSplit($.inputString, $.splitter)' },
    { inputString: 'This.is+a,test=string', splitter: '.+,=' },
    { parts: ['This', 'is', 'a', 'test', 'string'] },
    'States.StringSplit treats each character of the delimiter as a delimiter',
  ),
  compute(
    { 'first.$': "States.ArrayGetItem(States.StringSplit($.path, '/'), 0)" },
    { path: 'bucket/key/file.txt' },
    { first: 'bucket' },
    'Intrinsic functions nest',
  ),
  compute(
    { 'label.$': "States.Format('{}@{}', $$.State.Name, $.v)" },
    { v: 1 },
    { label: 'S@1' },
    'Intrinsic arguments may read the context object',
  ),
  {
    name: 'States.UUID returns a version 4 UUID',
    definition: validated(
      { 'id.$': 'States.UUID()' },
      { And: [{ Variable: '$.id', IsString: true }, { Variable: '$.id', StringMatches: '*-*-4*-*-*' }] },
    ),
    expected: { status: 'SUCCEEDED', output: 'valid' },
  },
  {
    name: 'States.UUID returns a 36-character value in five dash-separated groups',
    definition: {
      StartAt: 'Make',
      States: {
        Make: { Type: 'Pass', Parameters: { 'id.$': 'States.UUID()' }, Next: 'Split' },
        Split: { Type: 'Pass', Parameters: { 'groups.$': "States.ArrayLength(States.StringSplit($.id, '-'))", 'b64.$': 'States.Base64Encode($.id)' }, Next: 'Check' },
        Check: {
          Type: 'Choice',
          // 36 characters encode to 48 base64 characters without padding.
          Choices: [{ And: [{ Variable: '$.groups', NumericEquals: 5 }, { Not: { Variable: '$.b64', StringMatches: '*=' } }], Next: 'Valid' }],
          Default: 'Invalid',
        },
        Valid: { Type: 'Pass', Result: 'valid', End: true },
        Invalid: { Type: 'Fail', Error: 'Invalid' },
      },
    },
    expected: { status: 'SUCCEEDED', output: 'valid' },
  },
  {
    name: 'Two calls of States.UUID return different values',
    definition: validated({ 'a.$': 'States.UUID()', 'b.$': 'States.UUID()' }, { Not: { Variable: '$.a', StringEqualsPath: '$.b' } }),
    expected: { status: 'SUCCEEDED', output: 'valid' },
  },
  {
    name: 'States.MathRandom returns an integer from start (inclusive) to end (exclusive)',
    definition: validated(
      { 'r.$': 'States.MathRandom($.start, $.end)' },
      { And: [{ Variable: '$.r', IsNumeric: true }, { Variable: '$.r', NumericGreaterThanEquals: 1 }, { Variable: '$.r', NumericLessThan: 999 }] },
    ),
    input: { start: 1, end: 999 },
    expected: { status: 'SUCCEEDED', output: 'valid' },
  },
  {
    name: 'States.MathRandom with a seed stays in range',
    definition: validated(
      { 'r.$': 'States.MathRandom(10, 12, 1234)' },
      { Or: [{ Variable: '$.r', NumericEquals: 10 }, { Variable: '$.r', NumericEquals: 11 }] },
    ),
    expected: { status: 'SUCCEEDED', output: 'valid' },
  },
  {
    name: 'An intrinsic function that cannot run fails with States.IntrinsicFailure',
    definition: single({ Type: 'Pass', Parameters: { 'obj.$': 'States.StringToJson($.notJson)' } }),
    input: { notJson: 'this is {not json' },
    expected: { status: 'FAILED', error: 'States.IntrinsicFailure' },
  },
];
