/*
 * What the shell makes of the string pipeline's input (ARCHITECTURE.md 4.1): `split -l N -d`,
 * `awk '{print $1$1}'` and `rev` per chunk, `cat` in chunk order. The pipeline's outputs must be
 * byte-identical to these files.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Chunk names in order, and every file by name (chunks, repeat_*, reverse_*, the two *_merge). */
export function shellReference(input: string, dir: string, splitNum: number): { chunks: string[]; files: Map<string, Buffer> } {
  mkdirSync(dir);
  const lines = readFileSync(input, 'utf8').split('\n').length - 1;
  // As the job names them: the digits of lines/SPLIT_NUM, at least split's default of 2.
  const digits = Math.max(2, String(Math.floor(lines / splitNum)).length);
  const sh = (script: string) => execFileSync('/bin/sh', ['-c', script], { cwd: dir, env: { ...process.env, LC_ALL: 'C' } });
  sh(`split -l ${splitNum} -d -a ${digits} '${input}' random.string_`);
  const chunks = readdirSync(dir).sort();
  sh(`for c in ${chunks.join(' ')}; do awk '{print $1$1}' "$c" > "repeat_$c"; rev "$c" > "reverse_$c"; done`);
  sh(`cat ${chunks.map((c) => `repeat_${c}`).join(' ')} > repeat_random.string_merge; cat ${chunks.map((c) => `reverse_${c}`).join(' ')} > reverse_random.string_merge`);
  const files = new Map<string, Buffer>();
  for (const name of readdirSync(dir)) files.set(name, readFileSync(join(dir, name)));
  return { chunks, files };
}
