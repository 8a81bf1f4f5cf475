/*
 * `skybatch jobs [list | describe ID | logs ID [-f] | cancel ID | terminate ID | submit ...]`.
 * stdout carries only the answer (a job id, a table, JSON, the log text) so scripts can
 * capture it; status changes of `submit --wait` go to stderr.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import { memoryProblem, vcpusProblem } from '../../batch/resource-requirements.js';
import type { JobDetail, JobStatus, JobSummary, SubmitJobRequest } from '../../batch/types.js';
import { Client, listAll, segment } from '../client.js';
import { findEndpoint, type Endpoint } from '../endpoint.js';
import { CliError, EXIT_FAILED, EXIT_USAGE, printFields, printJson, printNote, printTable, type GlobalOptions } from '../output.js';
import { positiveInteger } from './executions.js';

type Done = (exitCode: number) => void;

const STATUSES: readonly JobStatus[] = ['SUBMITTED', 'PENDING', 'RUNNABLE', 'STARTING', 'RUNNING', 'SUCCEEDED', 'FAILED'];
const ENDED: ReadonlySet<string> = new Set(['SUCCEEDED', 'FAILED']);
const POLL_MS = 300;

interface ListOptions extends GlobalOptions {
  queue?: string;
  status?: string;
  arrayJob?: string;
  limit?: string;
}

interface SubmitOptions extends GlobalOptions {
  queue: string;
  definition?: string;
  command?: string;
  name?: string;
  vcpus?: string;
  memory?: string;
  timeout?: string;
  attempts?: string;
  arraySize?: string;
  dependsOn?: string[];
  env?: string[];
  wait?: boolean;
}

type ReasonOptions = GlobalOptions & { reason?: string };

/** For repeatable options: commander calls it once per occurrence. */
export const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

export function registerJobCommands(program: Command, done: Done): void {
  const wrap =
    <A extends string[], O>(run: (...args: [...A, O]) => Promise<number>) =>
    async (...received: unknown[]): Promise<void> => {
      const command = received[received.length - 1] as Command;
      done(await run(...(received.slice(0, -2) as A), command.optsWithGlobals() as O));
    };
  const jobs = program.command('jobs').description('submit, list, describe, follow, cancel and terminate batch jobs');
  jobs
    .command('list', { isDefault: true })
    .description('list jobs, newest first (the default)')
    .option('--queue <queue>', 'only jobs of this queue')
    .option('--status <status>', `only jobs with this status (${STATUSES.join(', ')})`)
    .option('--array-job <id>', 'the children of this array job')
    .option('--limit <n>', 'show at most N jobs')
    .action(wrap<[], ListOptions>(listJobs));
  jobs.command('describe').description('show a job').argument('<id>', 'job id or ARN').action(wrap<[string], GlobalOptions>(describeJob));
  jobs
    .command('logs')
    .description("print a job's output (stdout and stderr)")
    .argument('<id>', 'job id or ARN')
    .option('-f, --follow', 'keep printing new output until the job ends')
    .action(wrap<[string], GlobalOptions & { follow?: boolean }>(jobLogs));
  jobs
    .command('cancel')
    .description('cancel a job that has not started yet (its dependents fail too)')
    .argument('<id>', 'job id or ARN')
    .option('--reason <text>', 'why, recorded as the status reason')
    .action(wrap<[string], ReasonOptions>((id, options) => stopJob('cancel', id, options)));
  jobs
    .command('terminate')
    .description('kill a running job, or cancel it if it has not started')
    .argument('<id>', 'job id or ARN')
    .option('--reason <text>', 'why, recorded as the status reason')
    .action(wrap<[string], ReasonOptions>((id, options) => stopJob('terminate', id, options)));
  jobs
    .command('submit')
    .description('submit a job and print its id; with --command and no --definition an ad-hoc job run by /bin/sh -c')
    .option('--queue <queue>', 'job queue', 'default')
    .option('--definition <ref>', 'job definition NAME or NAME:REVISION')
    .option('--command <cmd>', 'command line, run by /bin/sh -c (overrides the definition\'s)')
    .option('--name <name>', 'job name (default: "adhoc" or the definition name)')
    .option('--vcpus <n>', 'vCPUs to reserve')
    .option('--memory <MiB>', 'memory to reserve, in MiB')
    .option('--timeout <seconds>', 'attempt timeout')
    .option('--attempts <n>', 'attempts in all (1-10), retried on failure')
    .option('--array-size <n>', 'run an array job of N children (2-10000)')
    .option('--depends-on <id>', 'wait for this job to succeed first (repeatable)', collect)
    .option('--env <K=V>', 'environment variable (repeatable)', collect)
    .option('--wait', 'show status changes on stderr; exit 0 on SUCCEEDED, 1 on FAILED')
    .action(wrap<[], SubmitOptions>(submitJob));
}

