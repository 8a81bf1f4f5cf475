import type { IntrinsicFunction } from './common.js';
import { limitLength, stringArg } from './common.js';

const NAME = 'States.Base64Encode';

export const base64Encode: IntrinsicFunction = {
  arity: { min: 1, max: 1 },
  impl: (args) => Buffer.from(limitLength(NAME, stringArg(NAME, args, 0, 'the argument'), 'the argument'), 'utf8').toString('base64'),
};
