/*
 * `skybatch apply -f STACK [--dry-run]` and `skybatch destroy -f STACK [--force] [--dry-run]`.
 * The file is read and checked here, with every problem located in it (exit 2, nothing sent);
 * the server checks it again, plans and applies. Plan lines:
 *   + create job-definition String_Split
 *   ~ update state-machine StringPipeline (revision 2)
 *   - delete function Old_Map
 */
import type { Command } from 'commander';
import { loadStack, stackNameOf } from '../../stack/load.js';
import type { ApplyResult } from '../../stack/service.js';
import type { Plan, PlanItem } from '../../stack/types.js';
import { connect, segment } from '../client.js';
import { CliError, EXIT_FAILED, EXIT_USAGE, describeError, printJson, type GlobalOptions } from '../output.js';

type Done = (exitCode: number) => void;
type ApplyOptions = GlobalOptions & { file: string; dryRun?: boolean };
type DestroyOptions = ApplyOptions & { force?: boolean };

export function registerStackCommands(program: Command, done: Done): void {
  const wrap =
    <O>(run: (options: O) => Promise<number>) =>
    async (...received: unknown[]): Promise<void> => {
      const command = received[received.length - 1] as Command;
      done(await run(command.optsWithGlobals() as O));
    };
  program
    .command('apply')
    .description('check a stack file, print the plan (create/update/delete per resource) and apply it')
    .requiredOption('-f, --file <file>', 'stack file (YAML or JSON)')
    .option('--dry-run', 'print the plan only')
    .action(wrap<ApplyOptions>(applyCommand));
  program
    .command('destroy')
    .description('delete every resource the stack made (buckets only when empty, unless --force)')
    .requiredOption('-f, --file <file>', 'stack file (YAML or JSON); only its name is read')
    .option('--force', 'delete buckets with their objects')
    .option('--dry-run', 'print what would be deleted only')
    .action(wrap<DestroyOptions>(destroyCommand));
}

export async function applyCommand(options: ApplyOptions): Promise<number> {
  const loaded = loadStack(options.file);
  if ('problems' in loaded) throw new CliError(EXIT_USAGE, `${options.file} is invalid (${loaded.problems.length} problem${loaded.problems.length === 1 ? '' : 's'}); nothing was changed`, loaded.problems);
  const client = await connect(options.data);
  const path = `/stacks/${segment(loaded.stack.name)}/${options.dryRun ? 'plan' : 'apply'}`;
  const result = await client.post<Plan & Partial<ApplyResult>>(path, { stack: loaded.stack.value });
  return report(result, options);
}

export async function destroyCommand(options: DestroyOptions): Promise<number> {
  let name: string;
  try {
    name = stackNameOf(options.file);
  } catch (err) {
    throw new CliError(EXIT_USAGE, `${options.file}: ${describeError(err)}`);
  }
  const client = await connect(options.data);
  const query = new URLSearchParams();
  if (options.force) query.set('force', 'true');
  if (options.dryRun) query.set('dryRun', 'true');
  const result = await client.request<ApplyResult>('DELETE', `/stacks/${segment(name)}${query.size > 0 ? `?${query}` : ''}`);
  return report(result, options);
}

const SIGN = { create: '+', update: '~', delete: '-', unchanged: ' ' } as const;

export function planLine(item: PlanItem): string {
  return `${SIGN[item.action]} ${item.action} ${item.kind} ${item.name}${item.revision === undefined ? '' : ` (revision ${item.revision})`}`;
}

function report(result: Plan & Partial<ApplyResult>, options: GlobalOptions & { dryRun?: boolean }): number {
  const failed = result.failed ?? [];
  if (options.json) {
    printJson(result);
    return failed.length > 0 ? EXIT_FAILED : 0;
  }
  for (const line of planLines(result, options.dryRun ?? false)) process.stdout.write(`${line}\n`);
  if (failed.length === 0) return 0;
  throw new CliError(EXIT_FAILED, failureSummary(failed), failureLines(failed));
}

/** One line per change, then the counts: what `apply` prints, and `up --apply` too. */
export function planLines(result: Plan, dryRun: boolean): string[] {
  const changes = result.items.filter((item) => item.action !== 'unchanged');
  const count = (action: PlanItem['action']) => result.items.filter((item) => item.action === action).length;
  const summary = changes.length === 0 ? `stack ${result.stack}: no changes` : `stack ${result.stack}: ${count('create')} to create, ${count('update')} to update, ${count('delete')} to delete, ${count('unchanged')} unchanged`;
  return [...changes.map(planLine), `${summary}${dryRun && changes.length > 0 ? ' (dry run: nothing applied)' : ''}`];
}

export function failureSummary(failed: ApplyResult['failed']): string {
  return `${failed.length} change${failed.length === 1 ? '' : 's'} could not be applied`;
}

export function failureLines(failed: ApplyResult['failed']): string[] {
  return failed.map((f) => `${f.kind} ${f.name}: ${f.error}`);
}