async function connectTo(options: GlobalOptions): Promise<{ client: Client; endpoint: Endpoint }> {
  const endpoint = await findEndpoint(options.data);
  return { client: new Client(endpoint), endpoint };
}

export async function listJobs(options: ListOptions): Promise<number> {
  const status = options.status?.toUpperCase();
  if (status !== undefined && !(STATUSES as readonly string[]).includes(status)) throw new CliError(EXIT_USAGE, `--status must be one of ${STATUSES.join(', ')}, not "${options.status}"`);
  const max = options.limit === undefined ? undefined : positiveInteger('--limit', options.limit);
  const { client } = await connectTo(options);
  const items = await listAll<JobSummary>(client, '/jobs', { queue: options.queue, status, arrayJobId: options.arrayJob }, max);
  if (options.json) printJson(items);
  else printTable(['ID', 'NAME', 'QUEUE', 'STATUS', 'CREATED', 'STOPPED', 'PROGRESS'], items.map((j) => [j.jobId, j.jobName, lastPart(j.jobQueue), j.status, time(j.createdAt), time(j.stoppedAt), progressText(j.progress)]));
  return 0;
}

export async function describeJob(id: string, options: GlobalOptions): Promise<number> {
  const { client } = await connectTo(options);
  printJob(await client.get<JobDetail>(`/jobs/${segment(id)}`), options);
  return 0;
}

async function stopJob(action: 'cancel' | 'terminate', id: string, options: ReasonOptions): Promise<number> {
  const { client } = await connectTo(options);
  printJob(await client.post<JobDetail>(`/jobs/${segment(id)}/${action}`, options.reason === undefined ? {} : { reason: options.reason }), options);
  return 0;
}

export async function jobLogs(id: string, options: GlobalOptions & { follow?: boolean }): Promise<number> {
  const { client, endpoint } = await connectTo(options);
  // Describing first makes an unknown id a clear error, and gives the id behind an ARN.
  const { jobId } = await client.get<JobDetail>(`/jobs/${segment(id)}`);
  let offset = 0;
  for (;;) {
    offset += await streamLog(endpoint, jobId, offset, options.follow === true);
    if (!options.follow) return 0;
    // The server ends a follow when the job ends; a dropped connection ends it early, so resume.
    if (ENDED.has((await client.get<JobDetail>(`/jobs/${segment(jobId)}`)).status)) {
      offset += await streamLog(endpoint, jobId, offset, false);
      return 0;
    }
    await sleep(POLL_MS);
  }
}

/** Copies the log from `offset` to stdout; returns the bytes written. */
async function streamLog(endpoint: Endpoint, jobId: string, offset: number, follow: boolean): Promise<number> {
  const url = new URL(`${endpoint.url}/api/v1/jobs/${segment(jobId)}/logs`);
  url.searchParams.set('offset', String(offset));
  url.searchParams.set('follow', String(follow));
  let response: Response;
  try {
    response = await fetch(url, { headers: endpoint.token === undefined ? {} : { authorization: `Bearer ${endpoint.token}` } });
  } catch (err) {
    if (follow) return 0;
    throw new CliError(EXIT_FAILED, `cannot reach the Skybatch server at ${endpoint.url}: ${(err as Error).message}`);
  }
  if (!response.ok || !response.body) throw new CliError(response.status < 500 ? EXIT_USAGE : EXIT_FAILED, `cannot read the log of job ${jobId}: HTTP ${response.status} ${await response.text()}`);
  let written = 0;
  try {
    for await (const chunk of response.body) {
      written += chunk.length;
      if (!process.stdout.write(chunk)) await new Promise((resolve) => process.stdout.once('drain', resolve));
    }
  } catch {
    // The connection dropped mid-stream: the caller resumes from what arrived.
  }
  return written;
}

export async function submitJob(options: SubmitOptions): Promise<number> {
  const request = submitRequest(options);
  const { client } = await connectTo(options);
  const submitted = await client.post<JobDetail>('/jobs', request);
  if (!options.wait) {
    if (options.json) printJob(submitted, options);
    else process.stdout.write(`${submitted.jobId}\n`);
    return 0;
  }
  if (!options.json) process.stdout.write(`${submitted.jobId}\n`);
  let shown = '';
  for (let job = submitted; ; job = await client.get<JobDetail>(`/jobs/${segment(job.jobId)}`)) {
    const line = job.progress === undefined || ENDED.has(job.status) ? job.status : `${job.status}  ${progressText(job.progress)}`;
    if (line !== shown) printNote(line);
    shown = line;
    if (ENDED.has(job.status)) {
      if (options.json) printJob(job, options);
      if (job.status === 'SUCCEEDED') return 0;
      printNote(`skybatch: job ${job.jobId} FAILED${job.statusReason === undefined ? '' : `: ${job.statusReason}`}`);
      return EXIT_FAILED;
    }
    await sleep(POLL_MS);
  }
}

