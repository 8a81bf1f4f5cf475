/*
 * `skybatch demo [--lines N] [--split N] [--project P] [--stack FILE]`: the string pipeline
 * (ARCHITECTURE.md 4.1) from nothing to its summary. It uses the server the other commands
 * find; when none answers it starts `skybatch up` on --data (default ./.skybatch) and stops it
 * after. It applies the example stack unless one is there, uploads N generated lines as
 * s3://data/random.string, runs StringPipeline with the 4.1 input, shows progress on stderr and
 * prints the summary: states, jobs, output objects and sizes, the notification, wall time.
 * Exit 0 when the execution SUCCEEDED, 1 otherwise.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { HistoryEvent } from '../../asl/interpreter/protocol.js';
import type { ExecutionInfo, ExecutionStatus } from '../../engine/types.js';
import type { DeliveryInfo, SubscriptionInfo } from '../../notify/types.js';
import { loadStack, type LoadedStack } from '../../stack/load.js';
import type { ApplyResult } from '../../stack/service.js';
import type { ObjectInfo } from '../../storage/types.js';
import { Client, listAll, segment } from '../client.js';
import { DEFAULT_DATA_DIR, endpointPath, findEndpoint, readEndpointFile, type Endpoint } from '../endpoint.js';
import { batchJobs, batchTaskCounts, stateSpans, topLevelWaitMs, type StateSpan } from '../execution-report.js';
import { CliError, EXIT_FAILED, EXIT_USAGE, describeError, printJson, printNote, type GlobalOptions } from '../output.js';
import { failureLines, failureSummary, planLines } from './stacks.js';

export interface DemoOptions extends GlobalOptions {
  lines?: string;
  split?: string;
  project?: string;
  stack?: string;
}

/** Where the example lives: three levels up from both src/cli/commands (tsx) and dist/cli/commands. */
const EXAMPLE = new URL('../../../examples/string-pipeline/', import.meta.url);
const BIN = fileURLToPath(new URL('../../../bin/skybatch.js', import.meta.url));
const STATE_MACHINE = 'StringPipeline';
const TOPIC = 'StringPipeline';
const BUCKET = 'data';
const INPUT_KEY = 'random.string';
const POLL_MS = 200;
const DONE: ReadonlySet<ExecutionStatus> = new Set(['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']);

export interface DemoSummary {
  status: ExecutionStatus;
  executionArn: string;
  input: { bucket: string; key: string; lines: number; bytes: number; splitNum: number; chunks: number };
  states: StateSpan[];
  jobs: { run: number; succeeded: number; failed: number };
  outputs: { key: string; size: number }[];
  notification?: { messageId: string; subject?: string; topic: string; deliveries: { protocol: string; endpoint: string; status: string; attempts: number; lastError?: string }[] };
  error?: string;
  cause?: string;
  /** From the command's start to the summary, server start included. */
  wallSeconds: number;
  /** The execution alone, and the part of it spent in top-level Wait states (the pipeline's Finish). */
  executionSeconds: number;
  waitSeconds: number;
}

export async function demoCommand(options: DemoOptions): Promise<number> {
  const started = performance.now();
  const lines = wholeNumber('--lines', options.lines ?? '100000', 1);
  const splitNum = wholeNumber('--split', options.split ?? '10000', 1);
  const project = options.project ?? 'demo';
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(project)) throw new CliError(EXIT_USAGE, `--project must be 1 to 64 letters, digits, "_" or "-", not "${project}"`);
  const stackFile = options.stack ?? fileURLToPath(new URL('stack.yaml', EXAMPLE));
  // Read before a server starts: a broken file is the user's to fix (exit 2).
  const loaded = loadStack(stackFile);
  if ('problems' in loaded) throw new CliError(EXIT_USAGE, `${stackFile} is invalid; nothing was changed`, loaded.problems);

  const server = await reachServer(options.data);
  try {
    const client = new Client(server.endpoint);
    await applyStackIfNeeded(client, loaded.stack, options.stack !== undefined);
    const bytes = await uploadLines(server.endpoint, lines);
    printNote(`uploaded ${lines} lines (${bytes} bytes) as s3://${BUCKET}/${INPUT_KEY}`);
    const { body: execution } = await client.send<ExecutionInfo>('POST', '/executions', { stateMachine: STATE_MACHINE, input: pipelineInput(project, splitNum) });
    printNote(`started ${execution.executionArn}`);
    const chunks = Math.ceil(lines / splitNum);
    const { info, events } = await follow(client, execution, 2 * chunks + 3);
    const summary = await summarize(client, info, events, { lines, bytes, splitNum, chunks, project });
    summary.wallSeconds = seconds(performance.now() - started);
    if (options.json) printJson(summary);
    else printSummary(summary, project);
    return summary.status === 'SUCCEEDED' ? 0 : EXIT_FAILED;
  } finally {
    await server.stop?.();
  }
}

