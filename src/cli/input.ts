/*
 * Execution input from the command line, shared by `exec` (in-process) and `run` (server):
 * both accept the same --input forms and report bad ones the same way.
 */
import { readFile } from 'node:fs/promises';
import type { Json } from '../asl/types.js';
import { describeError } from './output.js';

export type InputResult = { ok: true; value: Json } | { ok: false; message: string };

/** `--input` is inline JSON, or `@path` naming a JSON file (as curl's `-d @file`). */
export async function readInput(arg: string): Promise<InputResult> {
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
