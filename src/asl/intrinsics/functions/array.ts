import type { IntrinsicFunction } from './common.js';

export const array: IntrinsicFunction = {
  arity: { min: 0, max: Infinity },
  impl: (args) => args.slice(),
};
