import type { IntrinsicFunction } from './common.js';
import { fail, limitLength, stringArg } from './common.js';

const NAME = 'States.Base64Decode';
// Buffer.from(..., 'base64') silently skips bad characters; AWS fails instead.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$/;

export const base64Decode: IntrinsicFunction = {
  arity: { min: 1, max: 1 },
  impl: (args) => {
    const text = limitLength(NAME, stringArg(NAME, args, 0, 'the argument'), 'the argument');
    if (!BASE64.test(text)) fail(NAME, 'the argument is not valid Base64');
    return Buffer.from(text, 'base64').toString('utf8');
  },
};
