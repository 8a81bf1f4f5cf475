/*
 * `skybatch run STATE_MACHINE [--input JSON|@file] [--name NAME] [--wait]`.
 * stdout carries only the answer (the ARN, or with --wait the output), so it can be
 * captured in a script; notes and progress go to stderr.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { HistoryEvent } from '../../asl/interpreter/protocol.js';
import type { ExecutionInfo, ExecutionStatus } from '../../engine/types.js';
import { connect, segment } from '../client.js';
import type { Client } from '../client.js';
import { CliError, EXIT_FAILED, EXIT_USAGE, printNote } from '../output.js';
import type { GlobalOptions } from '../output.js';
import { readInput } from '../input.js';
import { printExecution, stateName } from './executions.js';

export interface RunOptions extends GlobalOptions {
  input?: string;
  name?: string;
  wait?: boolean;
}

const POLL_MS = 250;
// PENDING_REDRIVE is on its way back to RUNNING, so it is not an end.
const DONE: ReadonlySet<ExecutionStatus> = new Set(['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']);

export async function runCommand(stateMachine: string, options: RunOptions): Promise<number> {
  const input = await readInput(options.input ?? '{}');
  if (!input.ok) throw new CliError(EXIT_USAGE, input.message);
  const client = await connect(options.data);
  const body = { stateMachine, input: input.value, ...(options.name === undefined ? {} : { name: options.name }) };
  const { status, body: started } = await client.send<ExecutionInfo>('POST', '/executions', body);
  // 200 instead of 201: an execution of that name existed, and may have ended long ago.
  const named = options.name === undefined ? '' : ` (name ${started.name})`;
  printNote(status === 201 ? `started execution ${started.id}${named}` : `execution ${started.id}${named} already exists: ${started.status}`);
  if (!options.wait) {
    if (options.json) printExecution(started, options);
    else process.stdout.write(`${started.executionArn}\n`);
    return 0;
  }

  const done = await waitFor(client, started);
  if (options.json) printExecution(done, options);
  else if (done.status === 'SUCCEEDED') process.stdout.write(`${JSON.stringify(done.output ?? null)}\n`);
  if (done.status === 'SUCCEEDED') return 0;
  // A stop without --error/--cause records empty strings: say nothing rather than ": : ".
  const why = [done.error, done.cause].filter((part) => part !== undefined && part !== '').join(': ');
  printNote(`skybatch: execution ${done.id} ${done.status}${why === '' ? '' : `: ${why}`}`);
  return EXIT_FAILED;
}

/** Polls until the execution ends, telling stderr each time its status or latest state changes. */
async function waitFor(client: Client, execution: ExecutionInfo): Promise<ExecutionInfo> {
  const path = `/executions/${segment(execution.id)}`;
  let shown = '';
  for (let info = execution; ; info = await client.get<ExecutionInfo>(path)) {
    const state = DONE.has(info.status) ? undefined : await latestState(client, path);
    const line = state === undefined ? info.status : `${info.status}  ${state}`;
    if (line !== shown) printNote(line);
    shown = line;
    if (DONE.has(info.status)) return info;
    await sleep(POLL_MS);
  }
}

/** The newest StateEntered event among the last few: Parallel and Map interleave their branches. */
async function latestState(client: Client, path: string): Promise<string | undefined> {
  const page = await client.get<{ items: HistoryEvent[] }>(`${path}/history`, { reverse: true, limit: 50 });
  const entered = page.items.find((event) => event.type.endsWith('StateEntered'));
  return entered === undefined ? undefined : stateName(entered);
}
