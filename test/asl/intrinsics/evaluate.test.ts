/*
 * Table-driven tests of every intrinsic function. Rows marked "AWS doc" reproduce the
 * examples of https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html;
 * rows marked "AWS observed" reproduce results recorded against AWS (LocalStack's snapshots).
 */
import { describe, expect, it } from 'vitest';
import { StatesIntrinsicFailure } from '../../../src/asl/errors.js';
import type { IntrinsicEnv } from '../../../src/asl/intrinsics/index.js';
import { evaluateIntrinsic, parseIntrinsic } from '../../../src/asl/intrinsics/index.js';
import type { Json } from '../../../src/asl/types.js';

const docInput = {
  Id: 123456,
  name: 'Arnav',
  template: 'Hello, my name is {}.',
  escapedJsonString: '{"foo": "bar"}',
  unescapedJson: { foo: 'bar' },
  someJson: { name: 'Foo', year: 2020 },
  inputArray: [1, 2, 3, 4, 5, 6, 7, 8, 9],
  dupes: [1, 2, 3, 3, 3, 3, 3, 3, 4],
  lookingFor: 5,
  index: 5,
  input: 'Data to encode',
  base64: 'RGF0YSB0byBlbmNvZGU=',
  Data: 'input data',
  Algorithm: 'SHA-1',
  json1: { a: { a1: 1, a2: 2 }, b: 2 },
  json2: { a: { a3: 1, a4: 2 }, c: 3 },
  start: 1,
  end: 999,
  value1: 111,
  step: -1,
  inputString: '1,2,3,4,5',
  splitter: ',',
  multi: 'This.is+a,test=string',
  multiSplitter: '.+,=',
  ImageRecipe: { Arn: 'arn:aws:imagebuilder:us-east-1:123456789012:image-recipe/my-recipe/1.0.0' },
  'def ghi': 'spaced',
  abc: { 'def ghi': 'nested spaced' },
  obj: { a: 1 },
  arr: [1, 2],
  nothing: null,
  flag: true,
  long: 'x'.repeat(10_001),
  max: 'x'.repeat(10_000),
};

const context = {
  Execution: { Id: 'arn:aws:states:us-east-1:123456789012:execution:sm:run-1', Name: 'run-1', Input: { a: 1 } },
  State: { Name: 'Build', EnteredTime: '2024-01-01T00:00:00Z' },
  Map: { Item: { Index: 2, Value: { id: 'item-2' } } },
};

function env(input: unknown = docInput, random: () => number = () => 0.5): IntrinsicEnv {
  return { input, context, random };
}

/** A deterministic stand-in for the interpreter's seeded random source. */
function sequence(...values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length] as number;
}

interface Row {
  expression: string;
  input?: unknown;
  expected: Json;
}

