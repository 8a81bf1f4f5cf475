import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, jsonDepth, jsonDepthProblem, jsonTextDepth } from '../../src/util/json-limits.js';

function nestedArrays(levels: number): string {
  return '['.repeat(levels) + ']'.repeat(levels);
}

describe('json depth', () => {
  it.each([
    ['1', 0],
    ['"[[["', 0],
    ['[]', 1],
    ['{}', 1],
    ['{"a":[1,{"b":null}]}', 3],
    ['[["]]]]"], {"x": "\\"[["}]', 2],
  ])('%s is %d levels deep', (text, depth) => {
    expect(jsonTextDepth(text)).toBe(depth);
    expect(jsonDepth(JSON.parse(text))).toBe(depth);
  });

  it('walks a document far deeper than the stack allows without overflowing', () => {
    const text = nestedArrays(200_000);
    expect(jsonTextDepth(text, Infinity)).toBe(200_000);
    let value: unknown = [];
    for (let i = 1; i < 200_000; i++) value = [value];
    expect(jsonDepth(value, Infinity)).toBe(200_000);
  });

  it('names the limit for a value one level past it, and accepts one at it', () => {
    const at = JSON.parse(nestedArrays(MAX_JSON_DEPTH)) as unknown;
    const past = JSON.parse(nestedArrays(MAX_JSON_DEPTH + 1)) as unknown;
    expect(jsonDepthProblem(at, 'input')).toBeUndefined();
    expect(jsonDepthProblem(past, 'input')).toBe(`input nests deeper than ${MAX_JSON_DEPTH} levels`);
  });
});
