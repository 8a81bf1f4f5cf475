/*
 * The `skybatch` command. main() returns the exit code instead of exiting, so tests can
 * call it in-process and bin/skybatch.js lets pending stdout drain before Node ends.
 * Exit codes: 0 success, 1 the run itself failed, 2 the user must fix something first.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { registerServerCommands } from './commands/register.js';
import { CliError, EXIT_USAGE } from './output.js';

// Two levels up from both src/cli (tsx) and dist/cli (built).
const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

export async function main(argv: string[]): Promise<number> {
  let code = 0;
  const program = new Command('skybatch')
    .description('Self-hosted HPC platform: Amazon States Language workflows, batch jobs and object storage')
    .version(packageJson.version, '-V, --version')
    // Set before adding subcommands: commander copies these settings into each one.
    .exitOverride()
    .configureOutput({
      writeOut: (text) => process.stdout.write(text),
      writeErr: (text) => process.stderr.write(text),
      // One prefix for every error line, whether commander or a command wrote it.
      outputError: (text, write) => write(text.replace(/^error: /, 'skybatch: ')),
    })
    .showHelpAfterError('(run "skybatch --help" for usage)')
    .configureHelp({ showGlobalOptions: true })
    .option('--data <dir>', 'data directory of the server: `up` keeps everything there, other commands read its endpoint.json')
    .option('--json', 'print JSON for machines instead of tables');

  program
    .command('validate')
    .description('check a state machine definition (JSON or YAML); prints "valid" or one line per problem')
    .argument('<file>', 'definition file')
    .action(async (file: string) => {
      // Each command loads its own modules: a call pays only for what it runs.
      const { validateCommand } = await import('./commands/validate.js');
      code = await validateCommand(file);
    });

  program
    .command('exec')
    .description('run a state machine in this process, with no server, and print {"status",...} as JSON')
    .argument('<file>', 'definition file (JSON or YAML)')
    .option('--input <json>', 'execution input: inline JSON or @path to a JSON file', '{}')
    .action(async (file: string, options: { input: string }) => {
      const { execCommand } = await import('./commands/exec.js');
      code = await execCommand(file, options);
    });

  registerServerCommands(program, (exitCode) => {
    code = exitCode;
  });

  try {
    await program.parseAsync(argv, { from: 'node' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end in a CommanderError with exit code 0; every other one
      // (unknown command or option, missing argument) is a usage error.
      return err.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    if (err instanceof CliError) {
      process.stderr.write(`skybatch: ${err.message}\n`);
      for (const line of err.lines) process.stderr.write(`${line}\n`);
      return err.exitCode;
    }
    process.stderr.write(`skybatch: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}