const rows: Row[] = [
  // States.Format
  { expression: "States.Format('Hello, my name is {}.', $.name)", expected: 'Hello, my name is Arnav.' }, // AWS doc
  { expression: 'States.Format($.template, $.name)', expected: 'Hello, my name is Arnav.' }, // AWS doc
  { expression: "States.Format('Your name is {}, we are in the year {}', $.name, 2020)", expected: 'Your name is Arnav, we are in the year 2020' }, // ASL spec
  { expression: "States.Format('no placeholders')", expected: 'no placeholders' },
  { expression: "States.Format('{}{}', 'a', 'b')", expected: 'ab' },
  { expression: "States.Format('{} {} {} {}', 1.1, true, null, -3)", expected: '1.1 true null -3' }, // AWS observed: null prints as null
  { expression: "States.Format('[{}]', '')", expected: '[]' },
  { expression: String.raw`States.Format('literal \{\} and {}', $.name)`, expected: 'literal {} and Arnav' },
  { expression: String.raw`States.Format('it\'s {}', $.name)`, expected: "it's Arnav" },
  { expression: String.raw`States.Format('back\\slash {}', 1)`, expected: 'back\\slash 1' },
  { expression: String.raw`States.Format('\\{}', 1)`, expected: '\\1' }, // an escaped backslash does not escape the brace
  { expression: "States.Format('raw {}', $.escapedJsonString)", expected: 'raw {"foo": "bar"}' }, // strings go in without quotes
  { expression: "States.Format('{}', $.template)", expected: 'Hello, my name is {}.' }, // inserted values are not re-scanned
  { expression: "States.Format('exec {} state {}', $$.Execution.Name, $$.State.Name)", expected: 'exec run-1 state Build' },
  { expression: "States.Format('item {}', $$.Map.Item.Index)", expected: 'item 2' },
  { expression: "States.Format('{} and {}', 'a,b', 'c)')", expected: 'a,b and c)' },
  // States.StringToJson
  { expression: 'States.StringToJson($.escapedJsonString)', expected: { foo: 'bar' } }, // AWS doc
  { expression: String.raw`States.StringToJson('{"number": 20}')`, expected: { number: 20 } },
  { expression: "States.StringToJson('[1, 2, \"x\"]')", expected: [1, 2, 'x'] },
  { expression: "States.StringToJson('true')", expected: true },
  { expression: "States.StringToJson('-0')", expected: 0 }, // AWS observed
  { expression: "States.StringToJson('')", expected: null }, // AWS observed
  { expression: "States.StringToJson('  ')", expected: null }, // AWS observed
  // States.JsonToString
  { expression: 'States.JsonToString($.unescapedJson)', expected: '{"foo":"bar"}' }, // AWS doc
  { expression: 'States.JsonToString($.someJson)', expected: '{"name":"Foo","year":2020}' }, // ASL spec
  { expression: 'States.JsonToString($.nothing)', expected: 'null' },
  { expression: 'States.JsonToString($.arr)', expected: '[1,2]' },
  { expression: 'States.JsonToString($.name)', expected: '"Arnav"' },
  { expression: 'States.StringToJson(States.JsonToString($.json1))', expected: docInput.json1 },
  // States.Array
  { expression: 'States.Array($.Id)', expected: [123456] }, // AWS doc
  { expression: "States.Array('Foo', 2020, $.unescapedJson, null)", expected: ['Foo', 2020, { foo: 'bar' }, null] }, // ASL spec
  { expression: 'States.Array()', expected: [] },
  { expression: "States.Array(States.MathAdd(1, 2), 'x', true, null, 3.5, -2)", expected: [3, 'x', true, null, 3.5, -2] },
  { expression: 'States.Array($$.Execution.Input, $$.Map.Item.Value)', expected: [{ a: 1 }, { id: 'item-2' }] },
  { expression: 'States.Array(States.Array(1), States.Array())', expected: [[1], []] },
  // States.ArrayPartition
  { expression: 'States.ArrayPartition($.inputArray,4)', expected: [[1, 2, 3, 4], [5, 6, 7, 8], [9]] }, // AWS doc
  { expression: 'States.ArrayPartition($.inputArray, 9)', expected: [[1, 2, 3, 4, 5, 6, 7, 8, 9]] },
  { expression: 'States.ArrayPartition($.inputArray, 20)', expected: [[1, 2, 3, 4, 5, 6, 7, 8, 9]] },
  { expression: 'States.ArrayPartition(States.Array(), 2)', expected: [] },
  { expression: 'States.ArrayPartition($.inputArray, 3.6)', expected: [[1, 2, 3, 4], [5, 6, 7, 8], [9]] }, // AWS doc: rounded
  // States.ArrayContains
  { expression: 'States.ArrayContains($.inputArray, $.lookingFor)', expected: true }, // AWS doc
  { expression: 'States.ArrayContains($.inputArray, 10)', expected: false },
  { expression: "States.ArrayContains(States.Array($.obj, 'x'), $.obj)", expected: true }, // deep equality
  { expression: "States.ArrayContains(States.Array(States.StringToJson('{\"b\":2,\"a\":1}')), States.StringToJson('{\"a\":1,\"b\":2}'))", expected: true },
  { expression: 'States.ArrayContains(States.Array(States.Array(1, 2)), $.arr)', expected: true },
  { expression: "States.ArrayContains(States.Array(1, '1'), '2')", expected: false },
  { expression: 'States.ArrayContains(States.Array(), null)', expected: false },
  // States.ArrayRange
  { expression: 'States.ArrayRange(1, 9, 2)', expected: [1, 3, 5, 7, 9] }, // AWS doc
  { expression: 'States.ArrayRange(0, 10, 3)', expected: [0, 3, 6, 9] },
  { expression: 'States.ArrayRange(1, 9, 9)', expected: [1] },
  { expression: 'States.ArrayRange(5, 1, -2)', expected: [5, 3, 1] },
  { expression: 'States.ArrayRange(5, 5, 1)', expected: [5] },
  { expression: 'States.ArrayRange(5, 1, 1)', expected: [] },
  { expression: 'States.ArrayRange(0.6, 2.4, 1)', expected: [1, 2] }, // AWS doc: rounded
  { expression: 'States.ArrayLength(States.ArrayRange(1, 1000, 1))', expected: 1000 },
  // States.ArrayGetItem
  { expression: 'States.ArrayGetItem($.inputArray, $.index)', expected: 6 }, // AWS doc
  { expression: 'States.ArrayGetItem($.inputArray, 0)', expected: 1 },
  { expression: 'States.ArrayGetItem($.inputArray, 8)', expected: 9 },
  { expression: "States.ArrayGetItem(States.Array(null, 'x'), 0)", expected: null },
  // States.ArrayLength
  { expression: 'States.ArrayLength($.inputArray)', expected: 9 }, // AWS doc
  { expression: 'States.ArrayLength(States.Array())', expected: 0 },
  // States.ArrayUnique
  { expression: 'States.ArrayUnique($.dupes)', expected: [1, 2, 3, 4] }, // AWS doc
  { expression: "States.ArrayUnique(States.Array($.obj, 'x', $.obj, 1, 'x', $.arr, $.arr, null, null, true, 1.0))", expected: [{ a: 1 }, 'x', 1, [1, 2], null, true] },
  { expression: "States.ArrayUnique(States.Array('b', 'a', 'b'))", expected: ['b', 'a'] }, // first occurrences, order kept
  // States.Base64Encode / Base64Decode
  { expression: 'States.Base64Encode($.input)', expected: 'RGF0YSB0byBlbmNvZGU=' }, // AWS doc
  // The AWS doc prints "Decoded data" for this example, which is not what the string decodes to.
  { expression: 'States.Base64Decode($.base64)', expected: 'Data to encode' },
  { expression: "States.Base64Encode('')", expected: '' },
  { expression: "States.Base64Decode('')", expected: '' },
  { expression: "States.Base64Encode('héllo ✓')", expected: 'aMOpbGxvIOKckw==' },
  { expression: "States.Base64Decode('aMOpbGxvIOKckw==')", expected: 'héllo ✓' },
  { expression: "States.Base64Decode('YQ')", expected: 'a' }, // padding may be omitted
  { expression: 'States.Base64Decode(States.Base64Encode($.multi))', expected: docInput.multi },
  { expression: 'States.ArrayLength(States.Array(States.Base64Encode($.max)))', expected: 1 },
  // States.Hash: the AWS doc prints the SHA-1 with a character missing (aaff4a...d7485e...).
  { expression: 'States.Hash($.Data, $.Algorithm)', expected: 'aaff4a450a104cd177d28d18d74485e8cae074b7' },
  { expression: "States.Hash('input data', 'MD5')", expected: '812f45842bc6d66ee14572ce20db8e86' },
  { expression: "States.Hash('input data', 'SHA-256')", expected: 'b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3' },
  { expression: "States.Hash('', 'SHA-384')", expected: '38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da274edebfe76f65fbd51ad2f14898b95b' },
  { expression: "States.Hash('', 'SHA-512')", expected: 'cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e' },
  // States.JsonMerge
  { expression: 'States.JsonMerge($.json1, $.json2, false)', expected: { a: { a3: 1, a4: 2 }, b: 2, c: 3 } }, // AWS doc
  { expression: 'States.JsonMerge($.obj, States.StringToJson(\'{}\'), false)', expected: { a: 1 } },
  { expression: 'States.JsonMerge($$.Execution.Input, $.obj, false)', expected: { a: 1 } },
  // States.MathAdd
  { expression: 'States.MathAdd($.value1, $.step)', expected: 110 }, // AWS doc
  { expression: 'States.MathAdd(-9, 3)', expected: -6 }, // AWS observed
  { expression: 'States.MathAdd(1.49, 1.5)', expected: 3 }, // AWS observed: rounded, half up
  { expression: 'States.MathAdd(-1.49, -1.5)', expected: -2 }, // AWS observed: -1.5 rounds to -1
  { expression: 'States.MathAdd(2147483647, 0)', expected: 2147483647 },
  { expression: 'States.MathAdd(-2147483648, -1)', expected: -2147483649 },
  { expression: 'States.MathAdd(States.ArrayLength($.inputArray), $$.Map.Item.Index)', expected: 11 },
  // States.StringSplit
  { expression: 'States.StringSplit($.inputString, $.splitter)', expected: ['1', '2', '3', '4', '5'] }, // AWS doc
  { expression: 'States.StringSplit($.multi, $.multiSplitter)', expected: ['This', 'is', 'a', 'test', 'string'] }, // AWS doc
  { expression: "States.StringSplit(' , ', ',')", expected: [' ', ' '] }, // AWS observed
  { expression: "States.StringSplit(', , ,', ',')", expected: [' ', ' '] }, // AWS observed: empty parts dropped
  { expression: "States.StringSplit(',,,,', ',')", expected: [] }, // AWS observed
  { expression: "States.StringSplit(' ', ',')", expected: [' '] }, // AWS observed
  { expression: "States.StringSplit('Hello\nWorld', '\n')", expected: ['Hello', 'World'] }, // AWS observed
  { expression: "States.StringSplit('split on T and \nnew line', 'T\n')", expected: ['split on ', ' and ', 'new line'] }, // AWS observed
  { expression: "States.StringSplit('abc', '')", expected: ['abc'] },
  // Nested calls, as in the AWS doc's nine-call example
  {
    expression:
      "States.Format('{}.{}.{}', States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 0), States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 1), States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 2))",
    expected: '1.0.0',
  },
  // Path arguments: bracket notation (with the ".[" form the AWS doc shows), indexes, whitespace
  { expression: "States.Array($['def ghi'], $.abc.['def ghi'], $.abc['def ghi'])", expected: ['spaced', 'nested spaced', 'nested spaced'] },
  { expression: 'States.Array( $.inputArray[0] ,$.json1.a.a2 )', expected: [1, 2] },
  { expression: 'States.ArrayLength($.inputArray[?(@ > 4)])', expected: 5 },
  { expression: 'States.JsonToString($)', input: { k: [true] }, expected: '{"k":[true]}' },
  { expression: '  States.Array ( 1 )  ', expected: [1] },
];

