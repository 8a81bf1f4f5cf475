/*
 * The pure parts of the store, table-driven: bucket names, prefix successors, and what a
 * lifecycle configuration asks of an object at a given age.
 */
import { describe, expect, it } from 'vitest';
import { dueAction, DAY_MS } from '../../src/storage/lifecycle-rules.js';
import { checkBucketName, checkKey, prefixSuccessor } from '../../src/storage/names.js';
import type { LifecycleRule, StorageClass } from '../../src/storage/types.js';

describe('bucket names', () => {
  it.each(['abc', 'my-bucket.v2', 'a'.repeat(63), '123'])('accepts %s', (name) => expect(() => checkBucketName(name)).not.toThrow());
  it.each(['ab', 'a'.repeat(64), 'My-Bucket', 'a_b', '.abc', 'abc.', 'a..b', '10.0.0.1', 'xn--abc', 'sthree-x', 'name-s3alias', 'name--ol-s3'])('refuses %s', (name) => expect(() => checkBucketName(name)).toThrow(expect.objectContaining({ code: 'InvalidBucketName' }) as Error));
});

describe('keys', () => {
  it.each([
    ['a\0b', 'InvalidArgument'],
    ['', 'InvalidArgument'],
    ['\uD800x', 'InvalidArgument'],
    ['x'.repeat(1025), 'KeyTooLongError'],
    ['€'.repeat(342), 'KeyTooLongError'],
  ])('refuses %j with %s', (key, code) => expect(() => checkKey(key)).toThrow(expect.objectContaining({ code }) as Error));
  it.each(['../../etc/passwd', '/abs', 'x'.repeat(1024), '€'.repeat(341), '😀'])('accepts %j', (key) => expect(() => checkKey(key)).not.toThrow());
});

describe('prefix successors', () => {
  it.each([
    ['a', 'b'],
    ['photos/', 'photos0'],
    ['a\u{10FFFF}', 'b'],
    ['\u{D7FF}', '\u{E000}'],
    ['\u{10FFFF}', undefined],
  ])('%j -> %j', (prefix, successor) => expect(prefixSuccessor(prefix)).toBe(successor));
  it('bounds exactly the keys with the prefix, in byte order', () => {
    const keys = ['ab', 'ab\u{10FFFF}', 'abz', 'ac', 'aa', 'ab/é'];
    const upper = prefixSuccessor('ab')!;
    const inRange = keys.filter((k) => Buffer.compare(Buffer.from(k), Buffer.from('ab')) >= 0 && Buffer.compare(Buffer.from(k), Buffer.from(upper)) < 0);
    expect(inRange.sort()).toEqual(keys.filter((k) => k.startsWith('ab')).sort());
  });
});

describe('lifecycle decisions', () => {
  const rules: LifecycleRule[] = [
    { id: 'age', status: 'Enabled', filter: { prefix: 'data/' }, transitions: [{ days: 30, storageClass: 'GLACIER' }, { days: 120, storageClass: 'DEEP_ARCHIVE' }, { days: 10, storageClass: 'STANDARD_IA' }], expiration: { days: 365 } },
    { id: 'tmp', status: 'Enabled', filter: { tags: { tmp: '1' } }, transitions: [], expiration: { days: 2 } },
    { id: 'off', status: 'Disabled', filter: {}, transitions: [], expiration: { days: 1 } },
  ];
  const cases: { key: string; tags?: Record<string, string>; storageClass?: StorageClass; age: number; expected: ReturnType<typeof dueAction> }[] = [
    { key: 'data/x', age: 5, expected: { kind: 'none' } },
    { key: 'data/x', age: 10, expected: { kind: 'transition', storageClass: 'STANDARD_IA' } },
    { key: 'data/x', age: 31, expected: { kind: 'transition', storageClass: 'GLACIER' } },
    { key: 'data/x', age: 121, expected: { kind: 'transition', storageClass: 'DEEP_ARCHIVE' } },
    { key: 'data/x', age: 121, storageClass: 'DEEP_ARCHIVE', expected: { kind: 'none' } },
    { key: 'data/x', age: 31, storageClass: 'DEEP_ARCHIVE', expected: { kind: 'none' } },
    { key: 'data/x', age: 366, storageClass: 'DEEP_ARCHIVE', expected: { kind: 'expire' } },
    { key: 'other/x', age: 400, expected: { kind: 'none' } },
    { key: 'other/x', tags: { tmp: '1' }, age: 2, expected: { kind: 'expire' } },
    { key: 'other/x', tags: { tmp: '0' }, age: 2, expected: { kind: 'none' } },
  ];
  it.each(cases)('$key $tags $storageClass at $age days: $expected.kind', ({ key, tags, storageClass, age, expected }) => {
    const now = Date.parse('2027-06-01T00:00:00Z');
    expect(dueAction(rules, { key, tags: tags ?? {}, storageClass: storageClass ?? 'STANDARD', lastModifiedMs: now - age * DAY_MS }, now)).toEqual(expected);
  });
});
