/*
 * Reads a stack file on the client: parses YAML (or JSON, which is YAML) keeping where each
 * node stands, reads the files it names (relative to the stack file) and inlines them, then
 * validates the whole stack. Every problem comes back at once, as
 * `stack.yaml:12:5 functions.Job_Map.file: file not found`.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import { LineCounter, isMap, isSeq, parseDocument, type Document } from 'yaml';
import { parseDefinition } from '../asl/parse.js';
import { formatPath, type Path, type StackProblem } from './types.js';
import { validateStack } from './validate.js';

export interface LoadedStack {
  name: string;
  /** The stack as sent to the server: files inlined. */
  value: Record<string, unknown>;
}

type Rec = Record<string, unknown>;
const isRecord = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The stack, or every problem as a located line. */
export function loadStack(file: string): { stack: LoadedStack } | { problems: string[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return { problems: [`${file}: cannot read the stack file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`] };
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const shown = basename(file);
  if (doc.errors.length > 0) {
    return {
      problems: doc.errors.map((e) => {
        const at = lines.linePos(e.pos[0]);
        return `${shown}:${at.line}:${at.col} ${e.message.split('\n', 1)[0] ?? e.message}`;
      }),
    };
  }
  const value: unknown = doc.toJS();
  const problems: StackProblem[] = [];
  if (isRecord(value)) inlineFiles(value, dirname(resolve(file)), problems);
  const { stack, problems: invalid } = validateStack(value);
  // A file that could not be read is also content the server would not get: say it once, why.
  const unread = new Set(problems.map((p) => formatPath(p.path)));
  for (const p of invalid) if (!unread.has(formatPath(p.path))) problems.push(p);
  if (problems.length > 0 || !stack) {
    // In file order, as an editor would list them.
    const located = problems.map((p) => ({ at: locate(doc, lines, p.path), text: `${formatPath(p.path)}: ${p.message}` }));
    located.sort((a, b) => a.at.line - b.at.line || a.at.col - b.at.col);
    return { problems: located.map((p) => `${shown}:${p.at.line}:${p.at.col} ${p.text}`) };
  }
  return { stack: { name: stack.name, value: value as Rec } };
}

/** line:column of the deepest node on `path` that the file has. */
function locate(doc: Document, lines: LineCounter, path: Path): { line: number; col: number } {
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    if (range && (n === 0 || isMap(node) || isSeq(node) || node !== undefined)) {
      // A key's own position reads better than its value's for a missing or wrong field.
      const pos = n > 0 ? keyPosition(doc, path.slice(0, n)) ?? range[0] : range[0];
      return lines.linePos(pos);
    }
  }
  return { line: 1, col: 1 };
}

function keyPosition(doc: Document, path: Path): number | undefined {
  const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
  if (!isMap(parent)) return undefined;
  const last = path[path.length - 1];
  const pair = parent.items.find((item) => (item.key as { value?: unknown } | null)?.value === last);
  return (pair?.key as { range?: [number, number, number] } | undefined)?.range?.[0];
}

function read(base: string, name: string): string {
  return readFileSync(isAbsolute(name) ? name : resolve(base, name), 'utf8');
}

function inlineFiles(value: Rec, base: string, problems: StackProblem[]): void {
  const attempt = (path: Path, name: unknown, use: (text: string) => void) => {
    if (typeof name !== 'string' || name === '') return;
    let text: string;
    try {
      text = read(base, name);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      problems.push({ path, message: code === 'ENOENT' ? `file not found: ${resolve(base, name)}` : `cannot read ${name} (${code ?? (err as Error).message})` });
      return;
    }
    try {
      use(text);
    } catch (err) {
      problems.push({ path, message: (err as Error).message });
    }
  };
  for (const [name, spec] of entries(value.functions)) {
    attempt(['functions', name, 'file'], spec.file, (text) => {
      spec.code = text;
    });
  }
  for (const [name, spec] of entries(value.stateMachines)) {
    attempt(['stateMachines', name, 'file'], spec.file, (text) => {
      spec.definition = parseDefinition(text);
    });
  }
  for (const [name, spec] of entries(value.jobDefinitions)) {
    attempt(['jobDefinitions', name, 'script'], spec.script, (text) => {
      // The script itself is the command line: the job runs it under /bin/sh, and a changed
      // script is a changed definition (a new revision).
      spec.command = text;
      delete spec.script;
    });
  }
  // A file subscription's path is the server's; relative ones are taken from the stack file,
  // which is right whenever the CLI and the server share a machine (the usual case).
  for (const [, spec] of entries(value.topics)) {
    if (!Array.isArray(spec.subscriptions)) continue;
    for (const sub of spec.subscriptions) {
      if (isRecord(sub) && sub.protocol === 'file' && typeof sub.endpoint === 'string' && sub.endpoint !== '' && !isAbsolute(sub.endpoint)) sub.endpoint = resolve(base, sub.endpoint);
    }
  }
}

function entries(section: unknown): [string, Rec][] {
  if (!isRecord(section)) return [];
  return Object.entries(section).filter((e): e is [string, Rec] => isRecord(e[1]));
}

/** The stack's name alone, for destroy: the rest of the file need not be valid any more. */
export function stackNameOf(file: string): string {
  const doc = parseDocument(readFileSync(file, 'utf8'));
  const name: unknown = (doc.toJS() as Rec | null)?.name;
  if (typeof name !== 'string' || name === '') throw new Error(`${basename(file)}: the stack has no name`);
  return name;
}
