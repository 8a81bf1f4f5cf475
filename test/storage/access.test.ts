import { describe, expect, it } from 'vitest';
import { isLimited, limitsProblems, refusal, visibleBucket } from '../../src/storage/access.js';

describe('access limits', () => {
  it('lets an unlimited key do everything', () => {
    expect(refusal(undefined, { kind: 'bucket', write: true, bucket: 'b' })).toBeUndefined();
    expect(refusal({}, { kind: 'object', write: true, bucket: 'b', key: 'k' })).toBeUndefined();
    expect(isLimited({})).toBe(false);
    expect(visibleBucket(undefined, 'any')).toBe(true);
  });

  it('read-only refuses every write, object or bucket, and allows reads and listings', () => {
    const limits = { readOnly: true };
    expect(refusal(limits, { kind: 'object', write: true, bucket: 'b', key: 'k' })).toMatch(/read-only/);
    expect(refusal(limits, { kind: 'bucket', write: true, bucket: 'b' })).toMatch(/read-only/);
    expect(refusal(limits, { kind: 'object', write: false, bucket: 'b', key: 'k' })).toBeUndefined();
    expect(refusal(limits, { kind: 'list', bucket: 'b', prefix: '' })).toBeUndefined();
  });

  it('bucket limits hide and refuse other buckets', () => {
    const limits = { buckets: ['data'] };
    expect(refusal(limits, { kind: 'object', write: false, bucket: 'other', key: 'k' })).toMatch(/bucket other/);
    expect(refusal(limits, { kind: 'object', write: true, bucket: 'data', key: 'k' })).toBeUndefined();
    expect(visibleBucket(limits, 'other')).toBe(false);
    expect(visibleBucket(limits, 'data')).toBe(true);
  });

  it('prefix limits allow keys and listings under them only, and no bucket-wide writes', () => {
    const limits = { buckets: ['data'], prefixes: ['in/', 'shared/'] };
    expect(refusal(limits, { kind: 'object', write: true, bucket: 'data', key: 'in/x' })).toBeUndefined();
    expect(refusal(limits, { kind: 'object', write: false, bucket: 'data', key: 'out/x' })).toMatch(/keys under/);
    // Keys are compared as data: " in/x" is not under "in/".
    expect(refusal(limits, { kind: 'object', write: false, bucket: 'data', key: ' in/x' })).toMatch(/keys under/);
    expect(refusal(limits, { kind: 'list', bucket: 'data', prefix: 'shared/2024/' })).toBeUndefined();
    expect(refusal(limits, { kind: 'list', bucket: 'data', prefix: '' })).toMatch(/list only under/);
    expect(refusal(limits, { kind: 'list', bucket: 'data', prefix: 'in' })).toMatch(/list only under/);
    expect(refusal(limits, { kind: 'bucket', write: true, bucket: 'data' })).toMatch(/cannot change the bucket/);
    expect(refusal(limits, { kind: 'bucket', write: false, bucket: 'data' })).toBeUndefined();
  });

  it('says what is wrong with limits asked for', () => {
    expect(limitsProblems({ buckets: ['data'], prefixes: ['in/'] })).toEqual([]);
    expect(limitsProblems({ prefixes: ['in/'] })).toEqual(['prefixes need buckets: name the buckets the prefixes are in']);
    expect(limitsProblems({ buckets: ['Not_A_Bucket'] })[0]).toMatch(/not a bucket name/);
    expect(limitsProblems({ buckets: ['data'], prefixes: [''] })[0]).toMatch(/must not be empty/);
  });
});
