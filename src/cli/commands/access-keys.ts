/*
 * `skybatch access-keys [list | create [--description D] [--read-only] [--bucket B]... [--prefix P]... | describe ID | delete ID | default]`: S3 access
 * keys. `create` prints the secret, once; `default` prints the pair `skybatch up` made for
 * local use, from the data directory's endpoint.json, as shell exports.
 */
import type { Command } from 'commander';
import type { AccessKeyInfo, NewAccessKey } from '../../s3/access-keys.js';
import type { AccessLimits } from '../../storage/access.js';
import { connect, segment } from '../client.js';
import { endpointPath, readEndpointFile } from '../endpoint.js';
import { CliError, EXIT_FAILED, printFields, printJson, printTable, type GlobalOptions } from '../output.js';

type Done = (exitCode: number) => void;

export function registerAccessKeyCommands(program: Command, done: Done): void {
  const keys = program.command('access-keys').description('S3 access keys: list, create, delete, and the default pair of `skybatch up`');
  keys
    .command('list', { isDefault: true })
    .description('list access keys (secrets are never shown again)')
    .action(async (_options: unknown, command: Command) => done(await listKeys(command.optsWithGlobals() as GlobalOptions)));
  keys
    .command('create')
    .description('issue a new key pair; the secret is printed this once')
    .option('--description <text>', 'what or who the key is for')
    .option('--read-only', 'reads and listings only')
    .option('--bucket <name>', 'only this bucket (repeat for more)', collect, [])
    .option('--prefix <prefix>', 'only keys under this prefix, in the buckets given (repeat for more)', collect, [])
    .action(async (_options: unknown, command: Command) => done(await createKey(command.optsWithGlobals() as GlobalOptions & CreateOptions)));
  keys
    .command('describe')
    .description('show a key and its limits (not its secret)')
    .argument('<access-key-id>', 'the key id')
    .action(async (id: string, _options: unknown, command: Command) => done(await describeKey(id, command.optsWithGlobals() as GlobalOptions)));
  keys
    .command('delete')
    .description('delete a key: requests signed with it fail from then on')
    .argument('<access-key-id>', 'the key id')
    .action(async (id: string, _options: unknown, command: Command) => done(await deleteKey(id, command.optsWithGlobals() as GlobalOptions)));
  keys
    .command('default')
    .description("print the local server's default key pair and S3 endpoint (from endpoint.json) as shell exports")
    .action(async (_options: unknown, command: Command) => done(await defaultKey(command.optsWithGlobals() as GlobalOptions)));
}

export async function listKeys(options: GlobalOptions): Promise<number> {
  const client = await connect(options.data);
  const { items } = await client.get<{ items: AccessKeyInfo[] }>('/access-keys');
  if (options.json) printJson(items);
  else printTable(['ACCESS KEY ID', 'CREATED', 'LIMITS', 'DESCRIPTION'], items.map((key) => [key.accessKeyId, key.createdAt, limitsText(key.limits), key.description]));
  return 0;
}

interface CreateOptions {
  description?: string;
  readOnly?: boolean;
  bucket: string[];
  prefix: string[];
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** `read-only; buckets a,b; prefixes in/`, or `none` for an unlimited key. */
function limitsText(limits: AccessLimits | undefined): string {
  if (!limits) return 'none';
  const parts = [limits.readOnly ? 'read-only' : undefined, limits.buckets ? `buckets ${limits.buckets.join(',')}` : undefined, limits.prefixes ? `prefixes ${limits.prefixes.join(',')}` : undefined];
  return parts.filter((p) => p !== undefined).join('; ');
}

export async function createKey(options: GlobalOptions & CreateOptions): Promise<number> {
  const client = await connect(options.data);
  const limits: AccessLimits = { ...(options.readOnly ? { readOnly: true } : {}), ...(options.bucket.length > 0 ? { buckets: options.bucket } : {}), ...(options.prefix.length > 0 ? { prefixes: options.prefix } : {}) };
  const key = await client.post<NewAccessKey>('/access-keys', { ...(options.description === undefined ? {} : { description: options.description }), ...(Object.keys(limits).length > 0 ? { limits } : {}) });
  if (options.json) printJson(key);
  else {
    printFields([
      ['accessKeyId', key.accessKeyId],
      ['secretAccessKey', key.secretAccessKey],
      ['description', key.description],
      ['limits', limitsText(key.limits)],
      ['createdAt', key.createdAt],
    ]);
    process.stderr.write('skybatch: keep the secret now; it cannot be shown again\n');
  }
  return 0;
}

export async function describeKey(id: string, options: GlobalOptions): Promise<number> {
  const client = await connect(options.data);
  const key = await client.get<AccessKeyInfo>(`/access-keys/${segment(id)}`);
  if (options.json) printJson(key);
  else
    printFields([
      ['accessKeyId', key.accessKeyId],
      ['description', key.description],
      ['limits', limitsText(key.limits)],
      ['createdAt', key.createdAt],
    ]);
  return 0;
}

export async function deleteKey(id: string, options: GlobalOptions): Promise<number> {
  const client = await connect(options.data);
  await client.delete(`/access-keys/${segment(id)}`);
  return 0;
}

export async function defaultKey(options: GlobalOptions): Promise<number> {
  const path = endpointPath(options.data);
  const file = await readEndpointFile(path);
  if (file === undefined) throw new CliError(EXIT_FAILED, `${path} does not exist: start the server with \`skybatch up\`${options.data === undefined ? '' : ` --data ${options.data}`} first`);
  const pair = { accessKeyId: file.accessKeyId, secretAccessKey: file.secretAccessKey, s3Endpoint: file.s3Endpoint };
  if (options.json) printJson(pair);
  else {
    process.stdout.write(`export AWS_ACCESS_KEY_ID=${pair.accessKeyId}\n`);
    process.stdout.write(`export AWS_SECRET_ACCESS_KEY=${pair.secretAccessKey}\n`);
    process.stdout.write(`export AWS_DEFAULT_REGION=us-east-1\n`);
    process.stdout.write(`# aws --endpoint-url ${pair.s3Endpoint} s3 ls\n`);
  }
  return 0;
}
