/*
 * Parser for ASL intrinsic function calls such as
 *   States.Format('Hello {}, id {}', $.name, $$.Execution.Id)
 * The syntax is small and AWS publishes no grammar, so this is a hand-written scanner
 * following the documented rules: single-quoted strings with the escapes \' \{ \} \\,
 * numbers, true/false/null, paths starting with $ or $$, and nested States.* calls.
 */
import { isValidPath } from '../jsonpath.js';
import type { Json } from '../types.js';
import { INTRINSIC_FUNCTIONS } from './functions/index.js';

export interface IntrinsicCall {
  name: string;
  args: IntrinsicArg[];
}

export type IntrinsicArg =
  /** `raw` is a string literal's text between the quotes, escapes intact: States.Format needs it to tell `\{\}` from `{}`. */
  | { kind: 'literal'; value: Json; raw?: string }
  | { kind: 'path'; path: string }
  | { kind: 'call'; call: IntrinsicCall };

export class IntrinsicSyntaxError extends Error {}

const NAME = /^States\.[A-Za-z][A-Za-z0-9]*/;
const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/;
const ESCAPABLE = new Set(["'", '{', '}', '\\']);

/** True when the text looks like an intrinsic call (it may still be malformed). */
export function isIntrinsicCall(text: string): boolean {
  return /^States\.[A-Za-z][A-Za-z0-9]*\s*\(/.test(text.trim());
}

export function parseIntrinsic(text: string): IntrinsicCall {
  const parser = new Parser(text);
  parser.skipSpace();
  const call = parser.call();
  parser.skipSpace();
  if (!parser.atEnd()) parser.fail('unexpected text after the closing ")"');
  return call;
}

/** Far above AWS's limit of 10 calls; guards the recursive descent against a stack overflow. */
const MAX_DEPTH = 64;

class Parser {
  private pos = 0;
  private depth = 0;
  constructor(private readonly text: string) {}

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  fail(message: string): never {
    throw new IntrinsicSyntaxError(`Invalid intrinsic function "${this.text}": ${message} at position ${this.pos}`);
  }

  skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos] as string)) this.pos++;
  }

  call(): IntrinsicCall {
    const match = NAME.exec(this.text.slice(this.pos));
    if (!match) this.fail('expected a function name like "States.Format"');
    const name = match[0];
    if (++this.depth > MAX_DEPTH) this.fail(`calls are nested more than ${MAX_DEPTH} deep`);
    this.pos += name.length;
    this.skipSpace();
    if (this.text[this.pos] !== '(') this.fail(`expected "(" after ${name}`);
    this.pos++;
    const args: IntrinsicArg[] = [];
    this.skipSpace();
    if (this.text[this.pos] === ')') {
      this.pos++;
      this.depth--;
      return { name, args };
    }
    for (;;) {
      this.skipSpace();
      args.push(this.arg());
      this.skipSpace();
      const c = this.text[this.pos];
      this.pos++;
      if (c === ')') {
        this.depth--;
        return { name, args };
      }
      if (c !== ',') {
        this.pos--;
        this.fail(c === undefined ? `missing ")" closing ${name}` : `expected "," or ")" but found "${c}"`);
      }
    }
  }

  private arg(): IntrinsicArg {
    const rest = this.text.slice(this.pos);
    const c = rest[0];
    if (c === "'") return this.string();
    if (c === '$') return { kind: 'path', path: this.path() };
    if (rest.startsWith('States.')) return { kind: 'call', call: this.call() };
    const number = NUMBER.exec(rest);
    if (number) {
      this.pos += number[0].length;
      return { kind: 'literal', value: Number(number[0]) };
    }
    for (const [word, value] of [['true', true], ['false', false], ['null', null]] as const) {
      if (rest.startsWith(word) && !/[A-Za-z0-9_.]/.test(rest[word.length] ?? '')) {
        this.pos += word.length;
        return { kind: 'literal', value };
      }
    }
    this.fail(c === undefined || c === ')' || c === ',' ? 'missing argument' : `unexpected "${c}"`);
  }

  private string(): IntrinsicArg {
    const start = ++this.pos;
    let value = '';
    while (this.pos < this.text.length) {
      const c = this.text[this.pos] as string;
      if (c === "'") {
        const raw = this.text.slice(start, this.pos);
        this.pos++;
        return { kind: 'literal', value, raw };
      }
      if (c === '\\') {
        const next = this.text[this.pos + 1];
        if (next === undefined || !ESCAPABLE.has(next)) this.fail(`invalid escape "\\${next ?? ''}" (only \\' \\{ \\} \\\\ are allowed)`);
        value += next;
        this.pos += 2;
      } else {
        value += c;
        this.pos++;
      }
    }
    this.pos = start - 1;
    this.fail('unterminated string literal');
  }

  /**
   * A path runs to the next "," or ")" outside brackets, parentheses and quotes (filters contain
   * both). AWS documents `$.abc.['def ghi']` for keys with spaces, so a "." before "[" is dropped.
   */
  private path(): string {
    let path = '';
    let depth = 0;
    let quote = '';
    for (; this.pos < this.text.length; this.pos++) {
      const c = this.text[this.pos] as string;
      if (quote) {
        if (c === '\\') {
          path += c;
          this.pos++;
        } else if (c === quote) quote = '';
      } else if (c === "'" || c === '"') quote = c;
      else if (c === '[' || c === '(') depth++;
      else if (c === ']') depth--;
      else if (c === ')') {
        if (depth === 0) break;
        depth--;
      } else if (c === ',' && depth === 0) break;
      else if (c === '.' && depth === 0 && this.text[this.pos + 1] === '[') continue;
      path += this.text[this.pos] ?? '';
    }
    return path.trimEnd();
  }
}

