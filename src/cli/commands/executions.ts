/*
 * `skybatch executions [list | describe ID | history ID | stop ID | redrive ID]`.
 * ID is the short id or the full ARN: the server accepts both.
 */
import type { HistoryEvent } from '../../asl/interpreter/protocol.js';
import type { ExecutionInfo, ExecutionStatus, ExecutionSummary } from '../../engine/types.js';
import { connect, listAll, segment } from '../client.js';
import { CliError, EXIT_USAGE, printFields, printJson, printTable } from '../output.js';
import type { GlobalOptions } from '../output.js';

const STATUSES: readonly ExecutionStatus[] = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'];

export interface ListOptions extends GlobalOptions {
  stateMachine?: string;
  status?: string;
  limit?: string;
}

export async function listExecutions(options: ListOptions): Promise<number> {
  const status = options.status?.toUpperCase();
  if (status !== undefined && !(STATUSES as readonly string[]).includes(status)) {
    throw new CliError(EXIT_USAGE, `--status must be one of ${STATUSES.join(', ')}, not "${options.status}"`);
  }
  const max = options.limit === undefined ? undefined : positiveInteger('--limit', options.limit);
  const client = await connect(options.data);
  const items = await listAll<ExecutionSummary>(client, '/executions', { stateMachine: options.stateMachine, status }, max);
  if (options.json) {
    printJson(items);
  } else {
    printTable(
      ['ID', 'NAME', 'STATE MACHINE', 'STATUS', 'STARTED', 'STOPPED'],
      items.map((item) => [item.id, item.name, item.stateMachine, item.status, item.startDate, item.stopDate]),
    );
  }
  return 0;
}

export async function describeExecution(id: string, options: GlobalOptions): Promise<number> {
  const client = await connect(options.data);
  printExecution(await client.get<ExecutionInfo>(`/executions/${segment(id)}`), options);
  return 0;
}

export async function executionHistory(id: string, options: GlobalOptions): Promise<number> {
  const client = await connect(options.data);
  const events = await listAll<HistoryEvent>(client, `/executions/${segment(id)}/history`, {});
  if (options.json) {
    printJson(events);
  } else {
    printTable(
      ['ID', 'TYPE', 'TIMESTAMP', 'STATE'],
      events.map((event) => [event.id, event.type, event.timestamp, stateName(event)]),
    );
  }
  return 0;
}

export async function stopExecution(id: string, options: GlobalOptions & { error?: string; cause?: string }): Promise<number> {
  const client = await connect(options.data);
  const body = { ...(options.error === undefined ? {} : { error: options.error }), ...(options.cause === undefined ? {} : { cause: options.cause }) };
  printExecution(await client.post<ExecutionInfo>(`/executions/${segment(id)}/stop`, body), options);
  return 0;
}

export async function redriveExecution(id: string, options: GlobalOptions): Promise<number> {
  const client = await connect(options.data);
  printExecution(await client.post<ExecutionInfo>(`/executions/${segment(id)}/redrive`), options);
  return 0;
}

export function printExecution(info: ExecutionInfo, options: GlobalOptions): void {
  if (options.json) {
    // `output` is part of the contract even before an execution has one.
    printJson({ ...info, output: info.output ?? null });
    return;
  }
  printFields([
    ['id', info.id],
    ['arn', info.executionArn],
    ['name', info.name],
    ['state machine', `${info.stateMachine} (revision ${info.revision})`],
    ['status', info.status],
    ['started', info.startDate],
    ['stopped', info.stopDate],
    ['redrives', info.redriveCount > 0 ? info.redriveCount : undefined],
    ['input', JSON.stringify(info.input)],
    ['output', info.output === undefined ? undefined : JSON.stringify(info.output)],
    ['error', info.error],
    ['cause', info.cause],
  ]);
}

/** The state an event belongs to, for the events that name one. */
export function stateName(event: HistoryEvent): string | undefined {
  for (const key of ['stateEnteredEventDetails', 'stateExitedEventDetails']) {
    const name = (event[key] as { name?: unknown } | undefined)?.name;
    if (typeof name === 'string') return name;
  }
  return undefined;
}

export function positiveInteger(option: string, text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new CliError(EXIT_USAGE, `${option} must be a positive integer, not "${text}"`);
  return Number(text);
}
