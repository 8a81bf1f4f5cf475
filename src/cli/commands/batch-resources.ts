/*
 * `skybatch compute-environments ...`, `skybatch job-queues ...` and `skybatch job-definitions ...`:
 * the resources jobs run on. `job-definitions register -f FILE` takes the API's body as JSON
 * or YAML, or an AWS RegisterJobDefinition document (containerProperties, timeout), so a
 * definition kept for AWS Batch registers unchanged; options given on the line win.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { ComputeEnvironment, JobDefinition, JobQueue } from '../../batch/types.js';
import { connect, segment } from '../client.js';
import { CliError, EXIT_USAGE, describeError, printFields, printJson, printTable, type GlobalOptions } from '../output.js';
import { positiveInteger } from './executions.js';
import { collect, jobMemory, jobVcpus, parseEnv } from './jobs.js';

type Done = (exitCode: number) => void;

interface CeOptions extends GlobalOptions {
  maxVcpus?: string;
  maxMemory?: string;
  capacityType?: string;
  state?: string;
}

interface QueueOptions extends GlobalOptions {
  priority?: string;
  computeEnvironment?: string[];
  fairShare?: boolean;
  fifo?: boolean;
  state?: string;
}

interface RegisterOptions extends GlobalOptions {
  command?: string;
  file?: string;
  image?: string;
  vcpus?: string;
  memory?: string;
  attempts?: string;
  timeout?: string;
  env?: string[];
}

export function registerBatchResourceCommands(program: Command, done: Done): void {
  const wrap =
    <A extends string[], O>(run: (...args: [...A, O]) => Promise<number>) =>
    async (...received: unknown[]): Promise<void> => {
      const command = received[received.length - 1] as Command;
      done(await run(...(received.slice(0, -2) as A), command.optsWithGlobals() as O));
    };

  const ce = program.command('compute-environments').description('list, create, describe, update and delete compute environments');
  ce.command('list', { isDefault: true }).description('list compute environments (the default)').action(wrap<[], GlobalOptions>(listCes));
  const ceOptions = (command: Command) =>
    command
      .argument('<name>', 'compute environment name')
      .option('--max-vcpus <n>', 'vCPUs its jobs may use at once')
      .option('--max-memory <MiB>', 'memory its jobs may use at once, in MiB')
      .option('--capacity-type <type>', 'ON_DEMAND or SPOT')
      .option('--state <state>', 'ENABLED or DISABLED');
  ceOptions(ce.command('create').description('create a compute environment (default size: this machine)')).action(wrap<[string], CeOptions>((name, o) => putCe('create', name, o)));
  ceOptions(ce.command('update').description('change a compute environment; options not given stay')).action(wrap<[string], CeOptions>((name, o) => putCe('update', name, o)));
  ce.command('describe').description('show a compute environment').argument('<name>', 'name or ARN').action(wrap<[string], GlobalOptions>(async (name, o) => showCe(await (await connect(o.data)).get(`/compute-environments/${segment(name)}`), o)));
  ce.command('delete').description('delete a compute environment no queue uses').argument('<name>', 'name or ARN').action(wrap<[string], GlobalOptions>((name, o) => remove('/compute-environments', 'compute environment', name, o)));

  const jq = program.command('job-queues').description('list, create, describe, update and delete job queues');
  jq.command('list', { isDefault: true }).description('list job queues (the default)').action(wrap<[], GlobalOptions>(listQueues));
  const queueOptions = (command: Command) =>
    command
      .argument('<name>', 'job queue name')
      .option('--priority <n>', 'higher runs first (0-1000)')
      .option('--compute-environment <ce>', 'a compute environment, in order of preference (repeatable)', collect)
      .option('--fair-share', 'schedule by share identifier instead of first in, first out')
      .option('--state <state>', 'ENABLED or DISABLED');
  queueOptions(jq.command('create').description('create a job queue (default compute environment: local)')).action(wrap<[string], QueueOptions>((name, o) => putQueue('create', name, o)));
  queueOptions(jq.command('update').description('change a job queue; options not given stay'))
    .option('--fifo', 'schedule first in, first out')
    .action(wrap<[string], QueueOptions>((name, o) => putQueue('update', name, o)));
  jq.command('describe').description('show a job queue').argument('<name>', 'name or ARN').action(wrap<[string], GlobalOptions>(async (name, o) => showQueue(await (await connect(o.data)).get(`/job-queues/${segment(name)}`), o)));
  jq.command('delete').description('delete a job queue').argument('<name>', 'name or ARN').action(wrap<[string], GlobalOptions>((name, o) => remove('/job-queues', 'job queue', name, o)));

  const jd = program.command('job-definitions').description('list, register, describe and deregister job definitions');
  jd.command('list', { isDefault: true })
    .description('list job definition revisions (the default)')
    .option('--name <name>', 'only revisions of this definition')
    .option('--status <status>', 'ACTIVE or INACTIVE')
    .action(wrap<[], GlobalOptions & { name?: string; status?: string }>(listDefinitions));
  jd.command('register')
    .description('register a new revision of a job definition')
    .argument('<name>', 'job definition name')
    .option('--command <cmd>', 'command line, run by /bin/sh -c')
    .option('-f, --file <file>', 'definition as JSON or YAML')
    .option('--image <image>', 'container image')
    .option('--vcpus <n>', 'vCPUs to reserve')
    .option('--memory <MiB>', 'memory to reserve, in MiB')
    .option('--attempts <n>', 'attempts in all (1-10)')
    .option('--timeout <seconds>', 'attempt timeout')
    .option('--env <K=V>', 'environment variable (repeatable)', collect)
    .action(wrap<[string], RegisterOptions>(registerDefinition));
  jd.command('describe').description('show a job definition revision').argument('<ref>', 'NAME (latest revision), NAME:REVISION or ARN').action(wrap<[string], GlobalOptions>(async (ref, o) => showDefinition(await (await connect(o.data)).get(`/job-definitions/${segment(ref)}`), o)));
  jd.command('deregister')
    .description('make a revision (NAME:REVISION) or every revision (NAME) INACTIVE')
    .argument('<ref>', 'NAME, NAME:REVISION or ARN')
    .action(wrap<[string], GlobalOptions>(async (ref, o) => {
      await (await connect(o.data)).delete(`/job-definitions/${segment(ref)}`);
      if (!o.json) process.stdout.write(`deregistered job definition ${ref}\n`);
      return 0;
    }));
}

function oneOf(option: string, value: string | undefined, allowed: string[]): string | undefined {
  const upper = value?.toUpperCase();
  if (upper !== undefined && !allowed.includes(upper)) throw new CliError(EXIT_USAGE, `${option} must be ${allowed.join(' or ')}, not "${value}"`);
  return upper;
}

/** Drops the fields left undefined, so the server keeps (or defaults) them. */
function defined(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}