/** The input of ARCHITECTURE.md 4.1, for this project and chunk size. */
export function pipelineInput(project: string, splitNum: number) {
  return {
    TaskInfo: {
      BasicParameters: { ProjectNo: project, INPUT_BUCKET: BUCKET, INPUT_KEY, OUTPUT_BUCKET: BUCKET },
      JobParameter: {
        String_Split: { Name: 'String_Split', OUTPUT_KEY: `result/${project}/String_Split`, SPLIT_NUM: String(splitNum) },
        String_Repeat: { Name: 'String_Repeat', OUTPUT_KEY: `result/${project}/String_Repeat`, Prefix: 'repeat' },
        String_Reverse: { Name: 'String_Reverse', OUTPUT_KEY: `result/${project}/String_Reverse`, Prefix: 'reverse' },
      },
    },
  };
}

function wholeNumber(option: string, text: string, min: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < min) throw new CliError(EXIT_USAGE, `${option} must be a whole number of at least ${min}, not "${text}"`);
  return value;
}

const seconds = (ms: number) => Math.round(ms) / 1000;

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/api/v1/health`, { signal: AbortSignal.timeout(2000) })).ok;
  } catch {
    return false;
  }
}

/**
 * The server the other commands would use; when there is none (no endpoint.json, or one
 * left by a server that is gone), a `skybatch up` child on the data dir, stopped by stop().
 * An explicit SKYBATCH_ENDPOINT that does not answer is an error: that server is not ours to start.
 */
async function reachServer(dataDir: string | undefined): Promise<{ endpoint: Endpoint; stop?: () => Promise<void> }> {
  const explicit = process.env.SKYBATCH_ENDPOINT !== undefined && process.env.SKYBATCH_ENDPOINT !== '';
  const path = endpointPath(dataDir);
  const known = explicit || (await readEndpointFile(path)) !== undefined ? await findEndpoint(dataDir) : undefined;
  if (known !== undefined && (await answers(known.url))) return { endpoint: known };
  if (explicit) throw new CliError(EXIT_FAILED, `no Skybatch server answers at ${known?.url ?? process.env.SKYBATCH_ENDPOINT} (from SKYBATCH_ENDPOINT)`);

  const dir = dataDir ?? DEFAULT_DATA_DIR;
  printNote(`no Skybatch server is running for ${dir}: starting one (stopped after the demo)`);
  const child = spawn(process.execPath, [BIN, 'up', '--data', dir, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const stop = () => stopChild(child);
  try {
    await untilUp(child);
    const endpoint = await findEndpoint(dataDir);
    printNote(`server up at ${endpoint.url}`);
    return { endpoint, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Resolves once the child printed its "Skybatch is up" line (endpoint.json is written by then). */
function untilUp(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Skybatch is up')) {
        child.stdout?.off('data', onData);
        child.off('exit', onExit);
        // Keep draining, so a chatty server never blocks on a full pipe.
        child.stdout?.resume();
        child.stderr?.resume();
        resolve();
      }
    };
    const onExit = (code: number | null) => reject(new CliError(EXIT_FAILED, `skybatch up exited with ${code} before it was up:\n${output.trim()}`));
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', onExit);
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/**
 * The example stack is applied when the server has no string-pipeline stack yet; a stack file
 * given with --stack is always applied (an unchanged one has an empty plan).
 */
async function applyStackIfNeeded(client: Client, stack: LoadedStack, always: boolean): Promise<void> {
  if (!always) {
    const present = await client.get<{ resources: unknown[] }>(`/stacks/${segment(stack.name)}`);
    if (present.resources.length > 0) {
      printNote(`stack ${stack.name} is already applied`);
      return;
    }
  }
  const result = await client.post<ApplyResult>(`/stacks/${segment(stack.name)}/apply`, { stack: stack.value });
  for (const line of planLines(result, false)) printNote(line);
  if (result.failed.length > 0) throw new CliError(EXIT_FAILED, failureSummary(result.failed), failureLines(result.failed));
}

interface RandomLinesModule {
  randomLines(options: { lines: number; seed?: number }): Iterable<string>;
}

/** Streams the generated lines to the object route; returns the size stored. */
async function uploadLines(endpoint: Endpoint, lines: number): Promise<number> {
  const { randomLines } = (await import(new URL('random-lines.mjs', EXAMPLE).href)) as RandomLinesModule;
  const body = Readable.toWeb(Readable.from(randomLines({ lines }))) as ReadableStream;
  const url = `${endpoint.url}/api/v1/buckets/${segment(BUCKET)}/objects/${INPUT_KEY}`;
  const headers: Record<string, string> = { 'content-type': 'text/plain' };
  if (endpoint.token !== undefined) headers.authorization = `Bearer ${endpoint.token}`;
  let response: Response;
  try {
    response = await fetch(url, { method: 'PUT', headers, body, duplex: 'half' } as RequestInit);
  } catch (err) {
    throw new CliError(EXIT_FAILED, `cannot upload s3://${BUCKET}/${INPUT_KEY} to ${endpoint.url}: ${describeError((err as Error).cause ?? err)}`);
  }
  const text = await response.text();
  let info: (ObjectInfo & { error?: { code: string; message: string } }) | undefined;
  try {
    info = JSON.parse(text) as typeof info;
  } catch {
    info = undefined;
  }
  if (!response.ok || info === undefined) {
    throw new CliError(EXIT_FAILED, `cannot upload s3://${BUCKET}/${INPUT_KEY}: ${info?.error ? `${info.error.code}: ${info.error.message}` : `HTTP ${response.status}`}`);
  }
  return info.size;
}

