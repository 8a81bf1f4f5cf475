/*
 * The string pipeline's input: lines of 1 to 4 words of 3 to 12 ASCII letters and digits,
 * separated by one space, so awk's first field and rev's reversal are well defined. The same
 * seed gives the same lines. Used by generate.mjs (the command line) and `skybatch demo`.
 */

// mulberry32: small, fast and seeded, which Math.random is not.
function seededRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/**
 * `lines` lines (each ending in "\n") as strings of about 64 KiB, for streaming to a file or
 * an upload without holding them all.
 */
export function* randomLines({ lines, seed = 1 }) {
  if (!Number.isInteger(lines) || lines < 0) throw new RangeError(`lines must be a whole number, got ${lines}`);
  if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  const random = seededRandom(seed);
  const word = () => {
    let w = '';
    const length = 3 + Math.floor(random() * 10);
    for (let i = 0; i < length; i++) w += ALPHABET[Math.floor(random() * ALPHABET.length)];
    return w;
  };
  let buffer = '';
  for (let i = 0; i < lines; i++) {
    const words = 1 + Math.floor(random() * 4);
    const line = [];
    for (let j = 0; j < words; j++) line.push(word());
    buffer += `${line.join(' ')}\n`;
    if (buffer.length > 1 << 16) {
      yield buffer;
      buffer = '';
    }
  }
  if (buffer !== '') yield buffer;
}
