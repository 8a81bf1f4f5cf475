import type { IntrinsicFunction } from './common.js';
import { arg, arrayArg, deepEqual } from './common.js';

export const arrayContains: IntrinsicFunction = {
  arity: { min: 2, max: 2 },
  impl: (args) => {
    const needle = arg(args, 1);
    return arrayArg('States.ArrayContains', args, 0, 'the first argument').some((item) => deepEqual(item, needle));
  },
};