/**
 * Polls the execution and its new history events, printing a line whenever the top-level
 * state or the count of batch jobs done changes (Map iterations interleave: naming the latest
 * inner state would flicker between branches).
 */
async function follow(client: Client, execution: ExecutionInfo, jobsExpected: number): Promise<{ info: ExecutionInfo; events: HistoryEvent[] }> {
  const path = `/executions/${segment(execution.id)}`;
  const machine = await client.get<{ definition: { States?: Record<string, unknown> } }>(`/state-machines/${segment(execution.stateMachine)}`);
  const topLevel = new Set(Object.keys(machine.definition.States ?? {}));
  const events: HistoryEvent[] = [];
  let current = '';
  let shown = '';
  for (;;) {
    const info = await client.get<ExecutionInfo>(path);
    // Read after the status: once it says done, the history holds every event.
    for (;;) {
      const last = events[events.length - 1];
      const page = await client.get<{ items: HistoryEvent[]; nextToken?: string }>(`${path}/history`, { limit: 1000, ...(last === undefined ? {} : { nextToken: String(last.id) }) });
      events.push(...page.items);
      for (const event of page.items) {
        const name = (event.stateEnteredEventDetails as { name?: string } | undefined)?.name;
        if (name !== undefined && topLevel.has(name)) current = name;
      }
      if (page.nextToken === undefined) break;
    }
    const { ended } = batchTaskCounts(events);
    const line = DONE.has(info.status) ? info.status : `${current.padEnd(22)} jobs ${ended}/${jobsExpected}`;
    if (line !== shown) printNote(`  ${line}`);
    shown = line;
    if (DONE.has(info.status)) return { info, events };
    await sleep(POLL_MS);
  }
}

async function summarize(
  client: Client,
  info: ExecutionInfo,
  events: HistoryEvent[],
  run: { lines: number; bytes: number; splitNum: number; chunks: number; project: string },
): Promise<DemoSummary> {
  const jobs = batchJobs(events);
  const outputs = await listAll<ObjectInfo>(client, `/buckets/${segment(BUCKET)}/objects`, { prefix: `result/${run.project}/` });
  const executionMs = Date.parse(info.stopDate ?? new Date().toISOString()) - Date.parse(info.startDate);
  const summary: DemoSummary = {
    status: info.status,
    executionArn: info.executionArn,
    input: { bucket: BUCKET, key: INPUT_KEY, lines: run.lines, bytes: run.bytes, splitNum: run.splitNum, chunks: run.chunks },
    states: stateSpans(events),
    jobs: { run: jobs.length, succeeded: jobs.filter((j) => j.status === 'SUCCEEDED').length, failed: jobs.filter((j) => j.status !== 'SUCCEEDED').length },
    outputs: outputs.map((o) => ({ key: o.key, size: o.size })),
    ...(info.error === undefined ? {} : { error: info.error }),
    ...(info.cause === undefined ? {} : { cause: info.cause }),
    wallSeconds: 0,
    executionSeconds: seconds(executionMs),
    waitSeconds: seconds(topLevelWaitMs(events)),
  };
  const notification = await notificationOf(client, info);
  if (notification !== undefined) summary.notification = notification;
  return summary;
}