describe('evaluateIntrinsic: results', () => {
  it.each(rows)('$expression', ({ expression, input, expected }) => {
    expect(evaluateIntrinsic(expression, env(input ?? docInput))).toEqual(expected);
  });
});

interface ErrorRow {
  expression: string;
  input?: unknown;
  errorMatch: RegExp;
}

const errorRows: ErrorRow[] = [
  // Paths that match nothing
  { expression: 'States.Array($.missing)', errorMatch: /States\.Array: the path "\$\.missing" does not match anything in the input/ },
  { expression: 'States.Array($$.Execution.Nope)', errorMatch: /does not match anything in the context object/ },
  { expression: 'States.ArrayGetItem($.inputArray, $.inputArray[20])', errorMatch: /States\.ArrayGetItem: the path/ },
  // Syntax and arity (also reported by checkIntrinsic, but a definition may bypass validation)
  { expression: 'States.Nope(1)', errorMatch: /Unknown intrinsic function "States\.Nope"/ },
  { expression: "States.Format('x", errorMatch: /unterminated string literal/ },
  { expression: String.raw`States.Format('bad \n escape')`, errorMatch: /invalid escape/ },
  { expression: 'States.MathAdd(1)', errorMatch: /States\.MathAdd expects exactly 2 arguments, got 1/ },
  { expression: 'States.UUID(1)', errorMatch: /States\.UUID expects exactly 0 arguments, got 1/ },
  { expression: 'States.Format()', errorMatch: /States\.Format expects at least 1 argument/ },
  { expression: 'States.MathRandom(1, 2, 3, 4)', errorMatch: /States\.MathRandom expects 2 to 3 arguments, got 4/ },
  // States.Format
  { expression: "States.Format('{} {}', 1)", errorMatch: /States\.Format: the template has 2 placeholder\(s\) "\{\}" but 1 value\(s\) were given/ },
  { expression: "States.Format('{}', 1, 2)", errorMatch: /has 1 placeholder\(s\) "\{\}" but 2 value/ },
  { expression: String.raw`States.Format('\{\}', 1)`, errorMatch: /has 0 placeholder/ },
  { expression: "States.Format('{}', $.obj)", errorMatch: /States\.Format: value 1 must be a string, number, boolean or null, got an object/ },
  { expression: "States.Format('{}', $.arr)", errorMatch: /got an array/ },
  { expression: 'States.Format(1)', errorMatch: /States\.Format: the template \(first argument\) must be a string, got number 1/ },
  // States.StringToJson / JsonToString
  { expression: "States.StringToJson('{bad')", errorMatch: /States\.StringToJson: the argument is not valid JSON/ },
  { expression: 'States.StringToJson($.obj)', errorMatch: /States\.StringToJson: the argument must be a string, got an object/ },
  { expression: 'States.StringToJson(5)', errorMatch: /must be a string, got number 5/ },
  // Arrays
  { expression: 'States.ArrayPartition($.obj, 2)', errorMatch: /States\.ArrayPartition: the first argument must be an array, got an object/ },
  { expression: 'States.ArrayPartition($.inputArray, 0)', errorMatch: /States\.ArrayPartition: the chunk size must be a positive integer, got 0/ },
  { expression: 'States.ArrayPartition($.inputArray, -1)', errorMatch: /must be a positive integer, got -1/ },
  { expression: 'States.ArrayPartition($.inputArray, 0.4)', errorMatch: /must be a positive integer, got 0/ },
  { expression: "States.ArrayPartition($.inputArray, '2')", errorMatch: /the chunk size must be a number, got string "2"/ },
  { expression: "States.ArrayContains('abc', 'a')", errorMatch: /States\.ArrayContains: the first argument must be an array, got string "abc"/ },
  { expression: 'States.ArrayRange(1, 9, 0)', errorMatch: /States\.ArrayRange: the step must not be 0/ },
  { expression: 'States.ArrayRange(1, 9, 0.4)', errorMatch: /the step must not be 0/ },
  { expression: 'States.ArrayRange(1, 1001, 1)', errorMatch: /States\.ArrayRange: the result would have 1001 items, more than the limit of 1000/ },
  { expression: "States.ArrayRange('1', 9, 1)", errorMatch: /the start must be a number, got string "1"/ },
  { expression: 'States.ArrayRange(1, null, 1)', errorMatch: /the end must be a number, got null/ },
  { expression: 'States.ArrayGetItem($.inputArray, 9)', errorMatch: /States\.ArrayGetItem: index 9 is out of range for an array of length 9/ },
  { expression: 'States.ArrayGetItem($.inputArray, -1)', errorMatch: /index -1 is out of range/ },
  { expression: 'States.ArrayGetItem($.inputArray, 1.5)', errorMatch: /the index must be an integer, got number 1.5/ },
  { expression: 'States.ArrayGetItem($.obj, 0)', errorMatch: /the first argument must be an array, got an object/ },
  { expression: 'States.ArrayLength($.name)', errorMatch: /States\.ArrayLength: the argument must be an array, got string "Arnav"/ },
  { expression: 'States.ArrayUnique(null)', errorMatch: /States\.ArrayUnique: the argument must be an array, got null/ },
  // Encoding and hashing
  { expression: 'States.Base64Encode($.long)', errorMatch: /States\.Base64Encode: the argument must be at most 10000 characters, got 10001/ },
  { expression: 'States.Base64Encode($.Id)', errorMatch: /States\.Base64Encode: the argument must be a string, got number 123456/ },
  { expression: 'States.Base64Decode($.long)', errorMatch: /States\.Base64Decode: the argument must be at most 10000 characters/ },
  { expression: "States.Base64Decode('not base64!')", errorMatch: /States\.Base64Decode: the argument is not valid Base64/ },
  { expression: "States.Base64Decode('abcde')", errorMatch: /not valid Base64/ },
  { expression: "States.Hash('x', 'SHA1')", errorMatch: /States\.Hash: unsupported algorithm "SHA1"; expected one of MD5, SHA-1, SHA-256, SHA-384, SHA-512/ },
  { expression: "States.Hash('x', 'sha-256')", errorMatch: /unsupported algorithm "sha-256"/ },
  { expression: "States.Hash('x', 'toString')", errorMatch: /unsupported algorithm "toString"/ },
  { expression: "States.Hash($.long, 'MD5')", errorMatch: /States\.Hash: the data must be at most 10000 characters, got 10001/ },
  { expression: "States.Hash($.obj, 'MD5')", errorMatch: /States\.Hash: the data must be a string, got an object/ },
  { expression: 'States.Hash($.Data, 256)', errorMatch: /the algorithm must be a string, got number 256/ },
  // States.JsonMerge
  { expression: 'States.JsonMerge($.json1, $.json2, true)', errorMatch: /States\.JsonMerge: deep merging is not supported; the third argument must be false/ },
  { expression: "States.JsonMerge($.json1, $.json2, 'false')", errorMatch: /the third argument \(deep merge\) must be a boolean, got string "false"/ },
  { expression: 'States.JsonMerge($.arr, $.json2, false)', errorMatch: /States\.JsonMerge: the first argument must be an object, got an array/ },
  { expression: 'States.JsonMerge($.json1, null, false)', errorMatch: /the second argument must be an object, got null/ },
  // Math
  { expression: "States.MathAdd('1', 2)", errorMatch: /States\.MathAdd: the first argument must be a number, got string "1"/ },
  { expression: 'States.MathAdd(1, true)', errorMatch: /the second argument must be a number, got boolean true/ },
  { expression: 'States.MathAdd(2147483648, 1)', errorMatch: /States\.MathAdd: the first argument must be between -2147483648 and 2147483647, got 2147483648/ },
  { expression: 'States.MathAdd(1, -2147483649)', errorMatch: /the second argument must be between/ },
  { expression: 'States.MathRandom(5, 5)', errorMatch: /States\.MathRandom: the start \(5\) must be less than the end \(5\)/ },
  { expression: 'States.MathRandom(9, 1)', errorMatch: /must be less than the end/ },
  { expression: "States.MathRandom(1, 9, 'seed')", errorMatch: /States\.MathRandom: the seed must be a number, got string "seed"/ },
  { expression: "States.MathRandom($.name, 9)", errorMatch: /the start must be a number/ },
  // States.StringSplit
  { expression: "States.StringSplit($.inputArray, ',')", errorMatch: /States\.StringSplit: the first argument must be a string, got an array/ },
  { expression: "States.StringSplit('a,b', 1)", errorMatch: /States\.StringSplit: the delimiter must be a string, got number 1/ },
  // Errors inside nested calls surface with the inner function's name
  { expression: "States.Array(States.ArrayGetItem(States.Array(), 0))", errorMatch: /States\.ArrayGetItem: index 0 is out of range/ },
];

