/*
 * StringMatches patterns: "*" matches any run of characters, "\*" a literal star and "\\" a
 * literal backslash. The spec makes any other backslash (an "open escape") a runtime error.
 */

type Token = string | typeof STAR;
const STAR: unique symbol = Symbol('*');

export class WildcardPatternError extends Error {}

const cache = new Map<string, Token[]>();

function compile(pattern: string): Token[] {
  let tokens = cache.get(pattern);
  if (tokens) return tokens;
  tokens = [];
  const chars = Array.from(pattern);
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] as string;
    if (c === '*') {
      // Consecutive stars match the same as one and would only slow the matcher down.
      if (tokens[tokens.length - 1] !== STAR) tokens.push(STAR);
    } else if (c === '\\') {
      const next = chars[i + 1];
      if (next !== '*' && next !== '\\') {
        throw new WildcardPatternError(`StringMatches pattern '${pattern}' has an open escape backslash at position ${i}`);
      }
      tokens.push(next);
      i++;
    } else {
      tokens.push(c);
    }
  }
  if (cache.size > 1000) cache.clear();
  cache.set(pattern, tokens);
  return tokens;
}

/** True when `pattern` is a well-formed StringMatches pattern (for the validator). */
export function isValidWildcardPattern(pattern: string): boolean {
  try {
    compile(pattern);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether `value` matches `pattern`. Throws WildcardPatternError on an open escape.
 * Greedy matching with backtracking to the last star only: linear-ish, never exponential.
 */
export function wildcardMatch(pattern: string, value: string): boolean {
  const tokens = compile(pattern);
  const chars = Array.from(value);
  let t = 0;
  let v = 0;
  let starT = -1;
  let starV = 0;
  while (v < chars.length) {
    const token = tokens[t];
    if (token === STAR) {
      starT = t++;
      starV = v;
    } else if (token !== undefined && token === chars[v]) {
      t++;
      v++;
    } else if (starT >= 0) {
      t = starT + 1;
      v = ++starV;
    } else {
      return false;
    }
  }
  while (tokens[t] === STAR) t++;
  return t === tokens.length;
}
