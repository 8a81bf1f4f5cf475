import type { Json } from '../../types.js';
import type { IntrinsicFunction } from './common.js';
import { arrayArg, deepEqual } from './common.js';

export const arrayUnique: IntrinsicFunction = {
  arity: { min: 1, max: 1 },
  impl: (args) => {
    // Keeps the first occurrence; equality is structural so {"a":1} twice counts once.
    const unique: Json[] = [];
    for (const item of arrayArg('States.ArrayUnique', args, 0, 'the argument')) {
      if (!unique.some((seen) => deepEqual(seen, item))) unique.push(item);
    }
    return unique;
  },
};
