/*
 * What the shell makes of the string pipeline's input (ARCHITECTURE.md 4.1): `split -l N -d`,
 * `awk '{print $1$1}'` and `rev` per chunk, `cat` in chunk order. The pipeline's outputs must be
 * byte-identical to these files.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const STRING_PIPELINE_EXAMPLE = fileURLToPath(new URL('../../examples/string-pipeline', import.meta.url));

/**
 * A copy of the example in a new temporary folder `work`, so that its file subscription
 * (a path relative to the stack) writes into the test's folder, not the repository.
 */
export function copyStringPipelineExample(prefix: string): { work: string; stackDir: string } {
  const work = mkdtempSync(join(tmpdir(), prefix));
  const stackDir = join(work, 'string-pipeline');
  cpSync(STRING_PIPELINE_EXAMPLE, stackDir, { recursive: true });
  rmSync(join(stackDir, 'notifications.jsonl'), { force: true });
  return { work, stackDir };
}

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
