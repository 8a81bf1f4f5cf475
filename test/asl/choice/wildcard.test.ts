import { describe, expect, it } from 'vitest';
import { isValidWildcardPattern, wildcardMatch, WildcardPatternError } from '../../../src/asl/choice/index.js';

describe('wildcardMatch', () => {
  it('does not blow up on patterns that backtrack', () => {
    const value = 'a'.repeat(20_000);
    const started = performance.now();
    expect(wildcardMatch('*a*a*a*a*a*a*a*a*b', value)).toBe(false);
    expect(wildcardMatch('*a*a*a*a*a*a*a*a*a', value)).toBe(true);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('throws WildcardPatternError on an open escape', () => {
    expect(() => wildcardMatch('x\\', 'x')).toThrow(WildcardPatternError);
  });

  it.each([
    ['log-*.txt', true],
    ['\\*\\\\', true],
    ['', true],
    ['\\', false],
    ['a\\nb', false],
    ['\\?', false],
  ])('isValidWildcardPattern(%j) is %s', (pattern, valid) => {
    expect(isValidWildcardPattern(pattern)).toBe(valid);
  });
});
