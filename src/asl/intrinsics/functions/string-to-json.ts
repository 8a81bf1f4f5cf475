import type { Json } from '../../types.js';
import type { IntrinsicFunction } from './common.js';
import { fail, stringArg } from './common.js';

const NAME = 'States.StringToJson';

export const stringToJson: IntrinsicFunction = {
  arity: { min: 1, max: 1 },
  impl: (args) => {
    const text = stringArg(NAME, args, 0, 'the argument');
    // Observed on AWS: an empty or blank string parses to null, and "-0" to 0.
    if (text.trim() === '') return null;
    try {
      const value = JSON.parse(text) as Json;
      return Object.is(value, -0) ? 0 : value;
    } catch (err) {
      fail(NAME, `the argument is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
    }
  },
};
