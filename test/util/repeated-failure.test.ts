import { expect, it } from 'vitest';
import { isStoreUnavailable } from '../../src/store/errors.js';
import { RepeatedFailure } from '../../src/util/repeated-failure.js';

it('says a repeated failure once, again when it changes, and once when it recovers', () => {
  const lines: string[] = [];
  const f = new RepeatedFailure('scheduler: a pass', (...args) => lines.push(args.map(String).join(' ')));
  const full = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
  for (let i = 0; i < 200; i++) f.failed(full);
  f.failed(new Error('another cause'));
  f.succeeded();
  f.succeeded();
  expect(lines).toHaveLength(3);
  expect(lines[0]).toContain('database or disk is full');
  expect(lines[1]).toContain('another cause');
  expect(lines[2]).toBe('skybatch: scheduler: a pass works again');
});

it.each([
  [{ code: 'SQLITE_FULL' }, true],
  [{ code: 'SQLITE_IOERR_WRITE' }, true],
  [{ code: '53100' }, true],
  [{ code: '08006' }, true],
  [{ code: '57P01' }, true],
  [{ code: 'ECONNREFUSED' }, true],
  [{ code: 'SQLITE_CONSTRAINT_PRIMARYKEY' }, false],
  [{ code: '23505' }, false],
  [new SyntaxError('Unexpected token'), false],
])('%o: the store is unavailable: %s', (err, expected) => {
  expect(isStoreUnavailable(err)).toBe(expected);
});
