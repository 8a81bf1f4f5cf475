/*
 * `skybatch state-machines [list | create NAME -f FILE | update NAME -f FILE | describe NAME | delete NAME]`.
 * The file's text is sent as it is: the server parses JSON or YAML and validates, so its
 * problem lines are the ones `skybatch validate` prints.
 */
import { readFile } from 'node:fs/promises';
import type { StateMachineInfo, StateMachineSummary } from '../../engine/types.js';
import { connect, listAll, segment } from '../client.js';
import { CliError, EXIT_USAGE, describeError, printFields, printJson, printTable } from '../output.js';
import type { GlobalOptions } from '../output.js';


export async function listStateMachines(options: GlobalOptions): Promise<number> {
  const client = await connect(options.data);
  const items = await listAll<StateMachineSummary>(client, '/state-machines', {});
  if (options.json) {
    printJson(items);
  } else {
    printTable(
      ['NAME', 'REVISION', 'UPDATED', 'ARN'],
      items.map((item) => [item.name, item.revision, item.updatedAt, item.stateMachineArn]),
    );
  }
  return 0;
}

export async function createStateMachine(name: string, options: GlobalOptions & { file: string; roleArn?: string }): Promise<number> {
  const definition = await readDefinitionText(options.file);
  const client = await connect(options.data);
  const body = { name, definition, ...(options.roleArn === undefined ? {} : { roleArn: options.roleArn }) };
  const info = await client.post<StateMachineInfo>('/state-machines', body);
  if (options.json) printJson(info);
  else process.stdout.write(`created state machine ${info.name} (revision ${info.revision}): ${info.stateMachineArn}\n`);
  return 0;
}

export async function updateStateMachine(name: string, options: GlobalOptions & { file: string }): Promise<number> {
  const definition = await readDefinitionText(options.file);
  const client = await connect(options.data);
  const info = await client.put<StateMachineInfo>(`/state-machines/${segment(name)}`, { definition });
  if (options.json) printJson(info);
  else process.stdout.write(`updated state machine ${info.name}: now revision ${info.revision}\n`);
  return 0;
}

export async function describeStateMachine(name: string, options: GlobalOptions): Promise<number> {
  const client = await connect(options.data);
  const info = await client.get<StateMachineInfo>(`/state-machines/${segment(name)}`);
  if (options.json) {
    printJson(info);
    return 0;
  }
  printFields([
    ['name', info.name],
    ['arn', info.stateMachineArn],
    ['revision', info.revision],
    ['role', info.roleArn],
    ['created', info.createdAt],
    ['updated', info.updatedAt],
  ]);
  process.stdout.write(`definition:\n${JSON.stringify(info.definition, null, 2)}\n`);
  return 0;
}

export async function deleteStateMachine(name: string, options: GlobalOptions): Promise<number> {
  const client = await connect(options.data);
  await client.delete(`/state-machines/${segment(name)}`);
  if (options.json) printJson({ name, deleted: true });
  else process.stdout.write(`deleted state machine ${name}\n`);
  return 0;
}

async function readDefinitionText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new CliError(EXIT_USAGE, `cannot read ${file}: ${describeError(err)}`);
  }
}
