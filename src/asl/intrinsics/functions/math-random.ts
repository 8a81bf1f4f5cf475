import type { IntrinsicFunction } from './common.js';
import { fail, roundedIntegerArg } from './common.js';

const NAME = 'States.MathRandom';

/** mulberry32: a tiny PRNG, so that the same seed always gives the same number, as AWS promises. */
function seeded(seed: number): number {
  let t = (seed + 0x6d2b79f5) | 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
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
