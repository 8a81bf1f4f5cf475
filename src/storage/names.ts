/*
 * What makes a bucket name or an object key acceptable. Keys are data: any well-formed UTF-8
 * up to 1024 bytes without NUL, including `../x` or `/abs`, because no file name is ever
 * derived from a key (blobs are named by generated ids).
 */
import { storageError } from './errors.js';

export const MAX_KEY_BYTES = 1024;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function checkKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0) throw storageError('InvalidArgument', 'The object key must not be empty');
  if (key.includes('\0')) throw storageError('InvalidArgument', 'The object key must not contain NUL bytes');
  if (LONE_SURROGATE.test(key)) throw storageError('InvalidArgument', 'The object key must be valid UTF-8');
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) throw storageError('KeyTooLongError', `Your key is too long: at most ${MAX_KEY_BYTES} bytes of UTF-8`);
}

/** S3's general purpose bucket naming rules. */
export function checkBucketName(name: string): void {
  const problem = bucketNameProblem(name);
  if (problem) throw storageError('InvalidBucketName', `The specified bucket "${String(name).slice(0, 80)}" is not valid: ${problem}`);
}

function bucketNameProblem(name: string): string | undefined {
  if (typeof name !== 'string' || name.length < 3 || name.length > 63) return 'a bucket name has 3 to 63 characters';
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name)) return 'only lower-case letters, digits, dots and hyphens, beginning and ending with a letter or digit';
  if (name.includes('..')) return 'two adjacent dots';
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return 'formatted as an IP address';
  if (name.startsWith('xn--') || name.startsWith('sthree-') || name.startsWith('amzn-s3-demo-')) return 'a reserved prefix';
  if (name.endsWith('-s3alias') || name.endsWith('--ol-s3') || name.endsWith('.mrap') || name.endsWith('--x-s3')) return 'a reserved suffix';
  return undefined;
}

/**
 * The least string greater than every string that starts with `prefix`, in code point order
 * (which is UTF-8 byte order): `key >= prefix AND key < successor` selects exactly the keys with
 * that prefix. Undefined when no such string exists (prefix made of U+10FFFF only).
 */
export function prefixSuccessor(prefix: string): string | undefined {
  const points = [...prefix];
  while (points.length > 0) {
    const last = points.pop()!.codePointAt(0)!;
    if (last < 0x10ffff) {
      // Skip the surrogate range: those code points are not valid on their own.
      const next = last + 1 === 0xd800 ? 0xe000 : last + 1;
      return points.join('') + String.fromCodePoint(next);
    }
  }
  return undefined;
}

/** Free text that goes into the catalogue (content types, prefixes, rule ids): no NUL bytes. */
export function checkText(value: string | undefined, what: string): void {
  if (value !== undefined && (typeof value !== 'string' || value.includes('\0'))) throw storageError('InvalidArgument', `${what} must be text without NUL bytes`);
}