/**
 * The message the Notification state published, and what became of each delivery. Deliveries
 * happen after the publish; a file or webhook one is usually done within a second, so this
 * waits that long for the pending ones (an email without SMTP server keeps retrying for longer).
 */
async function notificationOf(client: Client, info: ExecutionInfo): Promise<DemoSummary['notification']> {
  const output = info.output as { Notification?: { MessageId?: unknown }; JobStatus?: { SNS_Subject?: unknown } } | undefined;
  const messageId = output?.Notification?.MessageId;
  if (typeof messageId !== 'string') return undefined;
  const subscriptions = new Map((await listAll<SubscriptionInfo>(client, '/subscriptions', { topic: TOPIC })).map((s) => [s.subscriptionId, s]));
  let deliveries: DeliveryInfo[] = [];
  for (let tries = 0; tries < 10; tries++) {
    deliveries = await listAll<DeliveryInfo>(client, '/deliveries', { messageId });
    if (deliveries.every((d) => d.status !== 'pending' || subscriptions.get(d.subscriptionId)?.protocol === 'email')) break;
    await sleep(100);
  }
  const subject = output?.JobStatus?.SNS_Subject;
  return {
    messageId,
    ...(typeof subject === 'string' ? { subject } : {}),
    topic: TOPIC,
    deliveries: deliveries.map((d) => {
      const subscription = subscriptions.get(d.subscriptionId);
      return { protocol: subscription?.protocol ?? '?', endpoint: subscription?.endpoint ?? d.subscriptionId, status: d.status, attempts: d.attempts.length, ...(d.lastError === undefined ? {} : { lastError: d.lastError }) };
    }),
  };
}

function printSummary(summary: DemoSummary, project: string): void {
  const out: string[] = [];
  const s = (value: number) => `${value.toFixed(2)} s`;
  out.push(`String pipeline ${project}: ${summary.status} (${summary.executionArn})`);
  if (summary.error !== undefined) out.push(`  ${summary.error}${summary.cause ? `: ${summary.cause}` : ''}`);
  const { input } = summary;
  out.push(`Input: s3://${input.bucket}/${input.key}, ${input.lines} lines, ${input.bytes} bytes; SPLIT_NUM ${input.splitNum} (${input.chunks} chunk${input.chunks === 1 ? '' : 's'})`);
  out.push('States:');
  const width = Math.max(...summary.states.map((state) => state.name.length));
  for (const state of summary.states) {
    const times = state.entered === 1 ? '' : ` x${state.entered}`;
    out.push(`  ${state.name.padEnd(width)}  ${state.type.padEnd(8)} ${s(state.spanMs / 1000).padStart(9)}${times}`);
  }
  out.push(`Jobs: ${summary.jobs.run} run, ${summary.jobs.succeeded} succeeded, ${summary.jobs.failed} failed`);
  out.push(`Outputs (s3://${BUCKET}/result/${project}/):`);
  const keyWidth = Math.max(0, ...summary.outputs.map((o) => o.key.length));
  for (const output of summary.outputs) out.push(`  ${output.key.padEnd(keyWidth)}  ${String(output.size).padStart(10)} bytes`);
  const { notification } = summary;
  if (notification === undefined) out.push('Notification: none was sent');
  else {
    out.push(`Notification: "${notification.subject ?? ''}" to topic ${notification.topic} (MessageId ${notification.messageId})`);
    for (const d of notification.deliveries) out.push(`  ${d.protocol} ${d.endpoint}: ${d.status}${d.attempts > 1 ? ` after ${d.attempts} attempts` : ''}${d.status !== 'delivered' && d.lastError ? ` (${d.lastError})` : ''}`);
  }
  out.push(`Wall time: ${s(summary.wallSeconds)} (execution ${s(summary.executionSeconds)}, of which ${s(summary.waitSeconds)} in the pipeline's Wait states)`);
  process.stdout.write(`${out.join('\n')}\n`);
}
