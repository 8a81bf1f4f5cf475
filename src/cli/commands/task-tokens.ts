/*
 * `skybatch task-token [success TOKEN [--output JSON|@file] | failure TOKEN [--error E]
 * [--cause C] | heartbeat TOKEN]`: answer a task waiting for its token. Meant to be run from
 * inside jobs too: it finds the server through SKYBATCH_ENDPOINT and SKYBATCH_TOKEN there.
 * Silent on success, as scripts want; the exit code says whether the answer was taken.
 */
import { readFile } from 'node:fs/promises';
import type { Json } from '../../asl/types.js';
import { connect } from '../client.js';
import { CliError, describeError, EXIT_USAGE, type GlobalOptions } from '../output.js';

export async function sendTaskSuccess(token: string, options: GlobalOptions & { output?: string }): Promise<number> {
  const output = await readOutput(options.output ?? '{}');
  const client = await connect(options.data);
  await client.post('/task-tokens/success', { taskToken: token, output });
  return 0;
}

export async function sendTaskFailure(token: string, options: GlobalOptions & { error?: string; cause?: string }): Promise<number> {
  const client = await connect(options.data);
  await client.post('/task-tokens/failure', {
    taskToken: token,
    ...(options.error === undefined ? {} : { error: options.error }),
    ...(options.cause === undefined ? {} : { cause: options.cause }),
  });
  return 0;
}

export async function sendTaskHeartbeat(token: string, options: GlobalOptions): Promise<number> {
  const client = await connect(options.data);
  await client.post('/task-tokens/heartbeat', { taskToken: token });
  return 0;
}

/** `--output` is inline JSON or `@path` naming a JSON file, as `run --input` takes it. */
async function readOutput(arg: string): Promise<Json> {
  let text = arg;
  let source = '--output';
  if (arg.startsWith('@')) {
    source = `--output file ${arg.slice(1)}`;
    try {
      text = await readFile(arg.slice(1), 'utf8');
    } catch (err) {
      throw new CliError(EXIT_USAGE, `cannot read ${source}: ${describeError(err)}`);
    }
  }
  try {
    return JSON.parse(text) as Json;
  } catch (err) {
    throw new CliError(EXIT_USAGE, `${source} is not valid JSON: ${describeError(err)}`);
  }
}
