/*
 * How deep a JSON document may nest. Every recursive walk in the platform (JSONPath, the
 * interpreter's payload templates, JSON.stringify, the console's renderers) costs a stack
 * frame per level; a document of a few thousand levels overflows the stack in one of them,
 * and a value that cannot be processed must be refused where it enters, not discovered by
 * whichever loop touches it first. AWS documents no depth limit; 500 levels is far beyond
 * any real document and well inside every walk's stack.
 *
 * The checks here are iterative so that they themselves cannot overflow.
 */

export const MAX_JSON_DEPTH = 500;

/** Depth of a parsed value: a scalar is 0, `[]` and `{}` are 1. Stops counting past `limit`. */
export function jsonDepth(value: unknown, limit = MAX_JSON_DEPTH): number {
  let deepest = 0;
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const top = stack.pop()!;
    if (top.value === null || typeof top.value !== 'object') continue;
    const depth = top.depth + 1;
    if (depth > deepest) deepest = depth;
    if (deepest > limit) return deepest;
    const children = Array.isArray(top.value) ? top.value : Object.values(top.value as Record<string, unknown>);
    for (const child of children) if (child !== null && typeof child === 'object') stack.push({ value: child, depth });
  }
  return deepest;
}

/** Depth of JSON text by counting brackets outside strings, without parsing it. */
export function jsonTextDepth(text: string, limit = MAX_JSON_DEPTH): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > limit) return deepest;
      }
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}

/** A message naming the limit, or undefined when `value` is within it. */
export function jsonDepthProblem(value: unknown, what: string, limit = MAX_JSON_DEPTH): string | undefined {
  return jsonDepth(value, limit) > limit ? `${what} nests deeper than ${limit} levels` : undefined;
}
