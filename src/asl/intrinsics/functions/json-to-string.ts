import type { IntrinsicFunction } from './common.js';
import { arg } from './common.js';

export const jsonToString: IntrinsicFunction = {
  arity: { min: 1, max: 1 },
  // Compact, as AWS prints it: {"name":"Foo","year":2020}
  impl: (args) => JSON.stringify(arg(args, 0)),
};
