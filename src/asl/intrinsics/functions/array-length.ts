import type { IntrinsicFunction } from './common.js';
import { arrayArg } from './common.js';

export const arrayLength: IntrinsicFunction = {
  arity: { min: 1, max: 1 },
  impl: (args) => arrayArg('States.ArrayLength', args, 0, 'the argument').length,
};
