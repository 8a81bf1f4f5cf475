/*
 * `skybatch exec FILE [--input JSON|@file]`: one execution in this process, no server.
 * No task registry is passed on purpose: Task states fail with the interpreter's own
 * clear error instead of this command guessing which resources could run locally.
 */
import { readFile } from 'node:fs/promises';
import type { Json } from '../../asl/types.js';
import { realClock, runExecution } from '../../engine/local-runner.js';
import { EXIT_USAGE, describeError, loadDefinition, printErr, printOut } from './validate.js';

export interface ExecOptions {
  input?: string;
}

export async function execCommand(file: string, options: ExecOptions): Promise<number> {
  const loaded = await loadDefinition(file);
  if (!loaded.ok) return loaded.code;
  const input = await readInput(options.input ?? '{}');
  if (!input.ok) {
    printErr(`skybatch: ${input.message}`);
    return EXIT_USAGE;
  }

  const result = await runExecution(loaded.definition, input.value, { clock: realClock() });
  if (result.status === 'SUCCEEDED') {
    printOut(JSON.stringify({ status: result.status, output: result.output ?? null }));
    return 0;
  }
  printOut(JSON.stringify({ status: result.status, error: result.error ?? null, cause: result.cause ?? null }));
  return 1;
}

type InputResult = { ok: true; value: Json } | { ok: false; message: string };

/** `--input` is inline JSON, or `@path` naming a JSON file (as curl's `-d @file`). */
async function readInput(arg: string): Promise<InputResult> {
  let text = arg;
  let source = '--input';
  if (arg.startsWith('@')) {
    const path = arg.slice(1);
    source = `--input file ${path}`;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      return { ok: false, message: `cannot read ${source}: ${describeError(err)}` };
    }
  }
  try {
    return { ok: true, value: JSON.parse(text) as Json };
  } catch (err) {
    return { ok: false, message: `${source} is not valid JSON: ${describeError(err)}` };
  }
}
