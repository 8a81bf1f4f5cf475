import { describe, expect, it } from 'vitest';
import { BadRequestError } from '../../src/errors.js';
import { functionArn, isFunctionResource, parseFunctionRef } from '../../src/functions/arn.js';

describe('function references', () => {
  it.each([
    ['my-fn', { name: 'my-fn' }],
    ['my_fn:prod', { name: 'my_fn', qualifier: 'prod' }],
    ['fn:$LATEST', { name: 'fn', qualifier: '$LATEST' }],
    ['fn:12', { name: 'fn', qualifier: '12' }],
    ['arn:aws:lambda:us-east-1:123456789012:function:fn', { name: 'fn' }],
    ['arn:aws:lambda:us-east-1:123456789012:function:fn:7', { name: 'fn', qualifier: '7' }],
    ['arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:fn:live', { name: 'fn', qualifier: 'live' }],
    ['123456789012:function:fn:live', { name: 'fn', qualifier: 'live' }],
    [functionArn('fn', 'prod'), { name: 'fn', qualifier: 'prod' }],
  ])('parses %s', (ref, expected) => {
    expect(parseFunctionRef(ref)).toEqual(expected);
  });

  it('takes a separate qualifier, which must agree with one in the reference', () => {
    expect(parseFunctionRef('fn', 'prod')).toEqual({ name: 'fn', qualifier: 'prod' });
    expect(parseFunctionRef('fn:prod', 'prod')).toEqual({ name: 'fn', qualifier: 'prod' });
    expect(() => parseFunctionRef('fn:prod', '3')).toThrow(/names qualifier "prod" but the request asks for "3"/);
  });

  it.each(['', 'a'.repeat(65), 'has space', 'fn:a:b', 'arn:aws:lambda:us-east-1:123456789012:function:', 'fn:bad$alias', 'fn:'])('refuses %j', (ref) => {
    expect(() => parseFunctionRef(ref)).toThrow(BadRequestError);
  });

  it('makes ARNs in the platform account and region', () => {
    expect(functionArn('fn')).toBe('arn:aws:lambda:local:000000000000:function:fn');
    expect(functionArn('fn', '3')).toBe('arn:aws:lambda:local:000000000000:function:fn:3');
  });

  it('knows which Task resources name a function', () => {
    expect(isFunctionResource('arn:aws:lambda:eu-west-1:123456789012:function:fn')).toBe(true);
    expect(isFunctionResource('arn:aws:lambda:eu-west-1:123456789012:function:fn:prod')).toBe(true);
    expect(isFunctionResource('arn:aws:states:::lambda:invoke')).toBe(false);
    expect(isFunctionResource('arn:aws:lambda:eu-west-1:123456789012:layer:x')).toBe(false);
  });
});
