import type { IntrinsicFunction } from './common.js';
import { fail, roundedIntegerArg } from './common.js';

const NAME = 'States.MathAdd';
const INT_MIN = -2147483648;
const INT_MAX = 2147483647;

function int32Arg(args: Parameters<IntrinsicFunction['impl']>[0], index: number, what: string): number {
  const value = roundedIntegerArg(NAME, args, index, what);
  if (value < INT_MIN || value > INT_MAX) fail(NAME, `${what} must be between ${INT_MIN} and ${INT_MAX}, got ${value}`);
  return value;
}

export const mathAdd: IntrinsicFunction = {
  arity: { min: 2, max: 2 },
  impl: (args) => int32Arg(args, 0, 'the first argument') + int32Arg(args, 1, 'the second argument'),
};
