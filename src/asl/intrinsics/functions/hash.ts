import { createHash } from 'node:crypto';
import type { IntrinsicFunction } from './common.js';
import { fail, limitLength, stringArg } from './common.js';

const NAME = 'States.Hash';
const ALGORITHMS: Record<string, string> = { MD5: 'md5', 'SHA-1': 'sha1', 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };

export const hash: IntrinsicFunction = {
  arity: { min: 2, max: 2 },
  impl: (args) => {
    const data = limitLength(NAME, stringArg(NAME, args, 0, 'the data'), 'the data');
    const algorithm = stringArg(NAME, args, 1, 'the algorithm');
    const nodeName = Object.prototype.hasOwnProperty.call(ALGORITHMS, algorithm) ? ALGORITHMS[algorithm] : undefined;
    if (!nodeName) fail(NAME, `unsupported algorithm "${algorithm}"; expected one of ${Object.keys(ALGORITHMS).join(', ')}`);
    return createHash(nodeName).update(data, 'utf8').digest('hex');
  },
};
