/*
 * `skybatch buckets`, `skybatch objects list BUCKET [--prefix P] [--delimiter /]` and
 * `skybatch lifecycle run [--now DATE]`: a look at the object store without an S3 client, and
 * the lifecycle sweep on demand (with --now, as of another day: how objects are aged on purpose).
 * `objects get/put` stream one object's bytes (jobs use them with their own token); S3 clients
 * use the S3 API (`aws s3 ... --endpoint-url`).
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { Command } from 'commander';
import type { BucketInfo, LifecycleRunResult, ObjectInfo } from '../../storage/types.js';
import { connect, segment } from '../client.js';
import { findEndpoint } from '../endpoint.js';
import { CliError, EXIT_FAILED, EXIT_USAGE, describeError, printJson, printTable, type GlobalOptions } from '../output.js';

type Done = (exitCode: number) => void;

export function registerStorageCommands(program: Command, done: Done): void {
  const wrap =
    <A extends string[], O>(run: (...args: [...A, O]) => Promise<number>) =>
    async (...received: unknown[]): Promise<void> => {
      const command = received[received.length - 1] as Command;
      done(await run(...(received.slice(0, -2) as A), command.optsWithGlobals() as O));
    };
  program
    .command('buckets')
    .description('list buckets')
    .action(wrap<[], GlobalOptions>(listBuckets));
  const objects = program.command('objects').description('list, read and write the objects of a bucket');
  objects
    .command('list', { isDefault: true })
    .argument('<bucket>', 'bucket name')
    .option('--prefix <prefix>', 'only keys that start with this')
    .option('--delimiter <delimiter>', 'group keys by what comes before it (e.g. /)')
    .action(wrap<[string], ObjectListOptions>(listObjects));
  objects
    .command('get')
    .description("write an object's bytes to FILE (default: stdout); job tokens may use it")
    .argument('<bucket>', 'bucket name')
    .argument('<key>', 'object key')
    .argument('[file]', 'local file, or - for stdout', '-')
    .action(wrap<[string, string, string], GlobalOptions>(getObjectBody));
  objects
    .command('put')
    .description('store FILE (or stdin, with -) as an object; job tokens may use it')
    .argument('<bucket>', 'bucket name')
    .argument('<key>', 'object key')
    .argument('<file>', 'local file, or - for stdin')
    .option('--content-type <type>', 'the object\'s Content-Type', 'application/octet-stream')
    .action(wrap<[string, string, string], GlobalOptions & { contentType: string }>(putObjectBody));
  program
    .command('lifecycle')
    .description("apply buckets' lifecycle rules")
    .command('run')
    .description("apply every bucket's lifecycle rules now, or as of --now")
    .option('--now <date>', 'evaluate the rules as of this time (ISO 8601, e.g. 2027-06-01)')
    .action(wrap<[], GlobalOptions & { now?: string }>(runLifecycle));
}

interface ObjectListOptions extends GlobalOptions {
  prefix?: string;
  delimiter?: string;
}

async function listBuckets(options: GlobalOptions): Promise<number> {
  const { items } = await (await connect(options.data)).get<{ items: BucketInfo[] }>('/buckets');
  if (options.json) printJson(items);
  else printTable(['NAME', 'CREATED'], items.map((b) => [b.name, b.createdAt]));
  return 0;
}

async function listObjects(bucket: string, options: ObjectListOptions): Promise<number> {
  const client = await connect(options.data);
  const objects: ObjectInfo[] = [];
  const prefixes: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.get<{ items: ObjectInfo[]; commonPrefixes: string[]; nextToken?: string }>(`/buckets/${segment(bucket)}/objects`, {
      prefix: options.prefix,
      delimiter: options.delimiter,
      nextToken,
    });
    objects.push(...page.items);
    prefixes.push(...page.commonPrefixes);
    nextToken = page.nextToken;
  } while (nextToken !== undefined);
  if (options.json) {
    printJson({ objects, commonPrefixes: prefixes });
    return 0;
  }
  printTable(
    ['KEY', 'SIZE', 'CLASS', 'MODIFIED'],
    [...prefixes.map((p) => [p, undefined, 'PREFIX', undefined]), ...objects.map((o) => [o.key, o.size, o.storageClass + (o.restore ? (o.restore.ongoing ? ' (restoring)' : ' (restored)') : ''), o.lastModified])],
  );
  return 0;
}

function objectUrl(url: string, bucket: string, key: string): string {
  return `${url}/api/v1/buckets/${segment(bucket)}/objects/${key.split('/').map(encodeURIComponent).join('/')}`;
}

async function objectRequest(options: GlobalOptions, bucket: string, key: string, init: RequestInit): Promise<Response> {
  const endpoint = await findEndpoint(options.data);
  let response: Response;
  try {
    response = await fetch(objectUrl(endpoint.url, bucket, key), { ...init, headers: { ...(init.headers as Record<string, string>), ...(endpoint.token === undefined ? {} : { authorization: `Bearer ${endpoint.token}` }) } });
  } catch (err) {
    throw new CliError(EXIT_FAILED, `cannot reach the Skybatch server at ${endpoint.url} (${describeError((err as Error).cause ?? err)})`);
  }
  if (!response.ok) {
    const body = (await response.json().catch(() => undefined)) as { error?: { code?: string; message?: string } } | undefined;
    throw new CliError(response.status < 500 ? EXIT_USAGE : EXIT_FAILED, body?.error ? `${body.error.code}: ${body.error.message}` : `HTTP ${response.status} for ${bucket}/${key}`);
  }
  return response;
}

async function getObjectBody(bucket: string, key: string, file: string, options: GlobalOptions): Promise<number> {
  const response = await objectRequest(options, bucket, key, { method: 'GET' });
  const body = Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
  await pipeline(body, file === '-' ? process.stdout : createWriteStream(file));
  return 0;
}

async function putObjectBody(bucket: string, key: string, file: string, options: GlobalOptions & { contentType: string }): Promise<number> {
  let body: Readable;
  const headers: Record<string, string> = { 'content-type': options.contentType };
  if (file === '-') body = process.stdin;
  else {
    try {
      headers['content-length'] = String((await stat(file)).size);
    } catch (err) {
      throw new CliError(EXIT_USAGE, `${file}: ${describeError(err)}`);
    }
    body = createReadStream(file);
  }
  const response = await objectRequest(options, bucket, key, { method: 'PUT', headers, body: Readable.toWeb(body) as ReadableStream, duplex: 'half' } as RequestInit);
  const info = (await response.json()) as ObjectInfo;
  if (options.json) printJson(info);
  else process.stdout.write(`${bucket}/${key}: ${info.size} bytes\n`);
  return 0;
}

async function runLifecycle(options: GlobalOptions & { now?: string }): Promise<number> {
  const result = await (await connect(options.data)).post<LifecycleRunResult & { now: string }>('/lifecycle/run', options.now === undefined ? {} : { now: options.now });
  if (options.json) {
    printJson(result);
    return 0;
  }
  process.stdout.write(`lifecycle rules applied as of ${result.now}\n`);
  const rows = [
    ...result.transitioned.map((t) => ['transitioned', `${t.bucket}/${t.key}`, t.storageClass]),
    ...result.expired.map((e) => ['expired', `${e.bucket}/${e.key}`, '']),
    ...result.restoresExpired.map((e) => ['restore ended', `${e.bucket}/${e.key}`, '']),
    ...result.uploadsAborted.map((u) => ['upload aborted', `${u.bucket}/${u.key}`, u.uploadId]),
  ];
  if (rows.length === 0) process.stdout.write('nothing to do\n');
  else printTable(['ACTION', 'OBJECT', 'DETAIL'], rows);
  return 0;
}
