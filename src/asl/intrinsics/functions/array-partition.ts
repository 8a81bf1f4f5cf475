import type { Json } from '../../types.js';
import type { IntrinsicFunction } from './common.js';
import { arrayArg, fail, roundedIntegerArg } from './common.js';

const NAME = 'States.ArrayPartition';

export const arrayPartition: IntrinsicFunction = {
  arity: { min: 2, max: 2 },
  impl: (args) => {
    const items = arrayArg(NAME, args, 0, 'the first argument');
    const size = roundedIntegerArg(NAME, args, 1, 'the chunk size');
    if (size <= 0) fail(NAME, `the chunk size must be a positive integer, got ${size}`);
    const chunks: Json[] = [];
    for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
    return chunks;
  },
};
