#!/usr/bin/env node
/*
 * Writes N lines of random words to stdout, the string pipeline's input:
 *   node examples/string-pipeline/generate.mjs --lines 100000 [--seed 1] > random.string
 * Each line has 1 to 4 words of 3 to 12 ASCII letters and digits, separated by one space, so
 * awk's first field and rev's reversal are well defined. The same seed gives the same file.
 */
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { lines: { type: 'string', default: '100000' }, seed: { type: 'string', default: '1' } } });
const lines = Number(values.lines);
const seed = Number(values.seed);
if (!Number.isInteger(lines) || lines < 0) {
  process.stderr.write(`generate.mjs: --lines must be a whole number, got "${values.lines}"\n`);
  process.exit(2);
}
if (!Number.isInteger(seed)) {
  process.stderr.write(`generate.mjs: --seed must be an integer, got "${values.seed}"\n`);
  process.exit(2);
}

// mulberry32: small, fast and seeded, which Math.random is not.
let state = seed >>> 0;
function random() {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
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
    if (!process.stdout.write(buffer)) await new Promise((resolve) => process.stdout.once('drain', resolve));
    buffer = '';
  }
}
process.stdout.write(buffer);