const integer = (option: string, text: string | undefined) => (text === undefined ? undefined : positiveInteger(option, text));

async function remove(base: string, what: string, name: string, options: GlobalOptions): Promise<number> {
  await (await connect(options.data)).delete(`${base}/${segment(name)}`);
  if (!options.json) process.stdout.write(`deleted ${what} ${name}\n`);
  return 0;
}

async function listCes(options: GlobalOptions): Promise<number> {
  const { items } = await (await connect(options.data)).get<{ items: ComputeEnvironment[] }>('/compute-environments');
  if (options.json) printJson(items);
  else printTable(['NAME', 'STATE', 'EXECUTOR', 'CAPACITY', 'MAX VCPUS', 'MAX MEMORY MiB'], items.map((c) => [c.computeEnvironmentName, c.state, c.executor, c.capacityType, c.maxVcpus, c.maxMemoryMiB]));
  return 0;
}

async function putCe(mode: 'create' | 'update', name: string, options: CeOptions): Promise<number> {
  const body = defined({
    maxVcpus: integer('--max-vcpus', options.maxVcpus),
    maxMemoryMiB: integer('--max-memory', options.maxMemory),
    capacityType: oneOf('--capacity-type', options.capacityType, ['ON_DEMAND', 'SPOT']),
    state: oneOf('--state', options.state, ['ENABLED', 'DISABLED']),
  });
  const client = await connect(options.data);
  const ce = mode === 'create' ? await client.post<ComputeEnvironment>('/compute-environments', { name, ...body }) : await client.put<ComputeEnvironment>(`/compute-environments/${segment(name)}`, body);
  return showCe(ce, options);
}

function showCe(ce: ComputeEnvironment, options: GlobalOptions): number {
  if (options.json) printJson(ce);
  else printFields([['name', ce.computeEnvironmentName], ['arn', ce.computeEnvironmentArn], ['state', ce.state], ['executor', ce.executor], ['capacity type', ce.capacityType], ['max vcpus', ce.maxVcpus], ['max memory MiB', ce.maxMemoryMiB]]);
  return 0;
}

async function listQueues(options: GlobalOptions): Promise<number> {
  const { items } = await (await connect(options.data)).get<{ items: JobQueue[] }>('/job-queues');
  if (options.json) printJson(items);
  else printTable(['NAME', 'STATE', 'PRIORITY', 'POLICY', 'COMPUTE ENVIRONMENTS'], items.map((q) => [q.jobQueueName, q.state, q.priority, q.schedulingPolicy, environments(q)]));
  return 0;
}

async function putQueue(mode: 'create' | 'update', name: string, options: QueueOptions): Promise<number> {
  if (options.fairShare && options.fifo) throw new CliError(EXIT_USAGE, '--fair-share and --fifo exclude each other');
  const priority = options.priority === undefined ? undefined : Number(options.priority);
  if (priority !== undefined && !/^\d+$/.test(options.priority ?? '')) throw new CliError(EXIT_USAGE, `--priority must be an integer from 0 to 1000, not "${options.priority}"`);
  const body = defined({
    priority,
    state: oneOf('--state', options.state, ['ENABLED', 'DISABLED']),
    computeEnvironments: options.computeEnvironment,
    schedulingPolicy: options.fairShare ? 'FAIR_SHARE' : options.fifo ? 'FIFO' : undefined,
  });
  const client = await connect(options.data);
  const queue = mode === 'create' ? await client.post<JobQueue>('/job-queues', { name, ...body }) : await client.put<JobQueue>(`/job-queues/${segment(name)}`, body);
  return showQueue(queue, options);
}

