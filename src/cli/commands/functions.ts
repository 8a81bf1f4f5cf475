/*
 * `skybatch functions [list | publish NAME -f FILE [--handler h] [--timeout s] [--memory MiB]
 *  | describe NAME | invoke NAME [--payload JSON|@file] | delete NAME]`.
 * The source is sent as it is; the server compiles it, so a syntax error is reported with the
 * server's line numbers, as `state-machines create` reports definition problems.
 * `invoke` prints the payload, or the function error, as JSON and exits 1 on a function error.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { Json } from '../../asl/types.js';
import type { FunctionError, FunctionInfo, FunctionSummary, FunctionVersionInfo } from '../../functions/types.js';
import { connect, listAll, segment } from '../client.js';
import { CliError, EXIT_FAILED, EXIT_USAGE, describeError, printFields, printJson, printTable, type GlobalOptions } from '../output.js';

type Done = (exitCode: number) => void;

interface PublishOptions extends GlobalOptions {
  file: string;
  handler?: string;
  timeout?: string;
  memory?: string;
  description?: string;
}

/** Registers the subcommands; each action reports its exit code through `done`, as register.ts does. */
export function registerFunctionCommands(program: Command, done: Done): void {
  const wrap =
    <A extends string[], O>(run: (...args: [...A, O]) => Promise<number>) =>
    async (...received: unknown[]): Promise<void> => {
      const command = received[received.length - 1] as Command;
      done(await run(...(received.slice(0, -2) as A), command.optsWithGlobals() as O));
    };
  const fn = program.command('functions').description('publish, list, describe, invoke and delete functions');
  fn.command('list', { isDefault: true })
    .description('list functions (the default)')
    .action(wrap<[], GlobalOptions>(listFunctions));
  fn.command('publish')
    .description('publish a function version from a JavaScript or TypeScript ES module')
    .argument('<name>', 'function name')
    .requiredOption('-f, --file <file>', 'source file (.mjs, .js or .ts)')
    .option('--handler <export>', 'the export to call', 'handler')
    .option('--timeout <seconds>', 'timeout, 1-900 seconds (default 3)')
    .option('--memory <MiB>', 'memory, 64-10240 MiB (default 128)')
    .option('--description <text>', 'a description of this version')
    .action(wrap<[string], PublishOptions>(publishFunction));
  fn.command('describe')
    .description('show a function version (default $LATEST), its versions and aliases')
    .argument('<name>', 'function name or ARN, optionally NAME:QUALIFIER')
    .option('--qualifier <q>', 'version, alias or $LATEST')
    .action(wrap<[string], GlobalOptions & { qualifier?: string }>(describeFunction));
  fn.command('invoke')
    .description('invoke a function, print its result as JSON; exit 1 on a function error')
    .argument('<name>', 'function name or ARN, optionally NAME:QUALIFIER')
    .option('--payload <json>', 'the event: inline JSON or @path to a JSON file', '{}')
    .option('--qualifier <q>', 'version, alias or $LATEST')
    .action(wrap<[string], GlobalOptions & { payload: string; qualifier?: string }>(invokeFunction));
  fn.command('delete')
    .description('delete a function with all its versions and aliases')
    .argument('<name>', 'function name')
    .action(wrap<[string], GlobalOptions>(deleteFunction));
}

export async function listFunctions(options: GlobalOptions): Promise<number> {
  const client = await connect(options.data);
  const items = await listAll<FunctionSummary>(client, '/functions', {});
  if (options.json) printJson(items);
  else printTable(['NAME', 'VERSION', 'MEMORY', 'TIMEOUT', 'MODIFIED', 'DESCRIPTION'], items.map((f) => [f.name, f.latestVersion, f.memoryMiB, f.timeoutSeconds, f.lastModified, f.description]));
  return 0;
}

