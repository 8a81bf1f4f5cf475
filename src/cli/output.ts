/*
 * What the server-backed commands share: one error type that main() turns into a
 * `skybatch: ...` line and an exit code, and the table/JSON printers.
 */

/** The program-wide options every server command sees (commander's optsWithGlobals). */
export interface GlobalOptions {
  data?: string;
  json?: boolean;
}

/** The run itself failed, or the server did or could not be reached. */
export const EXIT_FAILED = 1;
/** Anything the user must fix first: bad usage, file, definition, or a request the server refused (4xx). */
export const EXIT_USAGE = 2;

/** Thrown by commands and the client; main() prints message and lines to stderr and exits with code. */
export class CliError extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
    readonly lines: string[] = [],
  ) {
    super(message);
  }
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Columns padded to their widest cell; the last one is not padded, so lines carry no trailing blanks. */
export function printTable(headers: string[], rows: (string | number | undefined)[][]): void {
  const cells = [headers, ...rows.map((row) => row.map((cell) => (cell === undefined ? '-' : String(cell))))];
  const widths = headers.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? '').length)));
  for (const row of cells) {
    const line = row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join('  ');
    process.stdout.write(`${line}\n`);
  }
}

/** `key: value` lines for describe commands; undefined and empty values are left out. */
export function printFields(fields: [string, string | number | undefined][]): void {
  const shown = fields.filter((field): field is [string, string | number] => field[1] !== undefined && field[1] !== '');
  const width = Math.max(...shown.map(([key]) => key.length)) + 1;
  for (const [key, value] of shown) process.stdout.write(`${`${key}:`.padEnd(width)} ${value}\n`);
}

export function printNote(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** A one-line reason, without Node's "ENOENT: no such file or directory, open '...'" noise. */
export function describeError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return err instanceof Error ? err.message : String(err);
}
