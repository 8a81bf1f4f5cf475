/* Public API of the ASL intrinsic functions. */
export { checkIntrinsic, isIntrinsicCall, IntrinsicSyntaxError, parseIntrinsic } from './parse.js';
export type { IntrinsicArg, IntrinsicCall } from './parse.js';
export { evaluateIntrinsic } from './evaluate.js';
export type { IntrinsicEnv } from './evaluate.js';
export { INTRINSIC_FUNCTIONS } from './functions/index.js';
export type { Arity, IntrinsicFunction } from './functions/index.js';
