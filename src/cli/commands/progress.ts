/*
 * `skybatch progress PERCENT [MESSAGE]`, run by a job to report how far it got. The job's
 * environment says which job it is and how to reach the server (with a token that may
 * report only for this job), so --data and endpoint.json play no part here.
 */
import type { Command } from 'commander';
import { Client, segment } from '../client.js';
import { CliError, EXIT_USAGE, printJson, type GlobalOptions } from '../output.js';

type Done = (exitCode: number) => void;

export function registerProgressCommand(program: Command, done: Done): void {
  program
    .command('progress')
    .description('from inside a running job: report its progress (0-100) and an optional message')
    .argument('<percent>', 'how far the job got, 0 to 100')
    .argument('[message]', 'what it is doing')
    .action(async (percent: string, message: string | undefined, _options: unknown, command: Command) => {
      done(await reportProgress(percent, message, command.optsWithGlobals() as GlobalOptions));
    });
}

export async function reportProgress(percentText: string, message: string | undefined, options: GlobalOptions, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const percent = Number(percentText.replace(/%$/, ''));
  if (percentText.trim() === '' || !Number.isFinite(percent) || percent < 0 || percent > 100) throw new CliError(EXIT_USAGE, `PERCENT must be a number from 0 to 100, not "${percentText}"`);
  const missing = ['SKYBATCH_JOB_ID', 'SKYBATCH_ENDPOINT', 'SKYBATCH_TOKEN'].filter((name) => !env[name]);
  if (missing.length > 0) throw new CliError(EXIT_USAGE, `not inside a Skybatch job: ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not set`);
  const jobId = env.SKYBATCH_JOB_ID as string;
  const client = new Client({ url: (env.SKYBATCH_ENDPOINT as string).replace(/\/+$/, ''), token: env.SKYBATCH_TOKEN, source: 'the job environment (SKYBATCH_ENDPOINT, SKYBATCH_TOKEN)' });
  const job = await client.post<{ jobId: string; progress?: unknown }>(`/jobs/${segment(jobId)}/progress`, { percent, ...(message === undefined ? {} : { message }) });
  // Quiet by default: whatever a job prints lands in its log.
  if (options.json) printJson({ jobId: job.jobId, progress: job.progress });
  return 0;
}
