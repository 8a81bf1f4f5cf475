import type { IntrinsicFunction } from './common.js';
import { fail, roundedIntegerArg } from './common.js';

const NAME = 'States.ArrayRange';
const MAX_ITEMS = 1000;

export const arrayRange: IntrinsicFunction = {
  arity: { min: 3, max: 3 },
  impl: (args) => {
    const start = roundedIntegerArg(NAME, args, 0, 'the start');
    const end = roundedIntegerArg(NAME, args, 1, 'the end');
    const step = roundedIntegerArg(NAME, args, 2, 'the step');
    if (step === 0) fail(NAME, 'the step must not be 0');
    // The end is inclusive; a step pointing away from the end gives an empty array.
    const count = Math.max(0, Math.floor((end - start) / step) + 1);
    if (count > MAX_ITEMS) fail(NAME, `the result would have ${count} items, more than the limit of ${MAX_ITEMS}`);
    return Array.from({ length: count }, (_, i) => start + i * step);
  },
};