describe('evaluateIntrinsic: errors', () => {
  it.each(errorRows)('$expression', ({ expression, input, errorMatch }) => {
    let thrown: unknown;
    try {
      evaluateIntrinsic(expression, env(input ?? docInput));
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(StatesIntrinsicFailure);
    const failure = thrown as StatesIntrinsicFailure;
    expect(failure.error).toBe('States.IntrinsicFailure');
    expect(failure.cause).toMatch(errorMatch);
  });
});

describe('randomness comes only from env.random', () => {
  const uuidV4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

  it('States.UUID returns a v4 UUID built from env.random, so replays repeat it', () => {
    const draws = Array.from({ length: 16 }, (_, i) => i / 16 + 0.01);
    const a = evaluateIntrinsic('States.UUID()', env(docInput, sequence(...draws)));
    const b = evaluateIntrinsic('States.UUID()', env(docInput, sequence(...draws)));
    expect(a).toMatch(uuidV4);
    expect(a).toBe(b);
    expect(evaluateIntrinsic('States.UUID()', env(docInput, () => 0))).toBe('00000000-0000-4000-8000-000000000000');
    expect(evaluateIntrinsic('States.UUID()', env(docInput, () => 0.999999))).toBe('ffffffff-ffff-4fff-bfff-ffffffffffff');
  });

  it('States.UUID differs between draws', () => {
    let x = 1;
    const lcg = () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648);
    const ids = new Set(Array.from({ length: 50 }, () => evaluateIntrinsic('States.UUID()', env(docInput, lcg))));
    expect(ids.size).toBe(50);
  });

  it('States.MathRandom maps env.random onto [start, end)', () => {
    expect(evaluateIntrinsic('States.MathRandom($.start, $.end)', env(docInput, () => 0))).toBe(1);
    expect(evaluateIntrinsic('States.MathRandom($.start, $.end)', env(docInput, () => 0.999999999))).toBe(998);
    expect(evaluateIntrinsic('States.MathRandom(-10, -5)', env(docInput, () => 0.5))).toBe(-8);
    expect(evaluateIntrinsic('States.MathRandom(0, 1)', env(docInput, () => 0.7))).toBe(0);
    expect(evaluateIntrinsic('States.MathRandom(12.5, 44.51)', env(docInput, () => 0))).toBe(13); // rounded
  });

  it('States.MathRandom with a seed ignores env.random and always gives the same number', () => {
    const a = evaluateIntrinsic('States.MathRandom(0, 999, 3)', env(docInput, () => 0.1));
    const b = evaluateIntrinsic('States.MathRandom(0, 999, 3)', env(docInput, () => 0.9));
    expect(a).toBe(b);
    const values = new Set<Json>();
    for (let seed = 0; seed < 200; seed++) {
      const v = evaluateIntrinsic(`States.MathRandom(10, 20, ${seed})`, env());
      expect(v).toBeGreaterThanOrEqual(10);
      expect(v).toBeLessThan(20);
      values.add(v);
    }
    expect(values.size).toBe(10);
  });
});

describe('evaluateIntrinsic: inputs', () => {
  it('accepts a parsed call as well as text', () => {
    expect(evaluateIntrinsic(parseIntrinsic("States.Format('{}!', $.name)"), env())).toBe('Arnav!');
  });

  it('does not modify its input', () => {
    const input = structuredClone(docInput);
    evaluateIntrinsic('States.JsonMerge($.json1, $.json2, false)', env(input));
    evaluateIntrinsic('States.ArrayUnique($.dupes)', env(input));
    expect(input).toEqual(docInput);
  });

  it('gives the same result when the same text is evaluated again (parse cache)', () => {
    const text = "States.Format('{}-{}', $.a, $$.Execution.Name)";
    expect(evaluateIntrinsic(text, env({ a: 1 }))).toBe('1-run-1');
    expect(evaluateIntrinsic(text, env({ a: 2 }))).toBe('2-run-1');
  });
});
