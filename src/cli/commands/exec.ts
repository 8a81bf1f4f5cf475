/*
 * `skybatch exec FILE [--input JSON|@file]`: one execution in this process, no server.
 * No task registry is passed on purpose: Task states fail with the interpreter's own
 * clear error instead of this command guessing which resources could run locally.
 */
import { realClock, runExecution } from '../../engine/local-runner.js';
import { readInput } from '../input.js';
import { EXIT_USAGE } from '../output.js';
import { loadDefinition, printErr, printOut } from './validate.js';

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
