import type { IntrinsicFunction } from './common.js';

export const uuid: IntrinsicFunction = {
  arity: { min: 0, max: 0 },
  impl: (_args, env) => {
    // Built from env.random rather than crypto.randomUUID so replays give the same id.
    const bytes = Array.from({ length: 16 }, () => Math.floor(env.random() * 256) & 0xff);
    bytes[6] = ((bytes[6] as number) & 0x0f) | 0x40;
    bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
    const hex = bytes.map((b) => b.toString(16).padStart(2, '0')).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  },
};
