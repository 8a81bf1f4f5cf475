/*
 * Reads a definition file's text: JSON, or YAML (which AWS tooling such as SAM also uses).
 * JSON goes to JSON.parse first: it is faster, and its errors are the ones a JSON author
 * expects. Parsing only yields a value; whether it is a valid state machine is validate's job.
 */
import { parse as parseYaml, YAMLParseError } from 'yaml';

export class DefinitionSyntaxError extends Error {
  /** 1-based position of the error, when the parser reported one. */
  readonly line: number | undefined;
  readonly column: number | undefined;

  constructor(message: string, line?: number, column?: number) {
    super(line !== undefined && column !== undefined ? `${message} (line ${line}, column ${column})` : message);
    this.name = 'DefinitionSyntaxError';
    this.line = line;
    this.column = column;
  }
}

export function parseDefinition(text: string): unknown {
  // A BOM is what some editors put first; neither parser wants it.
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  if (source.trim() === '') throw new DefinitionSyntaxError('the definition is empty');
  const first = source.trimStart()[0];
  // Text that opens like JSON is JSON: falling back to YAML would quietly accept JSON typos
  // (a trailing comma is fine YAML) that AWS rejects.
  if (first === '{' || first === '[') {
    try {
      return JSON.parse(source);
    } catch (err) {
      throw jsonSyntaxError(source, err);
    }
  }
  try {
    // Warnings (unknown tags, directives) would go to the process's stderr; the caller owns the output.
    return parseYaml(source, { logLevel: 'error' });
  } catch (err) {
    throw yamlSyntaxError(err);
  }
}

function jsonSyntaxError(source: string, err: unknown): DefinitionSyntaxError {
  const message = err instanceof Error ? err.message : String(err);
  const lineColumn = /\(line (\d+) column (\d+)\)/.exec(message);
  const clean = message.replace(/\s*\(line \d+ column \d+\)/, '').replace(/ in JSON at position \d+/, '');
  if (lineColumn) return new DefinitionSyntaxError(`invalid JSON: ${clean}`, Number(lineColumn[1]), Number(lineColumn[2]));
  const position = /at position (\d+)/.exec(message);
  if (position) {
    const { line, column } = lineAndColumn(source, Number(position[1]));
    return new DefinitionSyntaxError(`invalid JSON: ${clean}`, line, column);
  }
  // V8 reports the end of input without a position; the end is where it is.
  if (/end of (JSON )?input/i.test(message)) {
    const { line, column } = lineAndColumn(source, source.length);
    return new DefinitionSyntaxError(`invalid JSON: ${clean}`, line, column);
  }
  return new DefinitionSyntaxError(`invalid JSON: ${clean}`);
}

function yamlSyntaxError(err: unknown): DefinitionSyntaxError {
  if (err instanceof YAMLParseError) {
    // The library's message ends with a code frame; the first line is the reason.
    const reason = (err.message.split('\n', 1)[0] ?? err.message).replace(/ at line \d+, column \d+:?$/, '');
    const pos = err.linePos?.[0];
    return new DefinitionSyntaxError(`invalid YAML: ${reason}`, pos?.line, pos?.col);
  }
  return new DefinitionSyntaxError(`invalid YAML: ${err instanceof Error ? err.message : String(err)}`);
}

function lineAndColumn(source: string, offset: number): { line: number; column: number } {
  const before = source.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return { line, column };
}
