import type { IntrinsicFunction } from './common.js';
import { stringArg } from './common.js';

const NAME = 'States.StringSplit';

export const stringSplit: IntrinsicFunction = {
  arity: { min: 2, max: 2 },
  impl: (args) => {
    const text = stringArg(NAME, args, 0, 'the first argument');
    const delimiters = new Set(stringArg(NAME, args, 1, 'the delimiter'));
    // Every character of the delimiter string splits ("This.is+a" with ".+" gives 3 parts); empty parts are dropped.
    const parts: string[] = [];
    let current = '';
    for (const c of text) {
      if (delimiters.has(c)) {
        if (current) parts.push(current);
        current = '';
      } else current += c;
    }
    if (current) parts.push(current);
    return parts;
  },
};
