/*
 * `skybatch buckets`, `skybatch objects list BUCKET [--prefix P] [--delimiter /]` and
 * `skybatch lifecycle run [--now DATE]`: a look at the object store without an S3 client, and
 * the lifecycle sweep on demand (with --now, as of another day: how objects are aged on purpose).
 * Reading and writing objects is the S3 API's job (`aws s3 ... --endpoint-url`).
 */
import type { Command } from 'commander';
import type { BucketInfo, LifecycleRunResult, ObjectInfo } from '../../storage/types.js';
import { connect, segment } from '../client.js';
import { printJson, printTable, type GlobalOptions } from '../output.js';

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
  program
    .command('objects')
    .description('list the objects of a bucket')
    .command('list', { isDefault: true })
    .argument('<bucket>', 'bucket name')
    .option('--prefix <prefix>', 'only keys that start with this')
    .option('--delimiter <delimiter>', 'group keys by what comes before it (e.g. /)')
    .action(wrap<[string], ObjectListOptions>(listObjects));
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
