import type { IntrinsicFunction } from './common.js';
import { fail, roundedIntegerArg } from './common.js';
import { nextRandom } from '../../interpreter/random.js';

const NAME = 'States.MathRandom';

/** The same seed always gives the same number, as AWS promises. */
function seeded(seed: number): number {
  return nextRandom(seed).value;
}

export const mathRandom: IntrinsicFunction = {
  arity: { min: 2, max: 3 },
  impl: (args, env) => {
    const start = roundedIntegerArg(NAME, args, 0, 'the start');
    const end = roundedIntegerArg(NAME, args, 1, 'the end');
    if (start >= end) fail(NAME, `the start (${start}) must be less than the end (${end})`);
    const r = args.length > 2 ? seeded(roundedIntegerArg(NAME, args, 2, 'the seed')) : env.random();
    // Start inclusive, end exclusive.
    return start + Math.floor(r * (end - start));
  },
};
