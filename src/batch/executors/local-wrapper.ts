/*
 * The /bin/sh wrapper every local attempt runs under, and the exit file it leaves behind.
 *
 * Why a shell wrapper rather than writing the exit file from Node when the child exits: the
 * wrapper outlives the server. If the server crashes or restarts while a job runs, the job
 * keeps running (it is detached) and the wrapper still records how it ended, so the next
 * server reports the real exit code instead of "lost". Node alone would lose every exit that
 * happens while it is down. The price is one small dash process per job, nothing more:
 *
 * - A shell command line runs in the wrapper itself, after `trap 'record $?' EXIT`: no process
 *   beyond the wrapper (a `true` job is one process, as with `sh -c true`), and `exit N`,
 *   `set -e` and syntax errors are all recorded. A command line that could replace that trap or
 *   the shell itself (it mentions `trap` or `exec`, or runs code it does not show: `eval`,
 *   `source`, `.`) runs in a subshell instead, one fork more. The cost of guessing wrong is
 *   small either way: only a restarted server would miss that attempt's exit code.
 *   argv commands always run as `(exec "$@")`: argv[0] is a program, never a shell builtin.
 * - The exit file is written in place, not to a temporary name and renamed: a rename needs
 *   `mv`, a second process per job (it cost a third of the throughput when measured). A
 *   write of a few bytes is one write(2); readers accept only a complete line, so a wrapper
 *   killed between open and write leaves an empty file, which means "no exit code", exactly
 *   as when the wrapper is SIGKILLed (then it records nothing, by design).
 * - A command killed by a signal is recorded as 128+N (137 for SIGKILL), as a shell and
 *   Docker report it, so a recovered attempt reports the same code as a watched one.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Single-quotes a word for /bin/sh. */
function quote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * `command printf` because a job may define a function named printf; `>|` because it may
 * `set -C`. The command line follows on its own line, so that a syntax error in it is met
 * after the trap is set (dash parses a whole line before running any of it).
 */
function trapWrapper(commandLine: string, exitFile: string): string {
  const record = `command printf '%s\\n' "$?" >|${quote(exitFile)}`;
  return `trap ${quote(record)} EXIT\n${commandLine}`;
}

/** `sh -c SUBSHELL_WRAPPER sh EXIT_FILE 'command line'`. */
const SUBSHELL_WRAPPER = `_sb_exit=$1 _sb_cmd=$2; set --
(eval "$_sb_cmd")
_sb_code=$?
printf '%s\\n' "$_sb_code" >|"$_sb_exit"
exit "$_sb_code"`;

/**
 * `sh -c ARGV_WRAPPER sh EXIT_FILE argv...`. A program that is not there is marked in the
 * exit file, so the attempt fails as "cannot start" rather than as a command that exited 127.
 */
const ARGV_WRAPPER = `_sb_exit=$1; shift
if ! command -v "$1" >/dev/null 2>&1; then
  echo "skybatch: $1: executable file not found" >&2
  echo "127 not-found" >|"$_sb_exit"
  exit 127
fi
(exec "$@")
_sb_code=$?
printf '%s\\n' "$_sb_code" >|"$_sb_exit"
exit "$_sb_code"`;

export const NOT_FOUND_EXIT_CODE = 127;

/** Where attempt N of a job records its exit code; kept beside the job's files. */
export function exitFilePath(workDir: string, attempt: number): string {
  return join(workDir, '.skybatch', `attempt-${attempt}.exit`);
}

/** argv for spawn: the wrapper around `command` (one element: shell command line; more: argv). */
export function wrapperArgv(command: readonly string[], exitFile: string): string[] {
  if (command.length !== 1) return ['-c', ARGV_WRAPPER, 'sh', exitFile, ...command];
  const line = command[0] ?? '';
  if (/\b(?:trap|exec|eval|source)\b|(?:^|[\s;&|(])\.\s/.test(line)) return ['-c', SUBSHELL_WRAPPER, 'sh', exitFile, line];
  return ['-c', trapWrapper(line, exitFile)];
}

export type ExitRecord = { exitCode: number; notFound: boolean };

/** Reads an exit file; undefined when it is missing or incomplete (no exit code known). */
export async function readExitFile(path: string): Promise<ExitRecord | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'latin1');
  } catch {
    return undefined;
  }
  const match = /^(\d+)( not-found)?\n/.exec(text);
  if (!match) return undefined;
  return { exitCode: Number(match[1]), notFound: match[2] !== undefined };
}
