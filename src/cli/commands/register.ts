/*
 * The commands that start or talk to a server. --data and --json are program-wide
 * options, so they are read with optsWithGlobals() and may stand anywhere on the line.
 * Command modules are imported when their command runs: `up` alone needs the server
 * stack, and a client command should not wait for it to load.
 */
import type { Command } from 'commander';
import type { GlobalOptions } from '../output.js';
import { registerAccessKeyCommands } from './access-keys.js';
import { registerBatchResourceCommands } from './batch-resources.js';
import type { ListOptions } from './executions.js';
import { registerFunctionCommands } from './functions.js';
import { registerJobCommands } from './jobs.js';
import { registerNotificationCommands } from './notifications.js';
import { registerProgressCommand } from './progress.js';
import { registerStackCommands } from './stacks.js';
import { registerStorageCommands } from './storage.js';
import type { DemoOptions } from './demo.js';
import type { RunOptions } from './run.js';
import type { UpOptions } from './up.js';

type Done = (exitCode: number) => void;

/** Wraps an action so its exit code reaches main(); commander passes operands, options, command. */
function action<A extends string[], O>(done: Done, run: (...args: [...A, O]) => Promise<number>) {
  return async (...received: unknown[]): Promise<void> => {
    const command = received[received.length - 1] as Command;
    const operands = received.slice(0, -2) as A;
    done(await run(...operands, command.optsWithGlobals() as O));
  };
}

const machines = () => import('./state-machines.js');
const executions = () => import('./executions.js');
const taskTokens = () => import('./task-tokens.js');

type FileOptions = GlobalOptions & { file: string };