/** The SubmitJobRequest the options ask for; throws usage errors before anything is sent. */
export function submitRequest(options: SubmitOptions): SubmitJobRequest {
  if (options.definition === undefined && options.command === undefined) throw new CliError(EXIT_USAGE, 'give --command CMD (an ad-hoc job) or --definition NAME[:REV]');
  const whole = (option: string, text: string | undefined) => (text === undefined ? undefined : positiveInteger(option, text));
  const fields = {
    vcpus: jobVcpus(options.vcpus),
    memory: jobMemory(options.memory),
    timeoutSeconds: whole('--timeout', options.timeout),
    attempts: whole('--attempts', options.attempts),
    arraySize: whole('--array-size', options.arraySize),
  };
  const request: SubmitJobRequest = {
    jobName: options.name ?? (options.definition === undefined ? 'adhoc' : definitionName(options.definition)),
    jobQueue: options.queue,
    ...(options.definition === undefined ? {} : { jobDefinition: options.definition }),
    // One string: the server runs it with /bin/sh -c, like sbatch --wrap.
    ...(options.command === undefined ? {} : { command: [options.command] }),
    ...(options.env === undefined ? {} : { environment: parseEnv(options.env) }),
    ...(options.dependsOn === undefined ? {} : { dependsOn: options.dependsOn.map((jobId) => ({ jobId })) }),
  };
  // Only the numbers given: the server fills in the definition's or its defaults.
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) Object.assign(request, { [key]: value });
  return request;
}

/** A size option (`--vcpus`, `--memory`) checked as the server checks it: a bad one is a usage error. */
function sizeOption(option: string, text: string | undefined, problemOf: (value: unknown, as: string) => string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = text.trim() === '' ? Number.NaN : Number(text);
  const problem = problemOf(value, JSON.stringify(text));
  if (problem) throw new CliError(EXIT_USAGE, `${option}: ${problem}`);
  return value;
}

export const jobVcpus = (text: string | undefined): number | undefined => sizeOption('--vcpus', text, vcpusProblem);
export const jobMemory = (text: string | undefined): number | undefined => sizeOption('--memory', text, memoryProblem);

/** `K=V` pairs; V may itself hold '='. */
export function parseEnv(pairs: string[]): { name: string; value: string }[] {
  return pairs.map((pair) => {
    const at = pair.indexOf('=');
    if (at < 1) throw new CliError(EXIT_USAGE, `--env takes NAME=VALUE, not "${pair}"`);
    return { name: pair.slice(0, at), value: pair.slice(at + 1) };
  });
}

/** NAME from NAME, NAME:REV or an ARN, for the default job name. */
function definitionName(ref: string): string {
  return (lastPart(ref).split(':')[0] ?? ref) || 'adhoc';
}

function lastPart(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

function time(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : new Date(ms).toISOString();
}

function progressText(progress: { percent: number; message?: string } | undefined): string | undefined {
  return progress === undefined ? undefined : `${progress.percent}%${progress.message === undefined ? '' : ` ${progress.message}`}`;
}

export function printJob(job: JobDetail, options: GlobalOptions): void {
  if (options.json) {
    // The contract's fields are always there, null when the job has none yet.
    printJson({ ...job, statusReason: job.statusReason ?? null, exitCode: job.container.exitCode ?? null, progress: job.progress ?? null });
    return;
  }
  const array = job.arrayProperties;
  printFields([
    ['id', job.jobId],
    ['name', job.jobName],
    ['queue', lastPart(job.jobQueue)],
    ['definition', job.jobDefinition === 'adhoc' ? 'adhoc' : lastPart(job.jobDefinition)],
    ['status', job.status],
    ['reason', job.statusReason],
    ['exit code', job.container.exitCode],
    ['command', job.container.command.join(' ')],
    ['array', array?.index !== undefined ? `index ${array.index}` : array?.size !== undefined ? `size ${array.size}${summary(array.statusSummary)}` : undefined],
    ['depends on', job.dependsOn.map((d) => d.jobId).join(', ')],
    ['attempts', job.attempts.length > 0 ? `${job.attempts.length} of ${job.retryStrategy.attempts}` : undefined],
    ['progress', progressText(job.progress)],
    ['created', time(job.createdAt)],
    ['started', time(job.startedAt)],
    ['stopped', time(job.stoppedAt)],
  ]);
}

function summary(counts: Partial<Record<JobStatus, number>> | undefined): string {
  const parts = Object.entries(counts ?? {}).filter(([, n]) => n !== undefined && n > 0);
  return parts.length === 0 ? '' : ` (${parts.map(([s, n]) => `${s} ${n}`).join(', ')})`;
}
