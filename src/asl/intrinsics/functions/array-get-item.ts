import type { Json } from '../../types.js';
import type { IntrinsicFunction } from './common.js';
import { arrayArg, fail, integerArg } from './common.js';

const NAME = 'States.ArrayGetItem';

export const arrayGetItem: IntrinsicFunction = {
  arity: { min: 2, max: 2 },
  impl: (args) => {
    const items = arrayArg(NAME, args, 0, 'the first argument');
    const index = integerArg(NAME, args, 1, 'the index');
    if (index < 0 || index >= items.length) fail(NAME, `index ${index} is out of range for an array of length ${items.length}`);
    return items[index] as Json;
  },
};