/**
 * Returns a problem with the call (syntax, unknown function, arity, invalid path), or
 * undefined when it is valid. Checks nested calls too. Type and range errors depend on
 * the data and are only found when the call is evaluated.
 */
export function checkIntrinsic(text: string): string | undefined {
  let call: IntrinsicCall;
  try {
    call = parseIntrinsic(text);
  } catch (err) {
    if (err instanceof IntrinsicSyntaxError) return err.message;
    throw err;
  }
  const calls = countCalls(call);
  if (calls > MAX_CALLS) return `Too many intrinsic functions in one field: ${calls}, at most ${MAX_CALLS} are allowed`;
  return checkCall(call);
}

/** AWS: "You can nest up to 10 intrinsic functions within a field"; its example of "nine nested" counts every call. */
const MAX_CALLS = 10;

function countCalls(call: IntrinsicCall): number {
  return call.args.reduce((n, arg) => n + (arg.kind === 'call' ? countCalls(arg.call) : 0), 1);
}

function checkCall(call: IntrinsicCall): string | undefined {
  const fn = INTRINSIC_FUNCTIONS.get(call.name);
  if (!fn) return `Unknown intrinsic function "${call.name}"`;
  const problem = arityProblem(call.name, fn.arity, call.args.length);
  if (problem) return problem;
  for (const arg of call.args) {
    if (arg.kind === 'call') {
      const inner = checkCall(arg.call);
      if (inner) return inner;
    } else if (arg.kind === 'path') {
      const path = arg.path.startsWith('$$') ? arg.path.slice(1) : arg.path;
      if (!isValidPath(path)) return `${call.name}: invalid path argument "${arg.path}"`;
    }
  }
  return undefined;
}

export function arityProblem(name: string, arity: { min: number; max: number }, count: number): string | undefined {
  if (count >= arity.min && count <= arity.max) return undefined;
  const [expected, last] =
    arity.min === arity.max ? [`exactly ${arity.min}`, arity.min] : arity.max === Infinity ? [`at least ${arity.min}`, arity.min] : [`${arity.min} to ${arity.max}`, arity.max];
  return `${name} expects ${expected} argument${last === 1 ? '' : 's'}, got ${count}`;
}
