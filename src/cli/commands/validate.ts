/*
 * `skybatch validate FILE`. Also exports the file loading shared with `exec`, so both
 * commands report unreadable files, syntax errors and problems the same way.
 */
import { readFile } from 'node:fs/promises';
import { parseDefinition } from '../../asl/parse.js';
import { formatProblem, validateDefinition } from '../../asl/validate/index.js';
import { EXIT_USAGE, describeError } from '../output.js';

export type Loaded = { ok: true; definition: unknown } | { ok: false; code: number };

export function printOut(line: string): void {
  process.stdout.write(`${line}\n`);
}

export function printErr(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** Reads, parses and validates FILE; on failure it has already printed why. */
export async function loadDefinition(file: string): Promise<Loaded> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    printErr(`skybatch: cannot read ${file}: ${describeError(err)}`);
    return { ok: false, code: EXIT_USAGE };
  }
  let definition: unknown;
  try {
    definition = parseDefinition(text);
  } catch (err) {
    // YAML syntax errors come with a multi-line code frame; one line is enough here.
    printErr(`skybatch: cannot parse ${file}: ${firstLine(describeError(err))}`);
    return { ok: false, code: EXIT_USAGE };
  }
  const problems = validateDefinition(definition);
  if (problems.length > 0) {
    // Problems are the command's answer, not a crash: stdout, so they can be piped and grepped.
    for (const problem of problems) printOut(formatProblem(problem));
    return { ok: false, code: EXIT_USAGE };
  }
  return { ok: true, definition };
}

export async function validateCommand(file: string): Promise<number> {
  const loaded = await loadDefinition(file);
  if (!loaded.ok) return loaded.code;
  printOut('valid');
  return 0;
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0] ?? text;
}