function environments(queue: JobQueue): string {
  return queue.computeEnvironmentOrder.map((o) => o.computeEnvironment).join(', ');
}

function showQueue(queue: JobQueue, options: GlobalOptions): number {
  if (options.json) printJson(queue);
  else printFields([['name', queue.jobQueueName], ['arn', queue.jobQueueArn], ['state', queue.state], ['priority', queue.priority], ['scheduling policy', queue.schedulingPolicy], ['compute environments', environments(queue)]]);
  return 0;
}

async function listDefinitions(options: GlobalOptions & { name?: string; status?: string }): Promise<number> {
  const status = oneOf('--status', options.status, ['ACTIVE', 'INACTIVE']);
  const query = defined({ name: options.name, status }) as Record<string, string>;
  const { items } = await (await connect(options.data)).get<{ items: JobDefinition[] }>('/job-definitions', query);
  if (options.json) printJson(items);
  else printTable(['NAME', 'REVISION', 'STATUS', 'VCPUS', 'MEMORY', 'COMMAND'], items.map((d) => [d.jobDefinitionName, d.revision, d.status, d.containerProperties.vcpus, d.containerProperties.memory, d.containerProperties.command.join(' ')]));
  return 0;
}

async function registerDefinition(name: string, options: RegisterOptions): Promise<number> {
  if (options.command === undefined && options.file === undefined && options.image === undefined) throw new CliError(EXIT_USAGE, 'give --command CMD or -f FILE (JSON or YAML)');
  const fromFile = options.file === undefined ? {} : await readDefinitionFile(options.file);
  const attempts = integer('--attempts', options.attempts);
  const retryStrategy = fromFile.retryStrategy as Record<string, unknown> | undefined;
  const body = {
    ...fromFile,
    ...defined({
      name,
      command: options.command === undefined ? undefined : [options.command],
      image: options.image,
      vcpus: jobVcpus(options.vcpus),
      memory: jobMemory(options.memory),
      timeoutSeconds: integer('--timeout', options.timeout),
      retryStrategy: attempts === undefined ? undefined : { ...retryStrategy, attempts },
      environment: options.env === undefined ? undefined : [...environmentOf(fromFile.environment), ...parseEnv(options.env)],
    }),
  };
  return showDefinition(await (await connect(options.data)).post<JobDefinition>('/job-definitions', body), options);
}

/** The API's register body, from that shape or from AWS's RegisterJobDefinition. */
async function readDefinitionFile(file: string): Promise<Record<string, unknown>> {
  let parsed: unknown;
  try {
    // Loaded here: every other command would pay for the YAML parser on each call.
    const { parse } = await import('yaml');
    parsed = parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new CliError(EXIT_USAGE, `cannot read ${file}: ${describeError(err)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new CliError(EXIT_USAGE, `${file} must hold an object`);
  const { jobDefinitionName: _name, type: _type, containerProperties, timeout, ...rest } = parsed as Record<string, unknown>;
  const container = (containerProperties ?? {}) as Record<string, unknown>;
  const attemptSeconds = (timeout as { attemptDurationSeconds?: unknown } | undefined)?.attemptDurationSeconds;
  const resources = (container.resourceRequirements ?? []) as { type?: string; value?: string }[];
  const resource = (type: string) => {
    const value = resources.find((r) => r.type === type)?.value;
    return value === undefined ? undefined : Number(value);
  };
  return {
    ...rest,
    ...defined({
      command: container.command,
      image: container.image,
      environment: container.environment,
      vcpus: container.vcpus ?? resource('VCPU'),
      memory: container.memory ?? resource('MEMORY'),
      timeoutSeconds: attemptSeconds,
    }),
  };
}

function environmentOf(value: unknown): { name: string; value: string }[] {
  if (Array.isArray(value)) return value as { name: string; value: string }[];
  if (typeof value === 'object' && value !== null) return Object.entries(value).map(([name, v]) => ({ name, value: String(v) }));
  return [];
}

function showDefinition(def: JobDefinition, options: GlobalOptions): number {
  if (options.json) {
    printJson(def);
    return 0;
  }
  const c = def.containerProperties;
  printFields([
    ['name', def.jobDefinitionName],
    ['revision', def.revision],
    ['arn', def.jobDefinitionArn],
    ['status', def.status],
    ['command', c.command.join(' ')],
    ['image', c.image],
    ['vcpus', c.vcpus],
    ['memory MiB', c.memory],
    ['environment', c.environment.map((e) => `${e.name}=${e.value}`).join(' ')],
    ['attempts', def.retryStrategy.attempts],
    ['timeout', def.timeout === undefined ? undefined : `${def.timeout.attemptDurationSeconds}s`],
  ]);
  return 0;
}
