#!/usr/bin/env node
/*
 * Writes N lines of random words to stdout, the string pipeline's input:
 *   node examples/string-pipeline/generate.mjs --lines 100000 [--seed 1] > random.string
 * See random-lines.mjs for what the lines look like; the same seed gives the same file.
 */
import { parseArgs } from 'node:util';
import { randomLines } from './random-lines.mjs';

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

for (const chunk of randomLines({ lines, seed })) {
  if (!process.stdout.write(chunk)) await new Promise((resolve) => process.stdout.once('drain', resolve));
}
