/*
 * Names of state machines, executions and jobs as AWS takes them: letters and digits of any
 * script (`ステートマシン-1`, `état_2`), "-" and "_". Nothing else: no whitespace, punctuation,
 * markup, emoji, format or control characters. Lengths count code points, as AWS counts
 * characters, so a name in a script outside the BMP is not cut at half its length.
 *
 * A precomposed letter (é, U+00E9) is a letter; a combining mark (U+0301) is not, so a
 * decomposed "é" is refused rather than silently normalized into another name.
 */

/** For JSON schemas: ajv compiles patterns with the `u` flag, so \p{...} works there too. */
export const NAME_PATTERN = '^[\\p{L}\\p{N}_-]+$';
export const NAME_RULE = 'letters or digits of any script, "-" or "_"';

const NAME = new RegExp(NAME_PATTERN, 'u');
const STARTS_ALPHANUMERIC = /^[\p{L}\p{N}]/u;

/** The length of `text` in code points. */
export function codePoints(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/** Whether `name` is 1 to `maxLength` letters, digits, "-" or "_" (`options.alphanumericStart`: not starting with "-" or "_"). */
export function isResourceName(name: unknown, maxLength: number, options: { alphanumericStart?: boolean } = {}): name is string {
  if (typeof name !== 'string' || !NAME.test(name) || codePoints(name) > maxLength) return false;
  return !options.alphanumericStart || STARTS_ALPHANUMERIC.test(name);
}
