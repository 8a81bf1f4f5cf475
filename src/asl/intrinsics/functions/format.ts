/*
 * States.Format(template, ...values): each `{}` in the template is replaced by the next value.
 * A literal template keeps its escapes until here (see IntrinsicFunction.rawTemplate), so that
 * `\{\}` yields braces rather than a placeholder; a template read from a path has no escapes.
 */
import type { Json } from '../../types.js';
import type { IntrinsicFunction } from './common.js';
import { describe, fail, stringArg } from './common.js';

const NAME = 'States.Format';

/** Literal text between placeholders: n placeholders give n + 1 pieces. */
type Pieces = string[];

export function splitPlainTemplate(template: string): Pieces {
  return template.split('{}');
}

export function splitEscapedTemplate(raw: string): Pieces {
  const pieces: Pieces = [''];
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] as string;
    if (c === '\\') {
      pieces[pieces.length - 1] += raw[i + 1] ?? '';
      i++;
    } else if (c === '{' && raw[i + 1] === '}') {
      pieces.push('');
      i++;
    } else {
      pieces[pieces.length - 1] += c;
    }
  }
  return pieces;
}

function fill(pieces: Pieces, values: Json[]): string {
  if (pieces.length - 1 !== values.length) {
    fail(NAME, `the template has ${pieces.length - 1} placeholder(s) "{}" but ${values.length} value(s) were given`);
  }
  let out = pieces[0] as string;
  values.forEach((value, i) => {
    if (value !== null && typeof value === 'object') fail(NAME, `value ${i + 1} must be a string, number, boolean or null, got ${describe(value)}`);
    // Strings go in raw, without quotes; null prints as "null".
    out += String(value) + (pieces[i + 1] as string);
  });
  return out;
}

export const format: IntrinsicFunction = {
  arity: { min: 1, max: Infinity },
  impl: (args) => fill(splitPlainTemplate(stringArg(NAME, args, 0, 'the template (first argument)')), args.slice(1)),
  rawTemplate: (raw, args) => fill(splitEscapedTemplate(raw), args),
};