export async function publishFunction(name: string, options: PublishOptions): Promise<number> {
  let code: string;
  try {
    code = await readFile(options.file, 'utf8');
  } catch (err) {
    throw new CliError(EXIT_USAGE, `cannot read ${options.file}: ${describeError(err)}`);
  }
  const body = {
    name,
    code,
    ...(options.handler === undefined ? {} : { handler: options.handler }),
    ...(options.timeout === undefined ? {} : { timeoutSeconds: whole(options.timeout, '--timeout') }),
    ...(options.memory === undefined ? {} : { memoryMiB: whole(options.memory, '--memory') }),
    ...(options.description === undefined ? {} : { description: options.description }),
  };
  const client = await connect(options.data);
  const { status, body: info } = await client.send<FunctionVersionInfo>('POST', '/functions', body);
  if (options.json) printJson(info);
  else if (status === 201) process.stdout.write(`published ${info.name} version ${info.version}: ${info.functionArn}\n`);
  else process.stdout.write(`${info.name} is unchanged: version ${info.version}\n`);
  return 0;
}

export async function describeFunction(name: string, options: GlobalOptions & { qualifier?: string }): Promise<number> {
  const client = await connect(options.data);
  const info = await client.get<FunctionInfo>(`/functions/${segment(name)}`, { qualifier: options.qualifier });
  if (options.json) {
    printJson(info);
    return 0;
  }
  printFields([
    ['name', info.name],
    ['arn', info.functionArn],
    ['version', `${info.version} (latest ${info.latestVersion})`],
    ['handler', info.handler],
    ['runtime', info.runtime],
    ['memory', `${info.memoryMiB} MiB`],
    ['timeout', `${info.timeoutSeconds} s`],
    ['description', info.description],
    ['sha256', info.codeSha256],
    ['created', info.createdAt],
    ['aliases', info.aliases.map((a) => `${a.name} -> ${a.functionVersion}`).join(', ')],
  ]);
  process.stdout.write(`code:\n${info.code}${info.code.endsWith('\n') ? '' : '\n'}`);
  return 0;
}

export async function invokeFunction(name: string, options: GlobalOptions & { payload: string; qualifier?: string }): Promise<number> {
  const payload = await readPayload(options.payload);
  const client = await connect(options.data);
  const path = `/functions/${segment(name)}/invoke${options.qualifier === undefined ? '' : `?qualifier=${encodeURIComponent(options.qualifier)}`}`;
  const result = await client.request<{ payload?: Json; error?: FunctionError }>('POST', path, payload);
  if (result.error) {
    printJson(result.error);
    process.stderr.write(`skybatch: ${name} failed: ${result.error.errorType}: ${result.error.errorMessage}\n`);
    return EXIT_FAILED;
  }
  printJson(result.payload ?? null);
  return 0;
}

export async function deleteFunction(name: string, options: GlobalOptions): Promise<number> {
  const client = await connect(options.data);
  await client.delete(`/functions/${segment(name)}`);
  if (options.json) printJson({ name, deleted: true });
  else process.stdout.write(`deleted function ${name}\n`);
  return 0;
}

function whole(value: string, option: string): number {
  if (!/^[0-9]+$/.test(value)) throw new CliError(EXIT_USAGE, `${option} must be a whole number, got "${value}"`);
  return Number(value);
}

/** `--payload` is inline JSON, or `@path` naming a JSON file, as `--input` elsewhere. */
async function readPayload(arg: string): Promise<Json> {
  let text = arg;
  if (arg.startsWith('@')) {
    try {
      text = await readFile(arg.slice(1), 'utf8');
    } catch (err) {
      throw new CliError(EXIT_USAGE, `cannot read --payload file ${arg.slice(1)}: ${describeError(err)}`);
    }
  }
  try {
    return JSON.parse(text) as Json;
  } catch (err) {
    throw new CliError(EXIT_USAGE, `--payload is not valid JSON: ${describeError(err)}`);
  }
}
