/*
 * The JSONata functions Step Functions adds ($partition, $range, $hash, $random, $uuid,
 * $parse) and the one it removes ($eval).
 */
import { createHash } from 'node:crypto';
import type { ConformanceCase } from '../case.js';
import { single } from '../helpers.js';

const J = { QueryLanguage: 'JSONata' };
const output = (expr: string) => single({ Type: 'Pass', Output: expr }, 'S', J);

export const cases: ConformanceCase[] = [
  {
    name: '$partition splits an array into chunks, the last one shorter',
    definition: output('{% $partition($states.input, 2) %}'),
    input: [1, 2, 3, 4, 5],
    expected: { status: 'SUCCEEDED', output: [[1, 2], [3, 4], [5]] },
  },
  {
    name: '$partition with a chunk size of 0 fails with States.QueryEvaluationError',
    definition: output('{% $partition([1, 2], 0) %}'),
    expected: { status: 'FAILED', error: 'States.QueryEvaluationError' },
  },
  {
    name: '$range counts from start to end inclusive by step',
    definition: output('{% $range(0, 10, 2) %}'),
    expected: { status: 'SUCCEEDED', output: [0, 2, 4, 6, 8, 10] },
  },
  {
    name: '$range counts down with a negative step',
    definition: output('{% $range(3, 1, -1) %}'),
    expected: { status: 'SUCCEEDED', output: [3, 2, 1] },
  },
  {
    name: '$hash computes a hex digest with the named algorithm',
    definition: output("{% $hash($states.input.text, 'SHA-256') %}"),
    input: { text: 'Skybatch' },
    expected: { status: 'SUCCEEDED', output: createHash('sha256').update('Skybatch').digest('hex') },
  },
  {
    name: '$hash with an unknown algorithm fails with States.QueryEvaluationError',
    definition: output("{% $hash('x', 'CRC32') %}"),
    expected: { status: 'FAILED', error: 'States.QueryEvaluationError' },
  },
  {
    name: '$random with a seed is repeatable and in [0, 1)',
    definition: output('{% [$random(42) = $random(42), $random(42) >= 0 and $random(42) < 1] %}'),
    expected: { status: 'SUCCEEDED', output: [true, true] },
  },
  {
    name: '$uuid returns a version 4 UUID',
    definition: output("{% $contains($uuid(), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/) %}"),
    expected: { status: 'SUCCEEDED', output: true },
  },
  {
    name: '$parse turns a JSON string into a value',
    definition: output('{% $parse($states.input.doc).a[1] %}'),
    input: { doc: '{"a":[10,20]}' },
    expected: { status: 'SUCCEEDED', output: 20 },
  },
  {
    name: '$eval is not available',
    definition: output("{% $eval('1 + 1') %}"),
    expected: { status: 'FAILED', error: 'States.QueryEvaluationError', cause: /\$eval/ },
  },
];