export function registerServerCommands(program: Command, done: Done): void {
  program
    .command('up')
    .description('start the server (API, console, engine, scheduler) with its data under --data (default ./.skybatch)')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on; 0 picks a free one', '8080')
    .option('--apply <stack>', 'apply this stack file once the server listens (nothing changes when it is already applied)')
    .action(action<[], UpOptions>(done, async (options) => (await import('./up.js')).upCommand(options)));

  const sm = program.command('state-machines').description('list, create, update, describe and delete state machines');
  sm.command('list', { isDefault: true })
    .description('list state machines (the default)')
    .action(action<[], GlobalOptions>(done, async (options) => (await machines()).listStateMachines(options)));
  sm.command('create')
    .description('create a state machine from a JSON or YAML definition')
    .argument('<name>', 'state machine name')
    .requiredOption('-f, --file <file>', 'definition file (JSON or YAML)')
    .option('--role-arn <arn>', 'role ARN recorded with the state machine')
    .action(action<[string], FileOptions & { roleArn?: string }>(done, async (name, options) => (await machines()).createStateMachine(name, options)));
  sm.command('update')
    .description('replace the definition, creating a new revision; running executions keep theirs')
    .argument('<name>', 'state machine name')
    .requiredOption('-f, --file <file>', 'definition file (JSON or YAML)')
    .action(action<[string], FileOptions>(done, async (name, options) => (await machines()).updateStateMachine(name, options)));
  sm.command('describe')
    .description('show a state machine and its definition')
    .argument('<name>', 'state machine name')
    .action(action<[string], GlobalOptions>(done, async (name, options) => (await machines()).describeStateMachine(name, options)));
  sm.command('delete')
    .description('delete a state machine')
    .argument('<name>', 'state machine name')
    .action(action<[string], GlobalOptions>(done, async (name, options) => (await machines()).deleteStateMachine(name, options)));

  program
    .command('run')
    .description('start an execution and print its ARN; with --wait, follow it and print its output')
    .argument('<state-machine>', 'state machine name or ARN')
    .option('--input <json>', 'execution input: inline JSON or @path to a JSON file', '{}')
    .option('--name <name>', 'execution name; starting the same name again returns the first execution')
    .option('--wait', 'show progress on stderr, print the output, exit 0 on SUCCEEDED and 1 otherwise')
    .action(action<[string], RunOptions>(done, async (name, options) => (await import('./run.js')).runCommand(name, options)));

  const ex = program.command('executions').description('list, describe, follow, stop and redrive executions');
  ex.command('list', { isDefault: true })
    .description('list executions (the default)')
    .option('--state-machine <name>', 'only executions of this state machine')
    .option('--status <status>', 'only executions with this status (RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED, PENDING_REDRIVE)')
    .option('--limit <n>', 'show at most N executions')
    .action(action<[], ListOptions>(done, async (options) => (await executions()).listExecutions(options)));
  ex.command('describe')
    .description('show an execution, with its input and output')
    .argument('<id>', 'execution id or ARN')
    .action(action<[string], GlobalOptions>(done, async (id, options) => (await executions()).describeExecution(id, options)));
  ex.command('history')
    .description('list the history events of an execution')
    .argument('<id>', 'execution id or ARN')
    .action(action<[string], GlobalOptions>(done, async (id, options) => (await executions()).executionHistory(id, options)));
  ex.command('stop')
    .description('stop a running execution (status ABORTED)')
    .argument('<id>', 'execution id or ARN')
    .option('--error <error>', 'error code recorded with the stop')
    .option('--cause <cause>', 'cause recorded with the stop')
    .action(action<[string], GlobalOptions & { error?: string; cause?: string }>(done, async (id, options) => (await executions()).stopExecution(id, options)));
  ex.command('redrive')
    .description('restart a FAILED, TIMED_OUT or ABORTED execution from where it failed')
    .argument('<id>', 'execution id or ARN')
    .action(action<[string], GlobalOptions>(done, async (id, options) => (await executions()).redriveExecution(id, options)));

  const tt = program.command('task-token').description('answer a task that waits for its task token (.waitForTaskToken)');
  tt.command('success')
    .description('complete the task with an output (SendTaskSuccess)')
    .argument('<token>', 'the task token ($$.Task.Token)')
    .option('--output <json>', 'task output: inline JSON or @path to a JSON file', '{}')
    .action(action<[string], GlobalOptions & { output?: string }>(done, async (token, options) => (await taskTokens()).sendTaskSuccess(token, options)));
  tt.command('failure')
    .description('fail the task (SendTaskFailure)')
    .argument('<token>', 'the task token ($$.Task.Token)')
    .option('--error <error>', 'error name, matched by Retry and Catch')
    .option('--cause <cause>', 'readable cause')
    .action(action<[string], GlobalOptions & { error?: string; cause?: string }>(done, async (token, options) => (await taskTokens()).sendTaskFailure(token, options)));
  tt.command('heartbeat')
    .description('report that the task is alive (SendTaskHeartbeat)')
    .argument('<token>', 'the task token ($$.Task.Token)')
    .action(action<[string], GlobalOptions>(done, async (token, options) => (await taskTokens()).sendTaskHeartbeat(token, options)));

  program
    .command('demo')
    .description('run the string pipeline example end to end (starting a server if none runs) and print its summary')
    .option('--lines <n>', 'lines of generated input', '100000')
    .option('--split <n>', 'SPLIT_NUM: lines per chunk', '10000')
    .option('--split-num <n>', 'the same as --split')
    .option('--project <name>', 'ProjectNo: outputs go under result/NAME/', 'demo')
    .option('--stack <file>', 'stack file to apply (default: the string pipeline example, applied only when absent)')
    .action(
      action<[], DemoOptions & { splitNum?: string }>(done, async ({ splitNum, ...options }) =>
        (await import('./demo.js')).demoCommand({ ...options, ...(splitNum === undefined ? {} : { split: splitNum }) }),
      ),
    );

  registerFunctionCommands(program, done);
  registerJobCommands(program, done);
  registerBatchResourceCommands(program, done);
  registerNotificationCommands(program, done);
  registerStorageCommands(program, done);
  registerStackCommands(program, done);
  registerProgressCommand(program, done);
  registerAccessKeyCommands(program, done);
}
