import type { IntrinsicFunction } from './common.js';
import { describe, fail, objectArg } from './common.js';

const NAME = 'States.JsonMerge';

export const jsonMerge: IntrinsicFunction = {
  arity: { min: 3, max: 3 },
  impl: (args) => {
    const first = objectArg(NAME, args, 0, 'the first argument');
    const second = objectArg(NAME, args, 1, 'the second argument');
    const deep = args[2];
    if (typeof deep !== 'boolean') fail(NAME, `the third argument (deep merge) must be a boolean, got ${describe(deep)}`);
    // AWS supports only shallow merging and rejects true.
    if (deep) fail(NAME, 'deep merging is not supported; the third argument must be false');
    return { ...first, ...second };
  },
};
